"""The simulated data source: plays a scenario's data-source steps into a sink.

It behaves as a streaming data source does: it pushes ``init``, ``upsert``,
``delete`` and status changes, survives whatever the sink raises (recording it
as the operation's outcome), reports a dropped connection as INTERRUPTED, and
on reconnect resends its whole current data set as one ``init``, then VALID.

It keeps its own view of the data — the newest version it has seen of every
item, tombstones included — which is what a real server would resend.

The source talks to a :class:`SinkPort`, a small target-neutral face of a
sink, so every target drives the same source. It is also the
``UpdateProcessor`` the SDK is handed (``start``/``stop``/``initialized``).

Faults are attributed at one boundary: a port marks each call into the real
sink with :func:`into_sink`, and only an exception raised there (by the sink
or the store under it) becomes an ``error`` outcome. Anything else raised
while the source works is a bug in the kit and surfaces as a traceback.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, TypeVar

from ..errors import HarnessError
from ..vocabulary.items import item_json, plain_json
from ..vocabulary.steps import Delete, Disconnect, Init, Reconnect, Status, Stop, Upsert
from ..vocabulary.values import ErrorInfo
from .clock import Timer, VirtualClock
from .recording import OPS, Recording

T = TypeVar("T")


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
    """A sink as the source sees it. Kinds are ``"flags"``/``"segments"``.

    A write reports failure by raising :class:`SinkRaised` (see :func:`into_sink`)
    or returning False; ``peek`` returns the stored record (tombstones
    included) or None, bypassing faults and caches. Records are compared by
    identity to tell an applied write from an ignored one, or by value when the
    port has ``compares_by_value = True``. A port with ``reports_records = True``
    returns ``(result, stored before, stored after)`` from each write instead
    of being peeked at around it.
    """

    def init(self, data: dict[str, dict[str, dict]]) -> Any: ...
    def upsert(self, kind: str, item: dict) -> Any: ...
    def delete(self, kind: str, key: str, version: int) -> Any: ...
    def update_status(self, state: str, error: ErrorInfo | None) -> Any: ...
    def peek(self, kind: str, key: str) -> Any: ...


class SimulatedDataSource:
    """Drives a :class:`SinkPort` step by step and records every call it makes."""

    def __init__(self, port: SinkPort, recording: Recording, clock: VirtualClock, ready=None):
        self.port = port
        self.recording = recording
        self.clock = clock
        self.ready = ready
        # kind -> key -> (version, item JSON or None for a tombstone)
        self.view: dict[str, dict[str, tuple[int, dict | None]]] = {"flags": {}, "segments": {}}
        self._initialized = False
        self._reconnect: Timer | None = None
        # An out-of-process port hands back a fresh record each time: compare by value.
        self._by_value = getattr(port, "compares_by_value", False)
        # ...and answers each write with the stored records around it, saving two round trips.
        self._reports_records = getattr(port, "reports_records", False)
        self._peek = None if self._reports_records else port.peek

    # -- UpdateProcessor surface (what the SDK calls) ------------------------------------

    def start(self) -> None:
        """The scenario's steps drive the source; nothing happens on start."""

    def stop(self) -> None:
        """Called by ``LDClient.close()`` after the run; the run is no longer recorded."""
        self._cancel_reconnect()

    def initialized(self) -> bool:
        return self._initialized

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
        self._cancel_reconnect()
        self._send_status("INTERRUPTED", action.error)
        if action.reconnect_after is not None:
            self._reconnect = self.clock.call_later(action.reconnect_after, self._reconnect_now, "reconnect")

    def reconnect(self, action: Reconnect | None = None) -> None:
        self._cancel_reconnect()
        self._reconnect_now()

    def stop_source(self, action: Stop) -> None:
        self._cancel_reconnect()
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
        self._reconnect = None
        data = {kind: {key: item for key, (_, item) in entries.items() if item is not None}
                for kind, entries in self.view.items()}
        if self._send_init(data):
            self._send_status("VALID", None)

    def _send_init(self, data: dict[str, dict[str, dict]]) -> bool:
        ok = self._write("init", None, None, None, self.port.init, data)
        if ok and not self.recording.closed:
            seq = self.recording.rows["ops"][-1][OPS.seq]
            self.recording.init_versions[seq] = [(kind, key, item["version"])
                                                 for kind, items in data.items() for key, item in items.items()]
        if ok:
            self._initialized = True
            if self.ready is not None:
                self.ready.set()
        return ok

    def _send_status(self, state: str, error: ErrorInfo | None) -> None:
        row = self.recording.op_started("status")
        outcome, message = "applied", None
        try:
            self.port.update_status(state, error)
        except SinkRaised as e:
            outcome, message = "error", str(e)
        reported = state if error is None else f"{state} {error.kind}"
        self.recording.op_finished(row, outcome, message, reported=reported)

    def _write(self, op: str, kind: str | None, key: str | None, version: int | None, call, *args) -> bool:
        """Make one write, and read its outcome from the store: applied when the
        stored record changed, ignored when it did not, error when the call failed."""
        recording = self.recording
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
            if self._reports_records:  # (result, stored before, stored after) in one answer
                returned, before, after = returned
            outcome, error = "applied", None
            if returned is False:
                outcome, error = "error", "the sink reported failure"
        if peek is not None:
            after = peek(kind, key)
        unchanged = after is before or (self._by_value and after == before)
        if outcome == "applied" and key is not None and unchanged:
            outcome = "ignored"
        recording.op_finished(row, outcome, error, None if before is None else before["version"],
                              None if after is None else after["version"])
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
        self.source.stop_source(action)
