"""What the known differences' matchers read of a divergence (:mod:`harness.runs.known` holds the table).

A matcher reads a divergence through the :class:`DivergenceFacts` protocol:
neither module imports :mod:`harness.runs.diff`, which imports them to
classify what it finds, so the dependency goes one way.
"""

from __future__ import annotations

from typing import Protocol

from ..drivers.registry import get_target
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
NODE = frozenset({"node"})
EVERYONE = PYTHON | GO_FAMILY | NODE
COLUMNS = ("sdk", "sdk-async", "contract, go, go-v6", "node")
SDK_AND_NODE = frozenset({"sdk", "node"})  # sinks whose dependency graph takes an ignored write's word
NO_STATUS = "no status: not available on this target"
NO_STORE_STATUS = "no store status: not available on this target"



# ----------------------------------------------------------------------------- what the matchers read

def _side(d: DivergenceFacts, group: frozenset):
    """The run of the side in ``group``."""
    return d.left_result if target_family(d.left) in group else d.right_result


def _other(d: DivergenceFacts, group: frozenset):
    """The run of the side not in ``group``."""
    return d.right_result if target_family(d.left) in group else d.left_result


def _row(d: DivergenceFacts, group: frozenset) -> dict | None:
    """The divergent row of the side in ``group`` (None: it has no such row)."""
    return d.left_row if target_family(d.left) in group else d.right_row


def _other_row(d: DivergenceFacts, group: frozenset) -> dict | None:
    return d.right_row if target_family(d.left) in group else d.left_row


def _ops(result, upto: int, at_least: int = -1) -> list[dict]:
    return [op for op in result.recording.dicts("ops") if at_least <= op["step"] <= upto]


def ignored_write_on(d: DivergenceFacts, group: frozenset, before: bool = False) -> bool:
    """The side in ``group`` had a write the store ignored: at the divergence's step, or (``before``) earlier."""
    ops = _ops(_side(d, group), d.step if not before else d.step - 1, -1 if before else d.step)
    return any(op["outcome"] == "ignored" and op["op"] in ("upsert", "delete") for op in ops)


def _python_state_before(d: DivergenceFacts) -> list[str]:
    return [row["state"] for row in _side(d, PYTHON).recording.dicts("status") if row["step"] <= d.step]


def off_then_interrupted(d: DivergenceFacts) -> bool:
    states = _python_state_before(d)
    return bool(states) and states[-1] == "OFF" and "VALID" not in states


def off_is_final(d: DivergenceFacts) -> bool:
    states = _python_state_before(d)
    return bool(states) and states[-1] == "OFF"


def init_applied_on_go(d: DivergenceFacts) -> bool:
    return any(op["op"] == "init" and op["outcome"] == "applied" for op in _ops(_side(d, GO_FAMILY), d.step, d.step))


def init_failed_only_on_python(d: DivergenceFacts) -> bool:
    python = {op["step"]: op for op in _ops(_side(d, PYTHON), d.step) if op["op"] == "init"}
    go = {op["step"]: op for op in _ops(_other(d, PYTHON), d.step) if op["op"] == "init"}
    return any(op["outcome"] == "error" and go.get(step, {}).get("outcome") == "applied"
               for step, op in python.items())


def only_stale_differs(d: DivergenceFacts) -> bool:
    a, b = d.left_row, d.right_row
    return a is not None and b is not None and a["available"] == b["available"] and a["stale"] != b["stale"]


def availability_differs(d: DivergenceFacts) -> bool:
    return not only_stale_differs(d)


def evaluation_raised_on_sdk(d: DivergenceFacts) -> bool:
    rows = _side(d, frozenset({"sdk"})).recording.dicts("evaluations")
    return any(row["reason"].startswith("RAISED:") for row in rows if row["step"] <= d.step)


def infinite_cache(d: DivergenceFacts) -> bool:
    """An infinite cache, and a write that failed on the Python side (Go would have kept it)."""
    failed = any(op["outcome"] == "error" for op in _ops(_side(d, PYTHON), d.step))
    return d.scenario.store.cache_ttl == CACHE_FOREVER and failed


def exception_where_go_read_missing(d: DivergenceFacts) -> bool:
    """The Python side's evaluation failed with an exception where Go's went on."""
    mine, other = _side(d, PYTHON), _other(d, PYTHON)
    python = [r for r in mine.recording.dicts("evaluations") if r["step"] <= d.step]
    go = [r for r in other.recording.dicts("evaluations") if r["step"] <= d.step]
    return any(p["reason"] == "ERROR:EXCEPTION" and g["reason"] != "ERROR:EXCEPTION" for p, g in zip(python, go))


