"""The simulated data source: plays a scenario's data-source steps into a sink.

It behaves as a streaming data source does: it pushes ``init``, ``upsert``,
``delete`` and status changes, survives whatever the sink raises (recording it
as the operation's outcome), reports a dropped connection as INTERRUPTED, and
on reconnect resends its whole current data set as one ``init``, then VALID.

It keeps its own view of the data — the newest version it has seen of every
item, tombstones included — which is what a real server would resend: the
kit's "server's current data" is the newest version of every item the scenario
has sent, and a resend leaves the tombstones out.

When the store comes back after an outage it reacts as the scenario's
``source.on_store_recovery`` says (by default as the target's SDK's own
streaming source does): nothing, or a *restart* (see :mod:`.reactions`).

The source talks to a :class:`SinkPort`, a small target-neutral face of a
sink, so every target drives the same source. A port answers at once (in
process) or later (a driver in another process, which answers a batch of
calls at a time: see :class:`PendingOp`).

Faults are attributed at one boundary: a port marks each call into the real
sink with :func:`into_sink`, and only an exception raised there (by the sink
or the store under it) becomes an ``error`` outcome. Anything else raised
while the source works is a bug in the kit and surfaces as a traceback.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, TypeVar

from ..errors import HarnessError
from ..vocabulary.items import item_json, plain_json
from ..vocabulary.model import SourceConfig
from ..vocabulary.steps import Delete, Disconnect, Init, Reconnect, Status, Stop, Upsert
from ..vocabulary.values import ErrorInfo
from .clock import Timer, VirtualClock
from .reactions import OrderedRestart, StoreRecovery
from .recording import Recording

T = TypeVar("T")

SINK_REPORTED_FAILURE = "the sink reported failure"


class SinkRaised(Exception):
    """The sink (or the store under it) raised ``cause``: the call's outcome is an error."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause) or type(cause).__name__)
        self.cause = cause


