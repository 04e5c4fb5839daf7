"""What a run observed, as plain rows (tuples and lists), in global order.

A target fills a :class:`Recording` while it runs; DataFrames are built from
it once, at the end (``frames.py``). Every row starts with ``seq`` (global
order), ``step`` (the scenario step running; -1 for set-up) and ``t`` (virtual
time, microseconds since the epoch). Times inside rows are microseconds too.

Flag change events of one operation are held back and recorded sorted by key
when the operation ends, so the order never depends on set iteration order
(and so on ``PYTHONHASHSEED``).
"""

from __future__ import annotations

from typing import Any, Callable

STATUS = ("state", "since", "error_kind", "status_code", "error_message", "error_time")
OPS = ("op", "kind", "key", "version", "outcome", "error", "stored_before", "stored_after", "reported")
CHANGES = ("key",)
STORE_STATUS = ("available", "stale")
EVALUATIONS = ("flag", "context", "value", "reason")
LOGS = ("level", "message")
STORE = ("kind", "key", "version", "deleted")

FRAMES: dict[str, tuple[str, ...]] = {
    "status": STATUS, "ops": OPS, "changes": CHANGES, "store_status": STORE_STATUS,
    "evaluations": EVALUATIONS, "logs": LOGS,
}


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
        self.rows: dict[str, list] = {name: [] for name in FRAMES}
        self.store: list[tuple] = []
        self.step_times: list[int] = []  # virtual time at which each step began (after at/after)
        self.init_versions: dict[int, list[tuple[str, str, int]]] = {}  # init op seq -> what it wrote
        self._pending_changes: list[str] = []

    def add(self, frame: str, *values: Any) -> None:
        """Append one row to ``frame`` (a tuple, which the garbage collector soon stops tracking)."""
        if self.closed:
            return
        self.rows[frame].append((self._seq, self.step, self._now()) + values)
        self._seq += 1

    # -- the observations -------------------------------------------------------------

    def status(self, state: str, since: int, error: tuple | None) -> None:
        """``error``: (kind, status_code, message, time in microseconds) or None."""
        self.add("status", state, since, *(error or (None, None, None, None)))

    def op_started(self, op: str, kind: str | None = None, key: str | None = None,
                   version: int | None = None) -> tuple | None:
        """Reserve the operation's place in the order; rows it causes come after it."""
        if self.closed:
            return None
        head = (self._seq, self.step, self._now(), op, kind, key, version)
        self._seq += 1
        return head

    def op_finished(self, head: tuple | None, outcome: str, error: str | None = None,
                    stored_before: int | None = None, stored_after: int | None = None,
                    reported: str | None = None) -> None:
        """``stored_before``/``stored_after``: the stored version of the key around the call;
        ``reported``: what a status call reported (``INTERRUPTED NETWORK_ERROR``)."""
        if head is not None and not self.closed:
            self.rows["ops"].append(head + (outcome, error, stored_before, stored_after, reported))

    def change(self, key: str) -> None:
        if not self.closed:
            self._pending_changes.append(key)

    def flush_changes(self) -> None:
        pending, self._pending_changes = self._pending_changes, []
        for key in sorted(pending):
            self.add("changes", key)

    def store_status(self, available: bool, stale: bool) -> None:
        self.add("store_status", bool(available), bool(stale))

    def evaluation(self, flag: str, context: str, value: Any, reason: str) -> None:
        self.add("evaluations", flag, context, value, reason)

    def log(self, level: str, message: str) -> None:
        self.add("logs", level, message)

    # -- reading back (used by expectations and summaries) ------------------------------

    def column(self, frame: str, name: str) -> list:
        index = 3 + FRAMES[frame].index(name)
        return [row[index] for row in self.rows[frame]]

    def last(self, frame: str) -> dict | None:
        rows = self.rows[frame]
        if not rows:
            return None
        return dict(zip(("seq", "step", "t") + FRAMES[frame], rows[-1]))


def store_at(recording: Recording, step: int) -> list[tuple[str, str, int, bool]]:
    """The store's contents (kind, key, version, deleted) once ``step`` had run,
    rebuilt from the recorded operations: inits replace everything, applied
    writes set one item, ignored and failed ones change nothing."""
    names = ("seq", "step", "t") + OPS
    contents: dict[tuple[str, str], tuple[int, bool]] = {}
    for values in recording.rows["ops"]:
        op = dict(zip(names, values))
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
