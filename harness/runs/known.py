"""Known differences between the targets, as data.

Each :class:`KnownDifference` is one row of the table in
``docs/differences.md`` (the table is rendered from this list: ``make docs``;
a test keeps the two the same). It says which targets differ, in which frames a
divergence shows it, and how to recognise it (``matches``, over a divergence
and the two runs behind it: :mod:`.known_matchers`). ``harness diff`` and
exploration mark each divergence with the name of the first known difference
that matches, or leave it new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..vocabulary.values import target_family
from .known_matchers import (COLUMNS, EVERYONE, GO_FAMILY, NO_STATUS, NO_STORE_STATUS, NODE, PYTHON, SDK_AND_NODE,
                             DivergenceFacts, async_never_reports_store_status, availability_differs,
                             evaluation_raised_on_sdk, exception_where_go_read_missing, failed_init_kept_cache,
                             ignored_write_dropped_from_go_cache, ignored_write_on, infinite_cache, init_applied_on_go,
                             init_failed_only_on_python,
                             node_dropped_a_store_error, node_fired_for_a_write_not_stored, node_read_missing,
                             node_served_a_deleted_flag, off_is_final, off_then_interrupted, only_stale_differs,
                             restarted_after_store_recovery, store_status_twice_at_one_instant)

__all__ = ["COLUMNS", "DivergenceFacts", "KNOWN", "KnownDifference", "classify", "render_table", "write_docs"]


@dataclass(frozen=True)
class KnownDifference:
    name: str
    what: str                           # the table's first column
    scenarios: tuple[str, ...]          # backing catalogue scenarios
    behaviour: tuple[str, str, str, str]  # per column of COLUMNS
    follows: str                        # which side follows the documented contract
    sides: tuple[frozenset, frozenset] | None  # a divergence between one of each; None: diff cannot see it
    frames: tuple[str, ...] = ()
    matches: Callable[[DivergenceFacts], bool] = field(default=lambda d: True, compare=False)
    violations: tuple[tuple[str, str], ...] = ()  # (checker, target) violations this difference explains

    def explains(self, divergence: DivergenceFacts) -> bool:
        if self.sides is None or divergence.frame not in self.frames:
            return False
        a, b = self.sides
        pair = (target_family(divergence.left), target_family(divergence.right))  # a release, as its target
        if not ((pair[0] in a and pair[1] in b) or (pair[0] in b and pair[1] in a)):
            return False
        return self.matches(divergence)


# ----------------------------------------------------------------------------- the table

KNOWN: tuple[KnownDifference, ...] = (
    KnownDifference(
        "events-for-ignored-writes",
        "change event for a write the store ignored (stale or same version)",
        ("versioning/stale_upsert_fires_change_event.yaml", "versioning/upsert_flag_same.yaml"),
        ("fires (`TODO(SDK-62)`: `FeatureStore.upsert` returns nothing); the "
         "`changes-only-for-applied-writes` checker reports it, pinned per scenario", "none", "none",
         "none over a live item (the versions are compared); see `node-events-for-writes-not-stored`"),
        "all but sdk", (frozenset({"sdk"}), EVERYONE - {"sdk"}), ("changes",),
        lambda d: ignored_write_on(d, frozenset({"sdk"})), (("changes-only-for-applied-writes", "sdk"),)),
    KnownDifference(
        "stale-write-rewrites-dependencies",
        "an ignored write rewrites the dependency graph",
        ("versioning/stale_delete_fires_change_event.yaml", "versioning/stale_upsert_rewrites_dependencies.yaml"),
        ("the graph takes the ignored item's word: after a stale delete of f2, no event for f2 when its "
         "prerequisite f1 changes; after an ignored upsert naming f1, an event for f2 that does not depend on it",
         "none; graph kept", "none; graph kept",
         "as sdk (`DataSourceUpdates` always updates its dependency tracker), with no event for the ignored "
         "write itself"),
        "sdk-async, contract, go", (SDK_AND_NODE, EVERYONE - SDK_AND_NODE), ("changes",),
        lambda d: ignored_write_on(d, SDK_AND_NODE, before=True)),
    KnownDifference(
        "failure-raised-or-returned",
        "how a store failure is reported",
        ("differences/failure_raised_or_returned.yaml",),
        ("the store's exception is re-raised", "re-raised", "`Init`/`Upsert` return false",
         "not at all: see `node-store-errors-dropped`"),
        "Go returns false; Python documents re-raising. Every side but node records outcome `error` and "
        "STORE_ERROR", None),
    KnownDifference(
        "node-store-errors-dropped",
        "a store failure during a sink call (found by running the catalogue on node)",
        ("differences/failure_raised_or_returned.yaml", "outages/memory_store_down_during_upsert.yaml",
         "outages/failed_init_is_served_from_the_cache.yaml"),
        ("outcome `error` (the exception is re-raised)", "as sdk", "outcome `error` (false returned)",
         "never reported: the store's callback may carry an error, which `DataSourceUpdates` drops, so the "
         "call looks done (outcome `applied` for an init, `ignored` for a write the store did not take) and its "
         "change events fire; the persistent store wrapper takes a failed init as done and serves its data "
         "from the cache"),
        "all but node (Node's store interface lets a store report the error)", (NODE, EVERYONE - NODE), ("ops",),
        node_dropped_a_store_error),
    KnownDifference(
        "interrupted-after-off",
        "INTERRUPTED after OFF, before any VALID",
        ("differences/interrupted_after_off.yaml",),
        ("stays OFF", "stays OFF", "INTERRUPTED, so the `interrupted-only-after-valid` checker fires", NO_STATUS),
        "undocumented (INTERRUPTED \"means something only after a successful start\")",
        (PYTHON, GO_FAMILY), ("status",), off_then_interrupted,
        tuple(("interrupted-only-after-valid", target) for target in sorted(GO_FAMILY))),
    KnownDifference(
        "off-is-final",
        "a status report after OFF",
        ("status/off_is_final.yaml",),
        ("dropped: OFF is final", "dropped", "broadcast", NO_STATUS),
        "undocumented", (PYTHON, GO_FAMILY), ("status",), off_is_final),
    KnownDifference(
        "outage-log-line",
        "outage logging",
        ("differences/outage_log_line.yaml", "differences/outage_log_off.yaml"),
        ("none", "none", "one ERROR line after `outage_log_after` (default 1m) counting errors by kind and "
                         "status code", "none"),
        "Go's option `LogDataSourceOutageAsErrorAfter`", None),
    KnownDifference(
        "store-error-logged-once",
        "store error logging",
        ("differences/store_error_logged_once.yaml",),
        ("none from the sink", "none", "one WARNING per run of failed writes",
         "none from the sink (it never hears of the error); the persistent store wrapper logs one ERROR a failed "
         "upsert"),
        "Go's implementation", None),
    KnownDifference(
        "init-old-data-unreadable",
        "an init whose read of the old data fails (a listener is registered)",
        ("differences/init_when_old_data_cannot_be_read.yaml",),
        ("init not applied: outcome `error`, INTERRUPTED/STORE_ERROR", "as sdk",
         "failed read ignored, init applied, every flag of the new data reported changed",
         "as Go (a failed read answers no data)"),
        "undocumented", (PYTHON, GO_FAMILY | NODE), ("status", "ops", "changes", "store", "evaluations"),
        init_failed_only_on_python),
    KnownDifference(
        "init-events-for-tombstones",
        "change events of an init for a key that was a tombstone",
        ("differences/init_after_delete_events.yaml", "reconnects/reconnect_resends_current_data.yaml"),
        ("none (old data read without tombstones)", "none", "fires (Go's `GetAll` includes tombstones)",
         "none (the store's `all` hides tombstones)"),
        "undocumented", (PYTHON | NODE, GO_FAMILY), ("changes",), init_applied_on_go),
    KnownDifference(
        "async-store-not-monitored",
        "persistent store availability",
        ("outages/persistent_store_down_during_upsert.yaml",),
        ("unavailable on a failed operation, polled every 0.5 s",
         "never reported: the async data system does not wrap the store", "as sdk", NO_STORE_STATUS),
        "sdk and Go", (frozenset({"sdk-async"}), EVERYONE - {"sdk-async"}), ("store_status",),
        async_never_reports_store_status),
    KnownDifference(
        "needs-refresh-after-recovery",
        "store status after recovery",
        ("outages/persistent_store_down_during_upsert.yaml", "redis/outage_during_upsert.yaml"),
        ("`stale` false", "none",
         "`stale` true (`NeedsRefresh`: the store may have missed updates), unless the cache is infinite",
         NO_STORE_STATUS),
        "Go documents `NeedsRefresh`", (frozenset({"sdk"}), GO_FAMILY), ("store_status",), only_stale_differs),
    KnownDifference(
        "restart-after-store-recovery",
        "what the streaming source does when the store comes back after an outage",
        ("reconnects/store_recovery_restarts_the_stream.yaml", "reconnects/store_recovery_resends_a_lost_patch.yaml",
         "reconnects/store_recovery_after_an_infinite_cache.yaml", "redis/outage_during_upsert.yaml"),
        ("nothing: `StreamingUpdateProcessor` never listens to the store's status, so a run that lost writes in "
         "the outage stays INTERRUPTED with them lost (`source: {on_store_recovery: restart}` asks what if it "
         "did)", "nothing (`AsyncStreamingUpdateProcessor`; no store status either)",
         "restarts the stream when the store comes back needing refresh (`stale`), unless an infinite cache wrote "
         "itself back: 1 s later (`restart_after`) the server's whole data again, then VALID "
         "(`StreamProcessor.consumeStream`; the contract follows Go)",
         "nothing (`StreamingProcessor`; no store status)"),
        "Go (the documented contract is silent)", (EVERYONE, EVERYONE),  # the matcher tells who restarted
        ("status", "ops", "changes", "store", "evaluations", "store_status"), restarted_after_store_recovery),
    KnownDifference(
        "first-poll-timing",
        "first availability poll after a failure",
        ("outages/store_says_available_while_failing.yaml",),
        ("at once (`RepeatingTask` with no initial delay)", "none", "0.5 s later (a ticker)", NO_STORE_STATUS),
        "undocumented", (frozenset({"sdk"}), GO_FAMILY), ("store_status",), availability_differs),
    KnownDifference(
        "evaluation-raises-before-init",
        "an evaluation before init, on an uncached persistent store that cannot answer",
        ("differences/evaluation_before_init_store_cannot_answer.yaml",),
        ("the store's exception escapes from `variation_detail`", "default value, `ERROR:CLIENT_NOT_READY`",
         "default value, `ERROR:CLIENT_NOT_READY`", "default value, `ERROR:CLIENT_NOT_READY`"),
        "all but sdk (an evaluation returns the default on errors)", (frozenset({"sdk"}), EVERYONE - {"sdk"}),
        ("evaluations",), evaluation_raised_on_sdk),
    KnownDifference(
        "node-read-error-is-missing",
        "an evaluation whose flag the store cannot read (found by running the catalogue on node)",
        ("outages/uncached_store_outage.yaml", "outages/cached_evaluations_during_outage.yaml"),
        ("default value, `ERROR:EXCEPTION`", "as sdk", "as sdk",
         "default value, `ERROR:FLAG_NOT_FOUND`: Node's store interface has no way to fail a read, so a read "
         "that fails finds nothing (and nothing is logged)"),
        "all but node (an error is not a missing flag)", (NODE, EVERYONE - NODE), ("evaluations",),
        node_read_missing),
    KnownDifference(
        "node-deleted-flag-cached",
        "a delete through a core that keeps tombstones as a version and a deleted flag (`tombstones: flag`)",
        ("differences/deleted_flag_served_from_the_cache.yaml",),
        ("deleted at once (the core interface has one form: the option changes nothing)", "as sdk",
         "deleted at once, with the flag form kept in the core (measured on go and go-v6): Go's wrapper caches "
         "the tombstone it wrote and reads both forms alike",
         "the deleted flag stays in the store wrapper's cache and is served until the entry expires: the "
         "wrapper files the core's answer, which has no serialized item, under the bare key"),
        "all but node (the interface allows the flag form)", (NODE, EVERYONE - NODE), ("evaluations",),
        node_served_a_deleted_flag),
    KnownDifference(
        "store-error-in-a-nested-read",
        "a prerequisite or segment the store cannot read (found by `harness explore`)",
        ("outages/store_error_while_reading_a_segment_or_prerequisite.yaml",),
        ("the evaluation fails: default value, `ERROR:EXCEPTION`", "as sdk",
         "read as missing (the store wrapper logs the error): the rule does not match, the prerequisite fails",
         "read as missing, as Go (nothing logged)"),
        "undocumented", (PYTHON, GO_FAMILY | NODE), ("evaluations",), exception_where_go_read_missing),
    KnownDifference(
        "failed-init-empties-the-cache",
        "the store cache after an init fails (found by `harness explore`)",
        ("outages/failed_init_empties_the_cache.yaml",),
        ("kept: cached items are served until they expire", "as sdk",
         "emptied: the next read goes to the store (and fails while it is down)",
         "filled with the failed init's data (see `node-store-errors-dropped`)"),
        "undocumented", (PYTHON, GO_FAMILY), ("evaluations",), failed_init_kept_cache),
    KnownDifference(
        "ignored-write-rereads-the-store",
        "the store cache after a write the store ignored, while it cannot be read (found by the fuzz property)",
        ("outages/ignored_write_rereads_the_store.yaml",),
        ("kept: the wrapper caches the item the store kept", "as sdk",
         "dropped: the wrapper takes the ignored write for a change made elsewhere and reads the item again; "
         "while the store cannot be read, evaluations fail", "kept, as sdk"),
        "undocumented", (GO_FAMILY, PYTHON | NODE), ("evaluations",), ignored_write_dropped_from_go_cache),
    KnownDifference(
        "same-instant-order",
        "an availability poll and a failing write due at the same instant (found by `harness explore`)",
        ("outages/poll_and_reconnect_at_the_same_instant.yaml",),
        ("(polls at once after a failure: differs earlier)", "(not monitored)",
         "contract: timers in the order they were set (the write first); go: the poll first", NO_STORE_STATUS),
        "neither: the order of simultaneous events is each implementation's own",
        (frozenset({"contract"}), frozenset({"go", "go-v6"})), ("store_status", "status", "ops"),
        store_status_twice_at_one_instant),  # status, ops: a restart's init meets a poll so (found by explore)
    KnownDifference(
        "infinite-cache-stale-write-back",
        "a stale write that fails in front of an infinite cache (found by `harness explore`)",
        ("outages/infinite_cache_writes_back_a_stale_write.yaml",),
        ("lost, as every failed write: the store keeps the newer version", "as sdk",
         "kept in the cache and written back on recovery, over the newer version: the stored version goes "
         "down, so the `versions-never-go-down` checker fires", "as sdk"),
        # The store ends differently, which the infinite-cache row already explains: this row is for the checker.
        "sdk: a version never goes down", None,
        violations=tuple(("versions-never-go-down", target) for target in sorted(GO_FAMILY))),
    KnownDifference(
        "infinite-cache",
        "an infinite cache (`cache_ttl: forever`)",
        ("outages/infinite_cache_writes_back.yaml", "redis/recovery_with_a_cache.yaml"),
        ("no such mode: the nearest is a TTL that never runs out; failed writes are lost, old data keeps "
         "being served", "as sdk",
         "failed writes kept in the cache and served; the cache is written back to the store on recovery; "
         "`stale` false", "as sdk (the store wrapper's TTL is `Infinity` seconds)"),
        "Go's `CacheForever`", (PYTHON, GO_FAMILY), ("evaluations", "store", "changes", "ops"), infinite_cache),
    KnownDifference(
        "redis-store",
        "a real Redis (`store: {type: redis}`): the SDK's own integration through a fault proxy",
        ("redis/outage_during_upsert.yaml",),
        ("`ldclient.integrations.Redis` (redis-py, no retries); a failed call raises the client's own error "
         "(`Error 111 connecting to <redis>. Connection refused.`)",
         "`Redis.async_feature_store` (redis.asyncio, no retries) on the virtual-time loop, which waits "
         "for Redis's replies while virtual time stands still; a pooled connection the proxy reset fails "
         "with `Connection closed by server.`; the store is never reported unavailable "
         "(`async-store-not-monitored`)",
         "contract: a persistent store whose every operation fails in an outage; go, go-v6: "
         "go-server-sdk-redis-redigo v3 / v2 (`go@v6.0.0`: none supports it); `Upsert` returns false, the "
         "store's error (`dial tcp <redis>: connect: connection refused`) is logged",
         "not run: the node driver builds the in-memory and the persistent store only"),
        "undocumented; outcomes, statuses and the final store agree, error texts and log lines differ",
        None),
    KnownDifference(
        "node-events-for-writes-not-stored",
        "change event for a write the store did not take, over a tombstone or failed (found by running the "
        "catalogue on node)",
        ("versioning/tombstone_blocks_resurrection.yaml",),
        ("fires for every ignored write (see `events-for-ignored-writes`)", "none", "none",
         "fires: the event comes from comparing the new version with the item read before the write, and that "
         "read hides a tombstone and cannot tell a failed write; the `changes-only-for-applied-writes` checker "
         "reports it, pinned per scenario"),
        "sdk-async, contract, go", (NODE, EVERYONE - NODE), ("changes",), node_fired_for_a_write_not_stored,
        (("changes-only-for-applied-writes", "node"),)),
)


def classify(divergence: DivergenceFacts) -> str | None:
    """The name of the first known difference that explains ``divergence``, or None (a new one)."""
    for known in KNOWN:
        if known.explains(divergence):
            return known.name
    return None


def render_table() -> str:
    """The table of docs/differences.md, from :data:`KNOWN`."""
    lines = ["| what differs | scenario | " + " | ".join(COLUMNS) + " | follows the documented contract |",
             "|---" * (len(COLUMNS) + 3) + "|"]
    for known in KNOWN:
        scenarios = ", ".join(f"`{s}`" for s in known.scenarios)
        cells = [known.what, scenarios, *known.behaviour, known.follows]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


TABLE_START = "<!-- known differences: rendered from harness/runs/known.py by `make docs` -->"
TABLE_END = "<!-- end of known differences -->"


def write_docs(path: str = "docs/differences.md") -> None:
    """Rewrite the table between the markers of docs/differences.md from :data:`KNOWN`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    before, rest = text.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(before + TABLE_START + "\n" + render_table() + "\n" + TABLE_END + after)
