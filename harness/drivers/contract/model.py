"""An executable model of the ``DataSourceUpdateSink`` contract, used as the oracle.

Follows the Go SDK's documentation of ``DataSourceUpdateSink`` and, where the
documentation is silent, its implementation (``DataSourceUpdatesImpl``). Pure:
no SDK, no pandas, no YAML; time comes from a :class:`~harness.clock.VirtualClock`.

The rules, in one place each:

- :func:`accepts` — the version rule: a write lands only over a lower version
  (a delete is a write of a tombstone, so a stale update cannot resurrect).
- :data:`STATUS_RULES` — how a reported state becomes the stored state.
- :meth:`ContractSink.update_status` — when a report is a change (new state, or
  an error), when ``since`` moves (only with the state) and that the last error
  is kept until a new one comes.
- Init and Upsert report a store failure by returning False (and set
  INTERRUPTED/STORE_ERROR); change events come only for writes that landed,
  with their dependents through prerequisites and segment rules.
- :class:`OutageTracker` — an outage longer than ``log_after`` logs one ERROR
  line counting the errors by kind and status code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...replay.clock import Timer, VirtualClock
from ...replay.faults import Faults
from ...vocabulary.model import ErrorInfo

Record = dict  # a stored item's JSON, or a tombstone {"key", "version", "deleted": True}
KINDS = ("flags", "segments")

DEFAULT_CACHE_TTL = 15_000_000  # microseconds, as the SDKs' persistent store cache
AVAILABILITY_POLL = 500_000      # the persistent store wrapper polls every 0.5 s


def accepts(stored: Record | None, version: int) -> bool:
    """The version rule: write only over nothing or a strictly lower version."""
    return stored is None or stored["version"] < version


# (current state, reported state) -> state the sink keeps; any other pair keeps the report.
STATUS_RULES: dict[tuple[str, str], str] = {
    # INTERRUPTED means something only after a successful start.
    ("INITIALIZING", "INTERRUPTED"): "INITIALIZING",
}


@dataclass(frozen=True)
class DataSourceStatus:
    state: str
    since: int                                    # microseconds since the epoch
    error: tuple[str, int, str, int] | None = None  # kind, status code, message, time


# ----------------------------------------------------------------------------- dependencies

def dependencies(kind: str, item: Record | None) -> set[tuple[str, str]]:
    """What an item depends on: prerequisite flags and segments named in segmentMatch clauses."""
    if item is None or item.get("deleted"):
        return set()
    deps: set[tuple[str, str]] = set()
    if kind == "flags":
        deps |= {("flags", p["key"]) for p in item.get("prerequisites") or []}
    for rule in item.get("rules") or []:
        for clause in rule.get("clauses") or []:
            if clause.get("op") == "segmentMatch":
                deps |= {("segments", v) for v in clause.get("values") or [] if isinstance(v, str)}
    return deps


class DependencyGraph:
    """Who depends on whom, to find every item affected by a change."""

    def __init__(self) -> None:
        self.depends_on: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def reset(self, data: dict[str, dict[str, Record]]) -> None:
        self.depends_on = {}
        for kind, items in data.items():
            for key, item in items.items():
                self.update(kind, key, item)

    def update(self, kind: str, key: str, item: Record | None) -> None:
        self.depends_on[(kind, key)] = dependencies(kind, item)

    def affected(self, kind: str, key: str) -> set[tuple[str, str]]:
        found = {(kind, key)}
        frontier = [(kind, key)]
        while frontier:
            target = frontier.pop()
            for item, deps in self.depends_on.items():
                if target in deps and item not in found:
                    found.add(item)
                    frontier.append(item)
        return found


# ----------------------------------------------------------------------------- the store

FOREVER = "forever"


class ModelStore:
    """Versioned items with tombstones and faults, and what Go's
    ``persistentDataStoreWrapper`` adds to a persistent store:

    - a read cache of single items and of each kind's whole list, with a TTL
      (``0``: none; ``"forever"``: infinite). A successful init refills it;
      an applied write updates its item and, with a finite TTL, drops the
      kind's list so that the next read refreshes it;
    - with an infinite cache, a failed init or write still goes into the
      cache, and the store is rewritten from the cache when it recovers;
    - availability monitoring: unavailable after a failed operation, polled
      every 0.5 s (the first poll 0.5 s after the failure) until it answers
      again, then available with ``stale`` (Go's ``NeedsRefresh``) set,
      unless the cache is infinite.
    """

    def __init__(self, faults: Faults, clock: VirtualClock, *, persistent: bool, cache_ttl: int | str | None,
                 on_status: Callable[[bool, bool], None], log: Callable[[str, str], None] = lambda *_: None):
        self.faults = faults
        self.clock = clock
        self.persistent = persistent
        self.forever = persistent and cache_ttl == FOREVER
        self.ttl = 0 if not persistent or self.forever else DEFAULT_CACHE_TTL if cache_ttl is None else cache_ttl
        self.cached = self.forever or self.ttl > 0
        self.on_status = on_status
        self.log = log
        self.data: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
        self.cache: dict[tuple[str, str], tuple[Record | None, int]] = {}  # (kind, key) -> (record, written)
        self.lists: dict[str, tuple[dict[str, Record], int]] = {}         # kind -> (records, written)
        self.initialized = False
        self.core_initialized = False  # the store under the cache has been written whole
        self.init_checked: int | None = None  # when a "not initialized" answer was cached (Go's initCheckedKey)
        self.available = True
        self._poll: Timer | None = None

    # -- availability ------------------------------------------------------------------

    def _guard(self, op: str) -> None:
        try:
            self.faults.check(op)
        except Exception:
            if self.persistent and self.available:
                self.available = False
                self.on_status(False, False)
                # Go's poller ticks first one interval after the failure (a ticker, not "at once").
                self._poll = self.clock.call_later(AVAILABILITY_POLL, self._check_availability, "availability poll")
            raise

    def _check_availability(self) -> None:
        if not self.faults.available:
            self._poll = self.clock.call_later(AVAILABILITY_POLL, self._check_availability, "availability poll")
            return
        if self.forever:  # the cache holds the newest data: write it back
            try:
                self._write_all({kind: records for kind, (records, _) in self.lists.items()})
            except Exception as e:
                self.log("ERROR", f"Tried to write cached data to persistent store after a store outage, but "
                                  f"failed: {e}")
            else:
                self.log("WARNING", "Successfully updated persistent store from cached data")
        self.available = True
        self._poll = None
        # Go: NeedsRefresh unless the cache is infinite (the data may have missed updates).
        self.on_status(True, not self.forever)

    # -- the cache ---------------------------------------------------------------------

    def _fresh(self, written: int) -> bool:
        # Go's cache (go-cache) drops an entry only once the clock is past its expiry: at exactly
        # the TTL it still answers.
        return self.forever or self.clock.now - written <= self.ttl

    def _cache_item(self, kind: str, key: str, record: Record | None) -> None:
        if self.cached:
            self.cache[(kind, key)] = (record, self.clock.now)

    def _cache_list(self, kind: str, records: dict[str, Record]) -> None:
        if self.cached:
            self.lists[kind] = (dict(records), self.clock.now)

    def _fill_cache(self, data: dict[str, dict[str, Record]]) -> None:
        for kind in KINDS:
            self._cache_list(kind, data.get(kind, {}))
            for key, item in data.get(kind, {}).items():
                self._cache_item(kind, key, item)

    # -- operations --------------------------------------------------------------------

    def _write_all(self, data: dict[str, dict[str, Record]]) -> None:
        self._guard("init")
        self.data = {kind: dict(data.get(kind, {})) for kind in KINDS}
        self.core_initialized = True

    def is_initialized(self) -> bool:
        """Go's ``IsInitialized``: true once known; else the store under the cache is asked
        (it cannot answer while ``get`` fails), and a "no" is remembered as long as the cache keeps entries."""
        if self.initialized:
            return True
        if self.init_checked is not None and self._fresh(self.init_checked):
            return False
        answer = self.core_initialized and not self.faults.fails("get")
        if answer:
            self.initialized, self.init_checked = True, None
        elif self.cached:
            self.init_checked = self.clock.now
        return answer

    def init(self, data: dict[str, dict[str, Record]]) -> None:
        try:
            self._write_all(data)
        except Exception:
            self.cache.clear()
            self.lists.clear()
            if self.forever:  # keep the data in the cache, to write back on recovery
                self._fill_cache(data)
                self.initialized = True
            raise
        self.cache.clear()
        self.lists.clear()
        self._fill_cache(data)
        self.initialized = True

    def upsert(self, kind: str, key: str, record: Record) -> bool:
        """Write ``record`` if the version rule allows; True when it landed."""
        try:
            self._guard("delete" if record.get("deleted") else "upsert")
        except Exception:
            if self.forever:  # Go keeps the write in an infinite cache, to write back on recovery
                self._cache_item(kind, key, record)
                records = dict(self.lists[kind][0]) if kind in self.lists else {}
                records[key] = record
                self._cache_list(kind, records)
            raise
        stored = self.data[kind].get(key)
        if not accepts(stored, record["version"]):
            if self.cached:  # Go drops the entries and reads the item again
                self.cache.pop((kind, key), None)
                self.lists.pop(kind, None)
                try:
                    self.get(kind, key)
                except Exception:
                    pass
            return False
        self.data[kind][key] = record
        self._cache_item(kind, key, record)
        if self.forever and kind in self.lists:
            records = dict(self.lists[kind][0])
            records[key] = record
            self._cache_list(kind, records)
        else:
            self.lists.pop(kind, None)
        return True

    def get(self, kind: str, key: str) -> Record | None:
        """The live item, or None (missing or deleted); served from the cache while fresh."""
        cached = self.cache.get((kind, key))
        if cached is not None and self._fresh(cached[1]):
            record = cached[0]
        else:
            self._guard("get")
            record = self.data[kind].get(key)
            self._cache_item(kind, key, record)
        return None if record is None or record.get("deleted") else record

    def all_records(self, kind: str) -> dict[str, Record]:
        """Every record of a kind, tombstones included (as Go's GetAll); from the cache while fresh."""
        cached = self.lists.get(kind)
        if cached is not None and self._fresh(cached[1]):
            return dict(cached[0])
        self._guard("all")
        records = dict(self.data[kind])
        self._cache_list(kind, records)
        return records

    def peek(self, kind: str, key: str) -> Record | None:
        return self.data[kind].get(key)


# ----------------------------------------------------------------------------- outage logging

def go_duration(micros: int) -> str:
    """A duration as Go's time.Duration prints it (1m0s, 30s, 500ms, 1h0m0s)."""
    if micros < 1_000_000:
        return f"{micros // 1000}ms" if micros % 1000 == 0 else f"{micros}µs"
    seconds, rest = divmod(micros, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    sec = f"{seconds}" + (f".{rest:06d}".rstrip("0") if rest else "") + "s"
    if hours:
        return f"{hours}h{minutes}m{sec}"
    if minutes:
        return f"{minutes}m{sec}"
    return sec


class OutageTracker:
    """Counts errors while the data source is in an outage; logs once if it lasts."""

    def __init__(self, clock: VirtualClock, log_after: int, log: Callable[[str, str], None]):
        self.clock = clock
        self.log_after = log_after
        self.log = log
        self.counts: dict[tuple[str, int], int] = {}
        self.timer: Timer | None = None
        self.in_outage = False

    def track(self, state: str, error: ErrorInfo | None) -> None:
        if self.log_after == 0:
            return
        if state == "INTERRUPTED" or error is not None or (state == "INITIALIZING" and self.in_outage):
            if not self.in_outage:
                self.in_outage = True
                self.counts = {}
                self.timer = self.clock.call_later(self.log_after, self._timed_out, "outage log")
            kind, code = (error.kind, error.status_code) if error is not None else ("UNKNOWN", 0)
            self.counts[(kind, code)] = self.counts.get((kind, code), 0) + 1
        else:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            self.in_outage = False

    def _timed_out(self) -> None:
        self.timer = None
        parts = []
        for (kind, code), count in sorted(self.counts.items()):
            label = f"{kind}({code})" if code else kind
            parts.append(f"{label} ({count} {'time' if count == 1 else 'times'})")
        self.log("ERROR", "LaunchDarkly data source outage - updates have been unavailable for at least "
                          f"{go_duration(self.log_after)} with the following errors: {', '.join(parts)}")


# ----------------------------------------------------------------------------- the sink

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
