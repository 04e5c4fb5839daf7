"""Known differences between the targets, as data.

Each :class:`KnownDifference` is one row of the table in
``docs/differences.md`` (the table is rendered from this list: ``make docs``;
a test keeps the two the same). It says which targets differ, in which frames a
divergence shows it, and how to recognise it (``matches``, over a divergence
and the two runs behind it). ``harness diff`` and exploration mark each
divergence with the name of the first known difference that matches, or leave
it new.

A matcher reads a divergence through the :class:`DivergenceFacts` protocol:
this module does not import :mod:`harness.runs.diff`, which imports it to
classify what it finds, so the dependency goes one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from ..results.result import Result
from ..vocabulary.model import CACHE_FOREVER, Scenario
from ..vocabulary.values import target_family


class DivergenceFacts(Protocol):
    """What a matcher reads of a divergence: where two targets first differ, and the two runs behind it
    (:class:`harness.runs.diff.Divergence` is the one the kit makes)."""

    @property
    def scenario(self) -> Scenario: ...

    @property
    def left(self) -> str: ...

    @property
    def right(self) -> str: ...

    @property
    def frame(self) -> str: ...

    @property
    def step(self) -> int: ...

    @property
    def left_row(self) -> dict | None: ...

    @property
    def right_row(self) -> dict | None: ...

    @property
    def left_result(self) -> Result | None: ...

    @property
    def right_result(self) -> Result | None: ...

PYTHON = frozenset({"sdk", "sdk-async"})
GO_FAMILY = frozenset({"contract", "go", "go-v6"})  # the contract model follows Go where the docs are silent
EVERYONE = PYTHON | GO_FAMILY
COLUMNS = ("sdk", "sdk-async", "contract, go, go-v6")


@dataclass(frozen=True)
class KnownDifference:
    name: str
    what: str                           # the table's first column
    scenarios: tuple[str, ...]          # backing catalogue scenarios
    behaviour: tuple[str, str, str]     # per column of COLUMNS
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


# ----------------------------------------------------------------------------- what the matchers read

def _side(d: DivergenceFacts, group: frozenset):
    return d.left_result if target_family(d.left) in group else d.right_result


def _ops(result, upto: int, at_least: int = -1) -> list[dict]:
    return [op for op in result.recording.dicts("ops") if at_least <= op["step"] <= upto]


def _ignored_write_on_sdk(d: DivergenceFacts, before: bool = False) -> bool:
    ops = _ops(_side(d, frozenset({"sdk"})), d.step if not before else d.step - 1, -1 if before else d.step)
    return any(op["outcome"] == "ignored" and op["op"] in ("upsert", "delete") for op in ops)


def _python_state_before(d: DivergenceFacts) -> list[str]:
    return [row["state"] for row in _side(d, PYTHON).recording.dicts("status") if row["step"] <= d.step]


def _off_then_interrupted(d: DivergenceFacts) -> bool:
    states = _python_state_before(d)
    return bool(states) and states[-1] == "OFF" and "VALID" not in states


def _off_is_final(d: DivergenceFacts) -> bool:
    states = _python_state_before(d)
    return bool(states) and states[-1] == "OFF"


def _init_applied_on_go(d: DivergenceFacts) -> bool:
    return any(op["op"] == "init" and op["outcome"] == "applied" for op in _ops(_side(d, GO_FAMILY), d.step, d.step))


def _init_failed_only_on_python(d: DivergenceFacts) -> bool:
    python = {op["step"]: op for op in _ops(_side(d, PYTHON), d.step) if op["op"] == "init"}
    go = {op["step"]: op for op in _ops(_side(d, GO_FAMILY), d.step) if op["op"] == "init"}
    return any(op["outcome"] == "error" and go.get(step, {}).get("outcome") == "applied"
               for step, op in python.items())


def _only_stale_differs(d: DivergenceFacts) -> bool:
    a, b = d.left_row, d.right_row
    return a is not None and b is not None and a["available"] == b["available"] and a["stale"] != b["stale"]


def _availability_differs(d: DivergenceFacts) -> bool:
    return not _only_stale_differs(d)


def _evaluation_raised_on_sdk(d: DivergenceFacts) -> bool:
    rows = _side(d, frozenset({"sdk"})).recording.dicts("evaluations")
    return any(row["reason"].startswith("RAISED:") for row in rows if row["step"] <= d.step)


def _infinite_cache(d: DivergenceFacts) -> bool:
    """An infinite cache, and a write that failed on the Python side (Go would have kept it)."""
    failed = any(op["outcome"] == "error" for op in _ops(_side(d, PYTHON), d.step))
    return d.scenario.store.cache_ttl == CACHE_FOREVER and failed


def _exception_where_go_read_missing(d: DivergenceFacts) -> bool:
    """The Python side's evaluation failed with an exception where Go's went on."""
    mine, other = _side(d, PYTHON), _side(d, GO_FAMILY)
    python = [r for r in mine.recording.dicts("evaluations") if r["step"] <= d.step]
    go = [r for r in other.recording.dicts("evaluations") if r["step"] <= d.step]
    return any(p["reason"] == "ERROR:EXCEPTION" and g["reason"] != "ERROR:EXCEPTION" for p, g in zip(python, go))


def _failed_init_kept_cache(d: DivergenceFacts) -> bool:
    """A finite cache, and an init that failed on the Python side before the difference."""
    if d.scenario.store.cache_ttl == CACHE_FOREVER or d.scenario.store.type != "persistent":
        return False
    return any(op["op"] == "init" and op["outcome"] == "error" for op in _ops(_side(d, PYTHON), d.step))


def _store_status_twice_at_one_instant(d: DivergenceFacts) -> bool:
    """Go's side reports the store status twice at one instant (a poll and a write that fails, in its order)."""
    times = [row["t"] for row in _side(d, frozenset({"go", "go-v6"})).recording.dicts("store_status")]
    return len(times) != len(set(times))


