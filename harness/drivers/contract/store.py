"""The contract model's store: versioned items with tombstones and faults, and what Go's
``persistentDataStoreWrapper`` adds to a persistent store (a read cache, availability monitoring).

:func:`accepts` is the version rule every write goes through.
"""

from __future__ import annotations

from typing import Callable

from ...replay.clock import Timer, VirtualClock
from ...replay.faults import Faults
from ...vocabulary.model import CACHE_FOREVER
from ...vocabulary.values import KINDS

Record = dict  # a stored item's JSON, or a tombstone {"key", "version", "deleted": True}

DEFAULT_CACHE_TTL = 15_000_000  # microseconds, as the SDKs' persistent store cache
AVAILABILITY_POLL = 500_000      # the persistent store wrapper polls every 0.5 s


def accepts(stored: Record | None, version: int) -> bool:
    """The version rule: write only over nothing or a strictly lower version."""
    return stored is None or stored["version"] < version


class ModelStore:
    """Versioned items with tombstones and faults, and what Go's
    ``persistentDataStoreWrapper`` adds to a persistent store:

    - a read cache of single items and of each kind's whole list, with a TTL
      (``0``: none; :data:`~harness.vocabulary.model.CACHE_FOREVER`: infinite). A successful init refills it;
      an applied write updates its item and, with a finite TTL, drops the
      kind's list so that the next read refreshes it;
    - with an infinite cache, a failed init or write still goes into the
      cache, and the store is rewritten from the cache when it recovers;
    - availability monitoring: unavailable after a failed operation, polled
      every 0.5 s (the first poll 0.5 s after the failure) until it answers
      again, then available with ``stale`` (Go's ``NeedsRefresh``) set,
      unless the cache is infinite.

    The two forms a core may keep a tombstone in (the scenario's
    ``tombstones``: serialized, or a version and a deleted flag) read alike
    in Go's wrapper (its ``deserialize`` takes either for a tombstone of that
    version), so the model keeps one form for both.
    """

    def __init__(self, faults: Faults, clock: VirtualClock, *, persistent: bool, cache_ttl: int | str | None,
                 on_status: Callable[[bool, bool], None], log: Callable[[str, str], None] = lambda *_: None):
        self.faults = faults
        self.clock = clock
        self.persistent = persistent
        self.forever = persistent and cache_ttl == CACHE_FOREVER
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
