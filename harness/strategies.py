"""Hypothesis strategies for scenarios, shaped so that targets collide.

Use them in your own property tests::

    from hypothesis import given
    import harness

    @given(harness.strategies.scenarios())
    def test_stale_writes_never_land(scenario):
        result = harness.run(scenario, "contract")
        assert "stale-writes-never-applied" not in set(result.violations["checker"])

The shapes make collisions likely: a small key space, versions near each
other (ties and stale writes are common), tombstones, every state and error
kind, store outages with every mix of failing operations and every cache
setting, waits around the 0.5 s availability poll and the outage threshold,
disconnects and reconnects, evaluations, and items with prerequisites and
segment rules. Timing uses ``after`` and ``wait`` only, so every generated
scenario is valid.
"""

from __future__ import annotations

from hypothesis import strategies as st

from .vocabulary.model import Expectations, Scenario, StoreConfig
from .vocabulary.steps import (Delete, Disconnect, Evaluate, Init, Listen, Reconnect, SetStatus, Step, Stop, StoreDown,
                               StoreUp, Upsert, Wait)
from .vocabulary.values import ERROR_KINDS, STATES, STORE_OPS, ErrorInfo, Item

FLAGS = ("f1", "f2", "f3")
SEGMENTS = ("s1", "s2")
CONTEXTS = ("user-1", "user-2")
MS = 1_000
# Around the availability poll (0.5 s), the default outage log threshold (1 m) and cache TTLs.
WAITS = (0, 250 * MS, 500 * MS, 501 * MS, 1_000 * MS, 5_000 * MS, 30_000 * MS, 60_000 * MS, 61_000 * MS)


def versions(low: int = 0, high: int = 6) -> st.SearchStrategy[int]:
    """Small versions, so that ties and stale writes are common."""
    return st.integers(low, high)


@st.composite
def flag_items(draw, key: str | None = None) -> Item:
    """A flag spec: maybe off, maybe with a prerequisite or a segment rule, served by variation 0 or 1."""
    key = key or draw(st.sampled_from(FLAGS))
    spec: dict = {"version": draw(versions())}
    if draw(st.booleans()):
        spec["fallthrough"] = {"variation": draw(st.sampled_from((0, 1)))}
    if draw(st.integers(0, 4)) == 0:
        spec["on"] = False
    others = [f for f in FLAGS if f != key]
    if draw(st.integers(0, 3)) == 0:
        spec["prerequisites"] = [draw(st.sampled_from(others))]
    if draw(st.integers(0, 3)) == 0:
        spec["segments"] = [draw(st.sampled_from(SEGMENTS))]
    return Item("flags", key, spec)


@st.composite
def segment_items(draw, key: str | None = None) -> Item:
    key = key or draw(st.sampled_from(SEGMENTS))
    spec: dict = {"version": draw(versions())}
    if draw(st.booleans()):
        spec["included"] = [draw(st.sampled_from(CONTEXTS))]
    return Item("segments", key, spec)


def items() -> st.SearchStrategy[Item]:
    return st.one_of(flag_items(), segment_items())


@st.composite
def inits(draw) -> Init:
    flags = draw(st.lists(st.sampled_from(FLAGS), unique=True, max_size=len(FLAGS)))
    segments = draw(st.lists(st.sampled_from(SEGMENTS), unique=True, max_size=len(SEGMENTS)))
    return Init(tuple(draw(flag_items(k)) for k in flags), tuple(draw(segment_items(k)) for k in segments))


def errors() -> st.SearchStrategy[ErrorInfo]:
    return st.builds(ErrorInfo, st.sampled_from(ERROR_KINDS), st.sampled_from((0, 0, 401, 503)),
                     st.sampled_from(("", "connection reset", "bad gateway")))


@st.composite
def deletes(draw) -> Delete:
    kind = draw(st.sampled_from(("flags", "flags", "segments")))
    key = draw(st.sampled_from(FLAGS if kind == "flags" else SEGMENTS))
    return Delete(kind, key, draw(versions()))


def actions() -> st.SearchStrategy:
    """Any step kind, weighted towards writes."""
    return st.one_of(
        inits(),
        st.builds(Upsert, items()), st.builds(Upsert, items()),
        deletes(),
        st.builds(SetStatus, st.sampled_from(STATES), st.none() | errors()),
        st.builds(StoreDown, st.frozensets(st.sampled_from(STORE_OPS), min_size=1).map(frozenset),
                  st.booleans(), st.just("store unavailable")),
        st.just(StoreUp()),
        st.builds(Wait, st.sampled_from(WAITS)),
        st.builds(Listen, st.booleans()),
        st.builds(Evaluate, st.sampled_from(FLAGS), st.sampled_from(CONTEXTS), st.sampled_from((None, False, True))),
        st.builds(Disconnect, errors(), st.none() | st.sampled_from(WAITS[1:6])),
        st.just(Reconnect()),
        st.just(Stop()),
    )


def steps() -> st.SearchStrategy[Step]:
    """A step: an action, sometimes after a wait."""
    return st.builds(Step, actions(), st.none(), st.none() | st.sampled_from(WAITS[1:6]))


def stores() -> st.SearchStrategy[StoreConfig]:
    return st.one_of(
        st.just(StoreConfig()),
        st.builds(StoreConfig, st.just("persistent"),
                  st.sampled_from((None, 0, 1_000 * MS, 30_000 * MS, "forever"))),
    )


@st.composite
def scenarios(draw, max_steps: int = 12, stores: st.SearchStrategy[StoreConfig] | None = None,
              min_steps: int = 1) -> Scenario:
    """A valid scenario of ``min_steps`` to ``max_steps`` steps, with no expectations."""
    chosen = draw(stores if stores is not None else globals()["stores"]())
    return Scenario(
        name="generated",
        steps=tuple(draw(st.lists(steps(), min_size=min_steps, max_size=max(max_steps, min_steps)))),
        store=chosen,
        listen=draw(st.booleans()),
        outage_log_after=draw(st.sampled_from((60_000_000, 0, 1_000_000))),
        expect=Expectations(),
    )