def into_sink(call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, a call into the implementation under test: what it raises is the call's
    outcome (:class:`SinkRaised`). The kit's own alarms (:class:`~harness.errors.HarnessError`,
    such as real time being used) pass through untouched, as does anything raised while the
    kit works out ``args``. (A function, not a context manager: it runs on every write.)"""
    try:
        return call(*args)
    except HarnessError:
        raise
    except Exception as e:
        raise SinkRaised(e) from e


class SinkPort(Protocol):
    """A sink as the source sees it: ``init``, ``upsert``, ``delete``, ``status`` and ``peek``, the
    names of the steps. Kinds are ``"flags"``/``"segments"``.

    In process, each call is made at once. A write reports failure by raising
    :class:`SinkRaised` (see :func:`into_sink`) or returning False; ``peek``
    returns the stored record (tombstones included) or None, past faults and
    caches. The source peeks around each write: a changed record (by identity,
    or by value when the port has ``compares_by_value = True``) means the
    write was applied, an unchanged one that it was ignored.

    A port with ``pipelined = True`` answers later: each call takes one more
    argument, a :class:`PendingOp`, which the port opens when the call's
    answer starts to come in and closes with the answer; ``flush()`` waits for
    every answer. Its ``status`` also takes ``if_ok``, an earlier operation: the
    status is reported only if that one did not fail (a reconnect reports VALID
    only once its init landed, without waiting for the answer). It needs no
    ``peek``.
    """

    def init(self, data: dict[str, dict[str, dict]]) -> Any: ...
    def upsert(self, kind: str, item: dict) -> Any: ...
    def delete(self, kind: str, key: str, version: int) -> Any: ...
    def status(self, state: str, error: ErrorInfo | None) -> Any: ...
    def peek(self, kind: str, key: str) -> Any: ...


class PendingOp:
    """One operation a pipelined port answers later.

    It remembers the step and virtual time it was made at. :meth:`open` puts its
    row in the recording's order, before the rows it caused; :meth:`close`
    records its outcome from the answer.
    """

    __slots__ = ("recording", "op", "kind", "key", "version", "step", "t", "head", "ok", "written", "reported",
                 "then", "id")

    def __init__(self, recording: Recording, op: str, kind: str | None = None, key: str | None = None,
                 version: int | None = None, written: list | None = None, reported: str | None = None,
                 then: Callable[[bool], None] | None = None):
        self.recording = recording
        self.op, self.kind, self.key, self.version = op, kind, key, version
        self.step, self.t = recording.step, recording.now()
        self.head: tuple | None = None
        self.ok: bool | None = None  # None until answered
        self.written, self.reported, self.then = written, reported, then
        self.id: int | None = None  # the command that makes it, once a port has sent it

    def open(self) -> None:
        if self.head is None:
            self.head = self.recording.op_started(self.op, self.kind, self.key, self.version, self.step, self.t)

    def skip(self) -> None:
        """The operation was not made (the one it depended on failed): nothing is recorded."""
        self.ok = False

    def close(self, ok: bool, error: str | None = None, before: int | None = None, after: int | None = None,
              changed: bool = True) -> None:
        """The answer: ``ok`` false for a failed call (``error`` says why); for a write, the stored
        version ``before`` and ``after`` it, and whether the stored record ``changed``."""
        self.open()
        if not ok:
            outcome = "error"
            error = error or SINK_REPORTED_FAILURE
        else:
            outcome, error = ("ignored" if self.key is not None and not changed else "applied"), None
        self.ok = ok
        self.recording.op_finished(self.head, outcome, error, before, after, self.reported,
                                   self.written if ok else None)
        if self.then is not None:
            self.then(ok)


class SimulatedDataSource:
    """Drives a :class:`SinkPort` step by step and records every call it makes.

    ``attach`` gives it the port when the target has one (an SDK hands its sink
    over only while the client is being built). ``ready`` is told when the
    source first initializes or stops, as an SDK waits for its data source.
    ``settings`` (the scenario's ``source``, resolved for the target: see
    :meth:`SourceConfig.resolved`) say how it reacts to the store coming back;
    by default it does nothing.
    """

    def __init__(self, recording: Recording, clock: VirtualClock, port: SinkPort | None = None,
                 settings: SourceConfig | None = None):
        self.recording = recording
        self.clock = clock
        # kind -> key -> (version, item JSON or None for a tombstone)
        self.view: dict[str, dict[str, tuple[int, dict | None]]] = {"flags": {}, "segments": {}}
        self.initialized = False
        self.connected = True  # the stream is up: not dropped (disconnect) nor stopped
        self.ready: Any = None
        self.pipelined = False
        self._reconnect: Timer | None = None
        mode = "nothing" if settings is None else settings.on_store_recovery
        self.recovery = None if mode in (None, "nothing") else StoreRecovery(self, mode, settings.restart_after)
        if port is not None:
            self.attach(port)

    def attach(self, port: SinkPort, ready: Any = None) -> None:
        """Speak to the sink through ``port``; ``ready`` (an object with ``set()``) is told as above."""
        self.port = port
        self.ready = ready
        self._pipelined = self.pipelined = getattr(port, "pipelined", False)
        # An out-of-process port hands back a fresh record each time: compare by value.
        self._by_value = getattr(port, "compares_by_value", False)
        self._peek = None if self._pipelined else port.peek
        if self.recovery is not None and "store_status" in getattr(port, "unavailable", ()):
            # its SDK reports no store status (Node's FDv1 client), so the store is never seen back
            self.recovery.close()
            self.recovery = None
            self.recording.on_store_status = None
        elif self.recovery is not None and "store_recovery" in getattr(port, "reacts", ()):
            self.recovery = OrderedRestart(self, self.recovery.mode, self.recovery.delay)

    def close(self) -> None:
        """The run is over: a scheduled reconnect never comes."""
        self._cancel_reconnect()
        if self.recovery is not None:
            self.recovery.close()

    def store_faults(self, faulted: bool, answers: bool) -> None:
        """The kit's store faults changed (a store_down is on: ``faulted``; the store ``answers`` its
        availability check). Only a pipelined port's world need say so: see :mod:`.reactions`."""
        if self.recovery is not None:
            self.recovery.store_faults(faulted, answers)

    def store_touched(self) -> None:
        """A write or an evaluation is on its way to the store (see :mod:`.reactions`)."""
        if self.recovery is not None:
            self.recovery.touch()

    def restart_at(self, due: int) -> None:
        """Restart the stream (see :mod:`.reactions`): at ``due``, reconnect and resend the whole data
        set, with no status reported before. Only a stream that is up restarts (a dropped one is
        reconnecting already, a stopped one never will), and only once: a restart or reconnect
        already scheduled stands."""
        if self.connected and self._reconnect is None:
            self._reconnect = self.clock.call_at(due, self._reconnect_now, "restart")

    def made(self, message: dict, step: int) -> None:
        """A sink call of a restart that the driver made itself, as ordered (see :mod:`.reactions`),
        during ``step``: recorded as the source's own call would be."""
        op = message["made"]
        if op == "init":
            pending = PendingOp(self.recording, op, written=[tuple(w) for w in message["written"]],
                                then=self._initialized)
        else:  # the VALID that follows an init that landed
            pending = PendingOp(self.recording, op, reported=message["state"])
        pending.step, pending.t = step, message["t"]
        pending.close(message.get("ok", True), message.get("error"))

    def _settle(self) -> None:
        """Before the connection changes, judge the store status rows a pipelined port owes."""
        if self.recovery is not None:
            self.recovery.settle()

    def _connection_changed(self) -> None:
        if self.recovery is not None:
            self.recovery.connection(self.connected)

    # -- steps ---------------------------------------------------------------------------

    def init(self, action: Init) -> None:
        data: dict[str, dict[str, dict]] = {"flags": {}, "segments": {}}
        for item in action.flags + action.segments:
            data[item.kind][item.key] = item_json(item)
        self.view = {kind: {key: (item["version"], item) for key, item in items.items()}
                     for kind, items in data.items()}
        self._send_init(data)

    def upsert(self, action: Upsert) -> None:
        item = action.item
        self._remember(item.kind, item.key, item.version, item_json(item))

    def delete(self, action: Delete) -> None:
        self._remember(action.kind, action.key, action.version, None)

    def write_plain(self, action: str, kind: str, key: str, version: int) -> None:
        """An upsert or delete (``action``) of one item by version alone, given as its row (see ``Steps``)."""
        self._remember(kind, key, version, plain_json(kind, key, version) if action == "upsert" else None)

    def status(self, action: Status) -> None:
        self._send_status(action.state, action.error)

    def disconnect(self, action: Disconnect) -> None:
        self._settle()
        self._cancel_reconnect()
        self.connected = False
        self._connection_changed()
        self._send_status("INTERRUPTED", action.error)
        if action.reconnect_after is not None:
            self._reconnect = self.clock.call_later(action.reconnect_after, self._reconnect_now, "reconnect")

    def reconnect(self, action: Reconnect | None = None) -> None:
        self._settle()
        self._cancel_reconnect()
        self._reconnect_now()

    def stop(self, action: Stop) -> None:
        self._settle()
        self._cancel_reconnect()
        self.connected = False
        self._connection_changed()
        self._send_status("OFF", None)
        if self.ready is not None:
            self.ready.set()

    # -- the calls on the sink -----------------------------------------------------------

    def _remember(self, kind: str, key: str, version: int, item: dict | None) -> None:
        known = self.view[kind].get(key)
        if known is None or known[0] < version:
            self.view[kind][key] = (version, item)
        if item is None:
            self._write("delete", kind, key, version, self.port.delete, kind, key, version)
        else:
            self._write("upsert", kind, key, version, self.port.upsert, kind, item)

    def _reconnect_now(self) -> None:
        self._settle()
        self._reconnect = None
        self.connected = True
        self._connection_changed()
        data = {kind: {key: item for key, (_, item) in entries.items() if item is not None}
                for kind, entries in self.view.items()}
        ok = self._send_init(data, resend=True)
        if isinstance(ok, PendingOp):  # answered later: VALID goes with it, to be reported only if the init lands
            self._send_status("VALID", None, if_ok=ok)
        elif ok:
            self._send_status("VALID", None)

    def _send_init(self, data: dict[str, dict[str, dict]], resend: bool = False) -> bool | PendingOp:
        """Whether the init landed, or the operation a pipelined port answers later. ``resend``: the
        data is the source's own view, sent again (a reconnect or a restart)."""
        written = [(kind, key, item["version"]) for kind, items in data.items() for key, item in items.items()]
        if self._pipelined:
            self.store_touched()
            pending = PendingOp(self.recording, "init", written=written, then=self._initialized)
            self.port.init(data, pending, resend)
            return pending
        ok = self._write("init", None, None, None, self.port.init, data, written=written)
        self._initialized(ok)
        return ok

    def _initialized(self, ok: bool) -> None:
        self.initialized = ok or self.initialized
        if ok and self.ready is not None:
            self.ready.set()

    def _send_status(self, state: str, error: ErrorInfo | None, if_ok: PendingOp | None = None) -> None:
        reported = state if error is None else f"{state} {error.kind}"
        if self._pipelined:
            self.port.status(state, error, PendingOp(self.recording, "status", reported=reported), if_ok)
            return
        row = self.recording.op_started("status")
        outcome, message = "applied", None
        try:
            self.port.status(state, error)
        except SinkRaised as e:
            outcome, message = "error", str(e)
        self.recording.op_finished(row, outcome, message, reported=reported)

    def _write(self, op: str, kind: str | None, key: str | None, version: int | None, call, *args,
               written: list | None = None) -> bool:
        """Make one write, and read its outcome from the store: applied when the
        stored record changed, ignored when it did not, error when the call failed."""
        recording = self.recording
        if self._pipelined:
            self.store_touched()
            call(*args, PendingOp(recording, op, kind, key, version))
            return True
        row = recording.op_started(op, kind, key, version)
        peek = None if key is None else self._peek
        before = after = None
        if peek is not None:
            before = peek(kind, key)
        try:
            returned = call(*args)
        except SinkRaised as e:  # the SDK's own sources survive a failing store, and so do we
            outcome, error = "error", str(e)
        else:
            outcome, error = "applied", None
            if returned is False:
                outcome, error = "error", SINK_REPORTED_FAILURE
        if peek is not None:
            after = peek(kind, key)
        unchanged = after is before or (self._by_value and after == before)
        if outcome == "applied" and key is not None and unchanged:
            outcome = "ignored"
        recording.op_finished(row, outcome, error, None if before is None else before["version"],
                              None if after is None else after["version"], None,
                              written if outcome == "applied" else None)
        return outcome != "error"

    def _cancel_reconnect(self) -> None:
        if self._reconnect is not None:
            self._reconnect.cancel()
            self._reconnect = None


class SourceSteps:
    """The data-source steps of a world, done by its :class:`SimulatedDataSource`.

    A world mixes this in and sets ``self.source``; a subclass may override any
    of these methods (or subclass the source) to change one step's meaning.
    """

    source: SimulatedDataSource

    def on_init(self, action: Init) -> None:
        self.source.init(action)

    def on_upsert(self, action: Upsert) -> None:
        self.source.upsert(action)

    def on_delete(self, action: Delete) -> None:
        self.source.delete(action)

    def on_plain_write(self, action: str, kind: str, key: str, version: int) -> None:
        """A plain write (an upsert or delete by version alone) as its row; see ``play``."""
        self.source.write_plain(action, kind, key, version)

    def on_status(self, action: Status) -> None:
        self.source.status(action)

    def on_disconnect(self, action: Disconnect) -> None:
        self.source.disconnect(action)

    def on_reconnect(self, action: Reconnect) -> None:
        self.source.reconnect(action)

    def on_stop(self, action: Stop) -> None:
        self.source.stop(action)
