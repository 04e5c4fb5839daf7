"""An executable model of the ``DataSourceUpdateSink`` contract, used as the oracle.

Follows the Go SDK's documentation of ``DataSourceUpdateSink`` and, where the
documentation is silent, its implementation (``DataSourceUpdatesImpl``). Pure:
no SDK, no pandas, no YAML; time comes from a
:class:`~harness.replay.clock.VirtualClock`.

The rules, in one place each:

- :func:`.store.accepts` — the version rule: a write lands only over a lower
  version (a delete is a write of a tombstone, so a stale update cannot
  resurrect).
- :data:`STATUS_RULES` — how a reported state becomes the stored state.
- :meth:`ContractSink.update_status` — when a report is a change (new state, or
  an error), when ``since`` moves (only with the state) and that the last error
  is kept until a new one comes.
- :class:`ContractSink` — Init and Upsert report a store failure by returning
  False (and set INTERRUPTED/STORE_ERROR); change events come only for writes
  that landed, with their dependents (:mod:`.dependencies`: prerequisites and
  segment rules).
- :class:`.store.ModelStore` — the store, and what Go's persistent store
  wrapper adds: a read cache (finite or infinite) and availability polling.
- :class:`.outage.OutageTracker` — an outage longer than ``log_after`` logs one
  ERROR line counting the errors by kind and status code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...replay.clock import VirtualClock
from ...vocabulary.values import KINDS, ErrorInfo
from .dependencies import DependencyGraph
from .outage import OutageTracker
from .store import ModelStore, Record

# (current state, reported state) -> state the sink keeps; any other pair keeps the report.
STATUS_RULES: dict[tuple[str, str], str] = {
    # INTERRUPTED means something only after a successful start.
    ("INITIALIZING", "INTERRUPTED"): "INITIALIZING",
}


@dataclass(frozen=True)
class DataSourceStatus:
    """The data source status the sink keeps."""

    state: str
    since: int                                    # microseconds since the epoch
    error: tuple[str, int, str, int] | None = None  # kind, status code, message, time


class ContractSink:
    """The contract's sink: Init/Upsert return False on a store failure instead of raising."""

    def __init__(self, store: ModelStore, clock: VirtualClock, *, on_status: Callable[[DataSourceStatus], None],
                 on_change: Callable[[str], None], log: Callable[[str, str], None], outage_log_after: int):
        self.store = store
        self.clock = clock
        self.on_status = on_status
        self.on_change = on_change
        self.log = log
        self.listening = False
        self.status = DataSourceStatus("INITIALIZING", clock.now)
        self.graph = DependencyGraph()
        self.outage = OutageTracker(clock, outage_log_after, log)
        self._last_write_failed = False

    # -- data ------------------------------------------------------------------------

    def init(self, data: dict[str, dict[str, Record]]) -> bool:
        old: dict[str, dict[str, Record]] | None = None
        if self.listening:
            old = {}
            for kind in KINDS:
                try:
                    old[kind] = self.store.all_records(kind)
                except Exception:
                    pass  # Go ignores a failed read: that kind counts as empty, so every new key changes
        if not self._store_call(lambda: self.store.init(data)):
            return False
        self.graph.reset(data)
        if old is not None:
            affected: set[tuple[str, str]] = set()
            for kind in KINDS:
                before_kind, after_kind = old.get(kind, {}), data.get(kind, {})
                for key in sorted(set(before_kind) | set(after_kind)):
                    before, after = before_kind.get(key), after_kind.get(key)
                    if before is None or after is None or before["version"] < after["version"]:
                        affected |= self.graph.affected(kind, key)
            self._send(affected)
        return True

    def upsert(self, kind: str, item: Record) -> bool:
        return self._write(kind, item["key"], item)

    def delete(self, kind: str, key: str, version: int) -> bool:
        return self._write(kind, key, {"key": key, "version": version, "deleted": True})

    def _write(self, kind: str, key: str, record: Record) -> bool:
        landed: list[bool] = []
        if not self._store_call(lambda: landed.append(self.store.upsert(kind, key, record))):
            return False
        if landed[0]:
            self.graph.update(kind, key, record)
            if self.listening:
                self._send(self.graph.affected(kind, key))
        return True

    def _store_call(self, call: Callable[[], Any]) -> bool:
        try:
            call()
        except Exception as e:
            self.update_status("INTERRUPTED", ErrorInfo("STORE_ERROR", 0, str(e)))
            if not self._last_write_failed:
                self.log("WARNING", "Unexpected data store error when trying to store an update received "
                                    f"from the data source: {e}")
            self._last_write_failed = True
            return False
        self._last_write_failed = False
        return True

    def _send(self, affected: set[tuple[str, str]]) -> None:
        for kind, key in sorted(affected):
            if kind == "flags":
                self.on_change(key)

    # -- status ----------------------------------------------------------------------

    def update_status(self, state: str, error: ErrorInfo | None) -> None:
        old = self.status
        state = STATUS_RULES.get((old.state, state), state)
        if state == old.state and error is None:
            return
        since = old.since if state == old.state else self.clock.now
        last_error = old.error if error is None else (error.kind, error.status_code, error.message, self.clock.now)
        self.status = DataSourceStatus(state, since, last_error)
        self.outage.track(state, error)
        self.on_status(self.status)