def _async_never_reports_store_status(d: DivergenceFacts) -> bool:
    """sdk-async shows only its initial store status, while the other side reported a change."""
    mine = _side(d, frozenset({"sdk-async"})).recording.dicts("store_status")
    other = d.left_result if d.left != "sdk-async" else d.right_result
    return len(mine) == 1 and len(other.recording.dicts("store_status")) > 1


# ----------------------------------------------------------------------------- the table

KNOWN: tuple[KnownDifference, ...] = (
    KnownDifference(
        "events-for-ignored-writes",
        "change event for a write the store ignored (stale or same version)",
        ("versioning/stale_upsert_fires_change_event.yaml", "versioning/upsert_flag_same.yaml"),
        ("fires (`TODO(SDK-62)`: `FeatureStore.upsert` returns nothing); the "
         "`changes-only-for-applied-writes` checker reports it, pinned per scenario", "none", "none"),
        "all but sdk", (frozenset({"sdk"}), EVERYONE - {"sdk"}), ("changes",),
        lambda d: _ignored_write_on_sdk(d), (("changes-only-for-applied-writes", "sdk"),)),
    KnownDifference(
        "stale-write-rewrites-dependencies",
        "an ignored write rewrites the dependency graph",
        ("versioning/stale_delete_fires_change_event.yaml", "versioning/stale_upsert_rewrites_dependencies.yaml"),
        ("the graph takes the ignored item's word: after a stale delete of f2, no event for f2 when its "
         "prerequisite f1 changes; after an ignored upsert naming f1, an event for f2 that does not depend on it",
         "none; graph kept", "none; graph kept"),
        "all but sdk", (frozenset({"sdk"}), EVERYONE - {"sdk"}), ("changes",),
        lambda d: _ignored_write_on_sdk(d, before=True)),
    KnownDifference(
        "failure-raised-or-returned",
        "how a store failure is reported",
        ("differences/failure_raised_or_returned.yaml",),
        ("the store's exception is re-raised", "re-raised", "`Init`/`Upsert` return false"),
        "Go returns false; Python documents re-raising. Every side records outcome `error` and STORE_ERROR",
        None),
    KnownDifference(
        "interrupted-after-off",
        "INTERRUPTED after OFF, before any VALID",
        ("differences/interrupted_after_off.yaml",),
        ("stays OFF", "stays OFF", "INTERRUPTED, so the `interrupted-only-after-valid` checker fires"),
        "undocumented (INTERRUPTED \"means something only after a successful start\")",
        (PYTHON, GO_FAMILY), ("status",), _off_then_interrupted,
        tuple(("interrupted-only-after-valid", target) for target in sorted(GO_FAMILY))),
    KnownDifference(
        "off-is-final",
        "a status report after OFF",
        ("status/off_is_final.yaml",),
        ("dropped: OFF is final", "dropped", "broadcast"),
        "undocumented", (PYTHON, GO_FAMILY), ("status",), _off_is_final),
    KnownDifference(
        "outage-log-line",
        "outage logging",
        ("differences/outage_log_line.yaml", "differences/outage_log_off.yaml"),
        ("none", "none", "one ERROR line after `outage_log_after` (default 1m) counting errors by kind and "
                         "status code"),
        "Go's option `LogDataSourceOutageAsErrorAfter`", None),
    KnownDifference(
        "store-error-logged-once",
        "store error logging",
        ("differences/store_error_logged_once.yaml",),
        ("none from the sink", "none", "one WARNING per run of failed writes"),
        "Go's implementation", None),
    KnownDifference(
        "init-old-data-unreadable",
        "an init whose read of the old data fails (a listener is registered)",
        ("differences/init_when_old_data_cannot_be_read.yaml",),
        ("init not applied: outcome `error`, INTERRUPTED/STORE_ERROR", "as sdk",
         "failed read ignored, init applied, every flag of the new data reported changed"),
        "undocumented", (PYTHON, GO_FAMILY), ("status", "ops", "changes", "store", "evaluations"),
        _init_failed_only_on_python),
    KnownDifference(
        "init-events-for-tombstones",
        "change events of an init for a key that was a tombstone",
        ("differences/init_after_delete_events.yaml", "reconnects/reconnect_resends_current_data.yaml"),
        ("none (old data read without tombstones)", "none", "fires (Go's `GetAll` includes tombstones)"),
        "undocumented", (PYTHON, GO_FAMILY), ("changes",), _init_applied_on_go),
    KnownDifference(
        "async-store-not-monitored",
        "persistent store availability",
        ("outages/persistent_store_down_during_upsert.yaml",),
        ("unavailable on a failed operation, polled every 0.5 s",
         "never reported: the async data system does not wrap the store", "as sdk"),
        "sdk and Go", (frozenset({"sdk-async"}), EVERYONE - {"sdk-async"}), ("store_status",),
        _async_never_reports_store_status),
    KnownDifference(
        "needs-refresh-after-recovery",
        "store status after recovery",
        ("outages/persistent_store_down_during_upsert.yaml", "redis/outage_during_upsert.yaml"),
        ("`stale` false", "none",
         "`stale` true (`NeedsRefresh`: the store may have missed updates), unless the cache is infinite"),
        "Go documents `NeedsRefresh`", (frozenset({"sdk"}), GO_FAMILY), ("store_status",), _only_stale_differs),
    KnownDifference(
        "first-poll-timing",
        "first availability poll after a failure",
        ("outages/store_says_available_while_failing.yaml",),
        ("at once (`RepeatingTask` with no initial delay)", "none", "0.5 s later (a ticker)"),
        "undocumented", (frozenset({"sdk"}), GO_FAMILY), ("store_status",), _availability_differs),
    KnownDifference(
        "evaluation-raises-before-init",
        "an evaluation before init, on an uncached persistent store that cannot answer",
        ("differences/evaluation_before_init_store_cannot_answer.yaml",),
        ("the store's exception escapes from `variation_detail`", "default value, `ERROR:CLIENT_NOT_READY`",
         "default value, `ERROR:CLIENT_NOT_READY`"),
        "all but sdk (an evaluation returns the default on errors)", (frozenset({"sdk"}), EVERYONE - {"sdk"}),
        ("evaluations",), _evaluation_raised_on_sdk),
    KnownDifference(
        "store-error-in-a-nested-read",
        "a prerequisite or segment the store cannot read (found by `harness explore`)",
        ("outages/store_error_while_reading_a_segment_or_prerequisite.yaml",),
        ("the evaluation fails: default value, `ERROR:EXCEPTION`", "as sdk",
         "read as missing (the store wrapper logs the error): the rule does not match, the prerequisite fails"),
        "undocumented", (PYTHON, GO_FAMILY), ("evaluations",), _exception_where_go_read_missing),
    KnownDifference(
        "failed-init-empties-the-cache",
        "the store cache after an init fails (found by `harness explore`)",
        ("outages/failed_init_empties_the_cache.yaml",),
        ("kept: cached items are served until they expire", "as sdk",
         "emptied: the next read goes to the store (and fails while it is down)"),
        "undocumented", (PYTHON, GO_FAMILY), ("evaluations",), _failed_init_kept_cache),
    KnownDifference(
        "same-instant-order",
        "an availability poll and a failing write due at the same instant (found by `harness explore`)",
        ("outages/poll_and_reconnect_at_the_same_instant.yaml",),
        ("(polls at once after a failure: differs earlier)", "(not monitored)",
         "contract: timers in the order they were set (the write first); go: the poll first"),
        "neither: the order of simultaneous events is each implementation's own",
        (frozenset({"contract"}), frozenset({"go", "go-v6"})), ("store_status",),
        _store_status_twice_at_one_instant),
    KnownDifference(
        "infinite-cache-stale-write-back",
        "a stale write that fails in front of an infinite cache (found by `harness explore`)",
        ("outages/infinite_cache_writes_back_a_stale_write.yaml",),
        ("lost, as every failed write: the store keeps the newer version", "as sdk",
         "kept in the cache and written back on recovery, over the newer version: the stored version goes "
         "down, so the `versions-never-go-down` checker fires"),
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
         "`stale` false"),
        "Go's `CacheForever`", (PYTHON, GO_FAMILY), ("evaluations", "store", "changes", "ops"), _infinite_cache),
    KnownDifference(
        "redis-store",
        "a real Redis (`store: {type: redis}`): the SDK's own integration through a fault proxy",
        ("redis/outage_during_upsert.yaml",),
        ("`ldclient.integrations.Redis` (redis-py, no retries); a failed call raises the client's own error "
         "(`Error 111 connecting to <redis>. Connection refused.`)",
         "not run: the SDK's async Redis store talks through asyncio sockets, and the kit's virtual-time "
         "event loop never waits on a socket",
         "contract: a persistent store whose every operation fails in an outage; go, go-v6: "
         "go-server-sdk-redis-redigo v3 / v2 (`go@v6.0.0`: none supports it); `Upsert` returns false, the "
         "store's error (`dial tcp <redis>: connect: connection refused`) is logged"),
        "undocumented; outcomes, statuses and the final store agree, error texts and log lines differ",
        None),
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
             "|---|---|---|---|---|---|"]
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