def failed_init_kept_cache(d: DivergenceFacts) -> bool:
    """A finite cache, and an init that failed on the Python side before the difference."""
    if d.scenario.store.cache_ttl == CACHE_FOREVER or d.scenario.store.type != "persistent":
        return False
    return any(op["op"] == "init" and op["outcome"] == "error" for op in _ops(_side(d, PYTHON), d.step))


def ignored_write_dropped_from_go_cache(d: DivergenceFacts) -> bool:
    """A finite cache, and a write the store ignored on Go's side before the difference (Go's wrapper
    then drops the item from its cache and reads it again)."""
    store = d.scenario.store
    if store.type != "persistent" or store.cache_ttl in (CACHE_FOREVER, 0):
        return False
    return any(op["op"] in ("upsert", "delete") and op["outcome"] == "ignored"
               for op in _ops(_side(d, GO_FAMILY), d.step))


def store_status_twice_at_one_instant(d: DivergenceFacts) -> bool:
    """Go's side reports the store status twice at one instant (a poll and a write that fails, in its order)."""
    times = [row["t"] for row in _side(d, frozenset({"go", "go-v6"})).recording.dicts("store_status")]
    return len(times) != len(set(times))


def async_never_reports_store_status(d: DivergenceFacts) -> bool:
    """sdk-async shows only its initial store status, while the other side reported a change."""
    mine = _side(d, frozenset({"sdk-async"})).recording.dicts("store_status")
    other = d.left_result if d.left != "sdk-async" else d.right_result
    return len(mine) == 1 and len(other.recording.dicts("store_status")) > 1


def node_dropped_a_store_error(d: DivergenceFacts) -> bool:
    """Node's call is no error where the other side's is: the store failed, and Node's sink never heard."""
    mine, other = _row(d, NODE), _other_row(d, NODE)
    return (mine is not None and other is not None and mine["op"] == other["op"]
            and other["outcome"] == "error" and mine["outcome"] != "error")


def node_read_missing(d: DivergenceFacts) -> bool:
    """Node's evaluation found no flag where the other side's read failed."""
    mine, other = _row(d, NODE), _other_row(d, NODE)
    return (mine is not None and other is not None and mine["reason"] == "ERROR:FLAG_NOT_FOUND"
            and other["reason"] == "ERROR:EXCEPTION")


def node_fired_for_a_write_not_stored(d: DivergenceFacts) -> bool:
    """Node sent a change event the other side did not, at a step whose write the store did not take."""
    return _row(d, NODE) is not None and ignored_write_on(d, NODE)


def node_served_a_deleted_flag(d: DivergenceFacts) -> bool:
    """A core keeping tombstones as a flag, and Node's evaluation found a flag the other side found deleted."""
    mine, other = _row(d, NODE), _other_row(d, NODE)
    return (d.scenario.store.tombstones == "flag" and other is not None
            and other["reason"] == "ERROR:FLAG_NOT_FOUND" and (mine is None or mine["reason"] != other["reason"]))


def _store_recovery(scenario: Scenario, target: str) -> str:
    """How the source reacted to the store coming back on ``target``: the scenario's setting, else the
    target's own (see harness.replay.reactions)."""
    return scenario.source.on_store_recovery or getattr(get_target(target_family(target)), "store_recovery",
                                                        "nothing")


def _restarted_before(result, mode: str, delay: int, step: int) -> bool:
    """The run restarted its stream at or before ``step``: an init exactly ``delay`` after a store status
    that came back from unavailable (stale, for ``restart_if_stale``)."""
    due, down = set(), False
    for row in result.recording.dicts("store_status"):
        if row["available"] and down and (mode == "restart" or row["stale"]):
            due.add(row["t"] + delay)
        down = not row["available"]
    return any(op["op"] == "init" and op["t"] in due for op in _ops(result, step))


def restarted_after_store_recovery(d: DivergenceFacts) -> bool:
    """One side's source restarted its stream after the store came back, before the divergence, and the
    other's did not: they react differently (each target's own reaction), or only one of them could see
    the store come back (sdk-async and node report no store status, so even ``restart`` has nothing to
    react to there; Python's wrapper never reports ``stale``, which ``restart_if_stale`` waits for)."""
    modes = {side: _store_recovery(d.scenario, side) for side in (d.left, d.right)}
    delay = d.scenario.source.restart_after
    restarted = [modes[side] != "nothing" and _restarted_before(result, modes[side], delay, d.step)
                 for side, result in ((d.left, d.left_result), (d.right, d.right_result))]
    if modes[d.left] != modes[d.right]:
        return any(restarted)
    return restarted[0] != restarted[1]
