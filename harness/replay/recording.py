"""What a run observed, as plain rows (tuples and lists), in global order.

:func:`harness.replay.play.play` owns a run's :class:`Recording`: it makes it,
moves its step, and finishes it with the final store. A target only reports
what it observed into it (``status``, ``change``, ``log``, ...), and the
simulated source records the operations it makes. DataFrames are built from
it once, at the end (:mod:`harness.results.frames`). Every row holds ``seq``
(global order), ``step`` (the scenario step running; -1 for set-up) and ``t``
(virtual time, microseconds since the epoch); times inside rows are
microseconds too. Each frame's columns are a :class:`Layout`, the one place
that knows where a column sits in a row.

Flag change events of one operation are held back and recorded sorted by key
when the operation ends, so the order never depends on set iteration order
(and so on ``PYTHONHASHSEED``).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

class Layout:
    """The columns of one frame's rows, declared once and read by name.

    ``OPS.outcome`` is the position of ``outcome`` in an ops row, so a reader
    writes ``row[OPS.outcome]`` and never counts columns; ``OPS.columns``
    lists them all (``seq``, ``step`` and ``t`` included), ``OPS.values``
    only those after them.
    """

    HEAD = ("seq", "step", "t")

    def __init__(self, frame: str, values: tuple[str, ...]):
        self.frame = frame
        self.values = values
        self.columns = self.HEAD + values
        for index, name in enumerate(self.columns):
            setattr(self, name, index)

    def __getattr__(self, name: str) -> int:  # only reached for a column that does not exist
        raise AttributeError(f"frame {self.frame!r} has no column {name!r}; it has {', '.join(self.columns)}")

    def index(self, name: str) -> int:
        return getattr(self, name)

    def as_dict(self, row: tuple) -> dict:
        return dict(zip(self.columns, row))

    def picker(self, *names: str):
        """A function that takes these columns out of a row, as a tuple."""
        positions = [self.index(n) for n in names]
        return lambda row: tuple(row[i] for i in positions)


STATUS = Layout("status", ("state", "since", "error_kind", "status_code", "error_message", "error_time"))
OPS = Layout("ops", ("op", "kind", "key", "version", "outcome", "error", "stored_before", "stored_after",
                     "reported"))
CHANGES = Layout("changes", ("key",))
STORE_STATUS = Layout("store_status", ("available", "stale"))
EVALUATIONS = Layout("evaluations", ("flag", "context", "value", "reason"))
LOGS = Layout("logs", ("level", "message"))

LAYOUTS: dict[str, Layout] = {layout.frame: layout for layout in
                              (STATUS, OPS, CHANGES, STORE_STATUS, EVALUATIONS, LOGS)}
STORE = ("kind", "key", "version", "deleted")  # the final store: no seq, step or t


def seconds_to_micros(seconds: float) -> int:
    return round(seconds * 1_000_000)


class Recording:
    """Rows per frame; ``now`` reads the virtual clock (microseconds)."""

    def __init__(self, now: Callable[[], int], start: int | None = None):
        self._now = now
        self.start = now() if start is None else start
        self._seq = 0
        self.step = -1
        self.closed = False
        self.rows: dict[str, list] = {name: [] for name in LAYOUTS}
        self.store: list[tuple] = []
        self.step_times: list[int] = []  # virtual time at which each step began (after at/after)
        self.init_versions: dict[int, list[tuple[str, str, int]]] = {}  # init op seq -> what it wrote
        # Frames the target cannot fill (Node's FDv1 client has no data source or store status): no rows
        # there means "not available", never "nothing happened".
        self.unavailable: frozenset[str] = frozenset()
        self._pending_changes: list[str] = []
        # Rewrites error and log texts before they are kept: a target whose texts name something that
        # differs from process to process (a port) sets it, so that runs compare alike.
        self.scrub: Callable[[str], str] | None = None
        # Told of every store status row as (t, available, stale): the simulated source reacts to it
        # (harness.replay.reactions), as an SDK's own streaming source listens to the store's status.
        self.on_store_status: Callable[[int, bool, bool], None] | None = None

    def __getstate__(self) -> dict:
        """A copy (for a worker process) carries the rows, not the clock: it is never written to."""
        state = dict(self.__dict__)
        state["_now"] = None
        state["on_store_status"] = None
        state["closed"] = True
        return state

    def now(self) -> int:
        """The virtual time, in microseconds since the epoch."""
        return self._now()

    def add(self, frame: str, *values: Any) -> None:
        """Append one row to ``frame``, observed now (a tuple, which the garbage collector soon stops tracking)."""
        # add_at's body written out: this runs once per observation, and the extra call costs a point of replay rate
        if self.closed:
            return
        self.rows[frame].append((self._seq, self.step, self._now()) + values)
        self._seq += 1

    def add_at(self, frame: str, t: int, values: tuple, step: int | None = None) -> None:
        """Append a row observed at virtual time ``t`` during ``step`` (default: the step running). An
        out-of-process target says when, and which step's command caused the row."""
        if self.closed:
            return
        if self.scrub is not None:
            values = self._scrubbed(frame, values)
        self.rows[frame].append((self._seq, self.step if step is None else step, t) + values)
        self._seq += 1
        if frame == "store_status" and self.on_store_status is not None:
            self.on_store_status(t, values[0], values[1])

    # -- the observations -------------------------------------------------------------

    def _scrubbed(self, frame: str, values: tuple) -> tuple:
        """A row's values with its text (a log line, a status's error message) scrubbed."""
        if frame == "logs":
            return (values[0], self.scrub(values[1]))  # type: ignore[misc]
        if frame == "status" and values[4] is not None:
            return values[:4] + (self.scrub(values[4]),) + values[5:]  # type: ignore[misc]
        return values

    def status(self, state: str, since: int, error: tuple | None) -> None:
        """``error``: (kind, status_code, message, time in microseconds) or None."""
        values = (state, since, *(error or (None, None, None, None)))
        self.add("status", *(values if self.scrub is None else self._scrubbed("status", values)))

    def op_started(self, op: str, kind: str | None = None, key: str | None = None,
                   version: int | None = None, step: int | None = None, t: int | None = None) -> tuple | None:
        """Reserve the operation's place in the order; rows it causes come after it. ``step`` and ``t``
        default to now; an operation answered later (a driver's batch) gives the ones it was made at."""
        if self.closed:
            return None
        head = (self._seq, self.step if step is None else step, self._now() if t is None else t,
                op, kind, key, version)
        self._seq += 1
        return head

    def op_finished(self, head: tuple | None, outcome: str, error: str | None = None,
                    stored_before: int | None = None, stored_after: int | None = None,
                    reported: str | None = None, written: list | None = None) -> None:
        """``stored_before``/``stored_after``: the stored version of the key around the call;
        ``reported``: what a status call reported (``INTERRUPTED NETWORK_ERROR``); ``written``: what
        an applied init wrote, as (kind, key, version). The change events the operation caused
        follow its row, sorted by key."""
        if head is None or self.closed:
            return
        if error is not None and self.scrub is not None:
            error = self.scrub(error)
        self.rows["ops"].append(head + (outcome, error, stored_before, stored_after, reported))
        if written is not None:
            self.init_versions[head[0]] = written
        pending = self._pending_changes
        if pending:
            pending.sort()
            rows, step, t = self.rows["changes"], self.step, self._now()
            for key in pending:
                rows.append((self._seq, step, t, key))
                self._seq += 1
            pending.clear()

    def change(self, key: str) -> None:
        """A flag change event for ``key``, held back until its operation ends."""
        if not self.closed:
            self._pending_changes.append(key)

    def change_event(self, event: Any) -> None:
        """:meth:`change` for an SDK's event object with a ``key``: the SDK's listener calls it for
        every event, and one call less per event is a point of replay rate."""
        if not self.closed:
            self._pending_changes.append(event.key)

    def store_status(self, available: bool, stale: bool) -> None:
        self.add("store_status", bool(available), bool(stale))
        if self.on_store_status is not None and not self.closed:
            self.on_store_status(self._now(), bool(available), bool(stale))

    def evaluation(self, flag: str, context: str, value: Any, reason: str) -> None:
        self.add("evaluations", flag, context, value, reason)

    def log(self, level: str, message: str) -> None:
        self.add("logs", level, message if self.scrub is None else self.scrub(message))

    def finish(self, store: Iterable[tuple]) -> None:
        """The run is over: keep the final store's rows (kind, key, version, deleted), sorted, and
        record nothing more (a client's own shutdown is outside the run)."""
        self.store = sorted(tuple(row) for row in store)
        self.closed = True

    # -- reading back (used by expectations and summaries) ------------------------------

    def column(self, frame: str, name: str) -> list:
        index = LAYOUTS[frame].index(name)
        return [row[index] for row in self.rows[frame]]

    def last(self, frame: str) -> dict | None:
        rows = self.rows[frame]
        return LAYOUTS[frame].as_dict(rows[-1]) if rows else None

    def dicts(self, frame: str) -> list[dict]:
        """The frame's rows as dicts (for readers that are not on a hot path)."""
        layout = LAYOUTS[frame]
        return [layout.as_dict(row) for row in self.rows[frame]]


def store_at(recording: Recording, step: int) -> list[tuple[str, str, int, bool]]:
    """The store's contents (kind, key, version, deleted) once ``step`` had run,
    rebuilt from the recorded operations: inits replace everything, applied
    writes set one item, ignored and failed ones change nothing. After the last
    step it is the final snapshot itself, which also shows what changed the
    store outside any operation (Go's infinite cache writing back on recovery);
    the steps between such a change and the end cannot show it."""
    if recording.store and step >= len(recording.step_times) - 1:
        return [tuple(row) for row in recording.store]
    contents: dict[tuple[str, str], tuple[int, bool]] = {}
    for op in recording.dicts("ops"):
        if op["step"] > step:
            break
        if op["outcome"] != "applied":
            continue
        if op["op"] == "init":
            contents = {(kind, key): (version, False)
                        for kind, key, version in recording.init_versions.get(op["seq"], [])}
        elif op["op"] in ("upsert", "delete"):
            contents[(op["kind"], op["key"])] = (op["stored_after"], op["op"] == "delete")
    return [(kind, key, version, deleted) for (kind, key), (version, deleted) in sorted(contents.items())]
