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
setting, every reaction of the source to the store coming back, waits around the 0.5 s availability poll and the outage threshold,
disconnects and reconnects, evaluations, and items with prerequisites and
segment rules. Timing uses ``after`` and ``wait`` only, so every generated
scenario is valid.
"""

from __future__ import annotations

import functools

from hypothesis import strategies as st

from .vocabulary.item_fields import Item
from .vocabulary.model import CACHE_FOREVER, Expectations, Scenario, SourceConfig, StoreConfig
from .vocabulary.steps import STEP_KINDS, Action, Step
from .vocabulary.steps.drawing import MS, WAITS, written_item


def versions(low: int = 0, high: int = 6) -> st.SearchStrategy[int]:
    """Small versions, so that ties and stale writes are common."""
    return st.integers(low, high)


# -- steps from bytes ---------------------------------------------------------------------
#
# Each step is read from four bytes, so a whole scenario is one draw of bytes:
# Hypothesis spends about a millisecond on a list of 50 draws and a quarter of
# that on one draw, and exploring runs thousands of scenarios. The first byte
# picks the step's kind from the generation table (and the wait before it);
# the kind's own declaration, ``drawn(a, b, c)``, reads the other three (see
# harness/vocabulary/steps/drawing.py for the shapes).

STEP_BYTES = 4
AFTERS = (None, None, None) + WAITS[1:6]  # the wait before a step, by the first byte's high part


@functools.lru_cache(maxsize=None)
def _table(kinds: tuple[str, ...]) -> tuple[type[Action], ...]:
    return tuple(STEP_KINDS[name] for name in kinds for _ in range(STEP_KINDS[name].weight))


def kind_table() -> tuple[type[Action], ...]:
    """The generation table: every registered step kind, as many times as its ``weight``,
    in the order they were declared (``upsert`` first: a zero byte is the plainest step)."""
    return _table(tuple(STEP_KINDS))


def step_from_bytes(chunk: bytes) -> Step:
    """The step four bytes stand for; any four bytes make a valid step."""
    return steps_from_bytes(bytes(chunk[:STEP_BYTES]))[0]


# Steps already read, by generation table then bytes. Hypothesis draws the same four bytes again and
# again (zeros most, and its mutations copy runs): in a campaign about one chunk in seven is new, and
# a step is immutable, so scenarios share it. Cleared when full, to bound its memory.
_READ: dict[tuple[type[Action], ...], dict[bytes, Step]] = {}
READ_STEPS_KEPT = 1 << 14


def steps_from_bytes(data: bytes) -> tuple[Step, ...]:
    """The steps ``data`` stands for, four bytes a step (a shorter tail is left out)."""
    table = kind_table()
    read = _READ.get(table)
    if read is None:  # a step kind registered or gone (tests do so)
        _READ.clear()
        read = _READ[table] = {}
    steps = []
    for i in range(0, len(data) - STEP_BYTES + 1, STEP_BYTES):
        chunk = data[i:i + STEP_BYTES]
        step = read.get(chunk)
        if step is None:
            if len(read) >= READ_STEPS_KEPT:
                read.clear()
            first, a, b, c = chunk
            step = read[chunk] = Step(table[first % len(table)].drawn(a, b, c),
                                      after=AFTERS[(first // len(table)) % len(AFTERS)])
        steps.append(step)
    return tuple(steps)


def items() -> st.SearchStrategy[Item]:
    """A flag or segment spec, as upserts carry them."""
    return st.builds(written_item, st.integers(0, 255), versions(), st.integers(0, 255))


def steps() -> st.SearchStrategy[Step]:
    """A step of any kind, sometimes after a wait."""
    return st.binary(min_size=STEP_BYTES, max_size=STEP_BYTES).map(step_from_bytes)


STORES = (StoreConfig(), StoreConfig("persistent"), StoreConfig("persistent", 0),
          StoreConfig("persistent", 1_000 * MS), StoreConfig("persistent", 30_000 * MS),
          StoreConfig("persistent", CACHE_FOREVER),
          # a core that keeps a tombstone as a version and a deleted flag only (the default keeps it serialized)
          StoreConfig("persistent", tombstones="flag"), StoreConfig("persistent", CACHE_FOREVER, tombstones="flag"))
OUTAGE_LOG_AFTER = (60_000_000, 0, 1_000_000)
# The source's reaction to the store coming back: each target's own first (so a head byte below 48, as
# before it was drawn, makes the same scenario), then each setting on every target.
SOURCES = (SourceConfig(), SourceConfig("restart"), SourceConfig("nothing"), SourceConfig("restart_if_stale"))


def stores() -> st.SearchStrategy[StoreConfig]:
    """The in-memory store, or a persistent one with every cache setting and both forms of tombstone."""
    return st.sampled_from(STORES)


def scenario_from_bytes(data: bytes, store: StoreConfig | None = None, min_steps: int = 1,
                        max_steps: int = 12) -> Scenario:
    """The scenario bytes stand for: a byte for its settings (store, listen, outage log, the source's
    reaction to the store coming back),
    a byte for its length (``min_steps`` to ``max_steps``, evenly), then four bytes a
    step. Any bytes make a valid scenario; zero bytes make the plainest."""
    head, length = (data[0] if data else 0), (data[1] if len(data) > 1 else 0)
    count = min_steps + length % (max_steps - min_steps + 1)
    return Scenario(
        name="generated",
        steps=steps_from_bytes(data[2:2 + count * STEP_BYTES]),
        store=STORES[head % len(STORES)] if store is None else store,
        listen=not (head // len(STORES)) & 1,
        outage_log_after=OUTAGE_LOG_AFTER[(head // (2 * len(STORES))) % len(OUTAGE_LOG_AFTER)],
        source=SOURCES[(head // (2 * len(STORES) * len(OUTAGE_LOG_AFTER))) % len(SOURCES)],
        expect=Expectations(),
    )


def scenarios(max_steps: int = 12, stores: st.SearchStrategy[StoreConfig] | None = None,
              min_steps: int = 1) -> st.SearchStrategy[Scenario]:
    """Valid scenarios of ``min_steps`` to ``max_steps`` steps, with no expectations
    (``stores``: draw the store from this strategy instead)."""
    size = max(max_steps, min_steps)
    # Room for the longest scenario, its length read from a byte: Hypothesis's own choice
    # of sizes would make most scenarios one or two steps long.
    data = st.binary(min_size=2 + size * STEP_BYTES, max_size=2 + size * STEP_BYTES)
    read = functools.partial(scenario_from_bytes, min_steps=min_steps, max_steps=size)
    if stores is None:  # one draw a scenario: exploring runs thousands of them
        return data.map(read)
    return st.tuples(stores, data).map(lambda drawn: read(drawn[1], drawn[0]))
