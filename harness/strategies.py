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

import functools

from hypothesis import strategies as st

from .vocabulary.model import Expectations, Scenario, StoreConfig
from .vocabulary.steps import (Delete, Disconnect, Evaluate, Init, Listen, Reconnect, Status, Step, Stop, StoreDown,
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


# -- steps from bytes ---------------------------------------------------------------------
#
# Each step is read from four bytes, so a whole scenario is one draw of bytes:
# Hypothesis spends about a millisecond on a list of 50 draws and a quarter of
# that on one draw, and exploring runs thousands of scenarios. Every field is a
# byte (or a few bits of one) taken modulo its choices, with choice 0 the
# plainest, so Hypothesis's shrinking (shorter, then smaller bytes) deletes
# steps and makes the rest plainer. The tables below are the whole shape.

STEP_BYTES = 4
# Step kinds by the first byte (upserts twice: writes collide most). Upsert first: a zero byte is the plainest step.
KIND_TABLE = ("upsert", "upsert", "delete", "init", "status", "store_down", "store_up", "wait", "listen",
              "evaluate", "disconnect", "reconnect", "stop")
AFTERS = (None, None, None) + WAITS[1:6]  # the wait before a step, by the first byte's high part
# Writes collide: one flag written most, and versions bunched low (ties and stale writes).
WRITTEN = (("flags", "f1"),) * 4 + (("flags", "f2"),) * 2 + (("flags", "f3"), ("segments", "s1"),
                                                                ("segments", "s1"), ("segments", "s2"))
WRITE_VERSIONS = (1, 1, 2, 2, 0, 1, 2, 3, 3, 4, 5, 6)
ERROR_CODES = (0, 0, 401, 503)
ERROR_MESSAGES = ("", "connection reset", "bad gateway")
DEFAULTS = (None, False, True)


@functools.lru_cache(maxsize=None)
def _error(a: int, b: int) -> ErrorInfo:
    return ErrorInfo(ERROR_KINDS[a % len(ERROR_KINDS)], ERROR_CODES[b % 4], ERROR_MESSAGES[(b // 4) % 3])


def flag_item(key: str, version: int, options: int) -> Item:
    """A flag spec: maybe off, maybe with a prerequisite or a segment rule, served by variation 0 or 1."""
    spec: dict = {"version": version}
    if options & 1:
        spec["fallthrough"] = {"variation": (options >> 1) & 1}
    if (options >> 2) & 3 == 3:
        spec["on"] = False
    others = [f for f in FLAGS if f != key]
    if (options >> 4) & 3 == 3:
        spec["prerequisites"] = [others[(options >> 6) & 1]]
    if (options >> 2) & 3 == 1:
        spec["segments"] = [SEGMENTS[(options >> 6) & 1]]
    return Item("flags", key, spec)


def segment_item(key: str, version: int, options: int) -> Item:
    spec: dict = {"version": version}
    if options & 1:
        spec["included"] = [CONTEXTS[(options >> 1) & 1]]
    return Item("segments", key, spec)


def _item(a: int, version: int, options: int) -> Item:
    return _written_item(a % len(WRITTEN), version, options)


@functools.lru_cache(maxsize=None)  # items are immutable, and a campaign writes the same ones again and again
def _written_item(index: int, version: int, options: int) -> Item:
    kind, key = WRITTEN[index]
    return flag_item(key, version, options) if kind == "flags" else segment_item(key, version, options)


def _init(a: int, b: int, c: int) -> Init:
    """Which flags and segments from ``a``'s bits; their versions and options from ``b`` and ``c``."""
    flags = [key for bit, key in enumerate(FLAGS) if a >> bit & 1]
    segments = [key for bit, key in enumerate(SEGMENTS) if a >> (bit + 3) & 1]
    number = b * 256 + c
    made = []
    for index, key in enumerate(flags + segments):
        version = (number // 7 ** index) % 7
        options = (c >> index) & 0x55
        made.append(flag_item(key, version, options) if key in FLAGS else segment_item(key, version, options))
    return Init(tuple(i for i in made if i.kind == "flags"), tuple(i for i in made if i.kind == "segments"))


def _action(kind: str, a: int, b: int, c: int):
    if kind == "upsert":
        return Upsert(_item(a, WRITE_VERSIONS[b % len(WRITE_VERSIONS)], c))
    if kind == "delete":
        item = _item(a, 0, 0)
        return Delete(item.kind, item.key, WRITE_VERSIONS[b % len(WRITE_VERSIONS)])
    if kind == "init":
        return _init(a, b, c)
    if kind == "status":
        return Status(STATES[a % len(STATES)], None if b % 2 == 0 else _error(b // 2, c))
    if kind == "store_down":
        fail = frozenset(op for bit, op in enumerate(STORE_OPS) if a >> bit & 1) or frozenset(STORE_OPS)
        return StoreDown(fail, bool(b & 1))
    if kind == "wait":
        return Wait(WAITS[a % len(WAITS)])
    if kind == "listen":
        return Listen(not a & 1)
    if kind == "evaluate":
        return Evaluate(FLAGS[a % len(FLAGS)], CONTEXTS[(a // 3) % len(CONTEXTS)], DEFAULTS[b % 3])
    if kind == "disconnect":
        return Disconnect(_error(a, b), None if c % 2 == 0 else WAITS[1 + (c // 2) % 5])
    return {"store_up": StoreUp, "reconnect": Reconnect, "stop": Stop}[kind]()


def step_from_bytes(chunk: bytes) -> Step:
    """The step four bytes stand for (see the tables above); any four bytes make a valid step."""
    first, a, b, c = chunk
    kind = KIND_TABLE[first % len(KIND_TABLE)]
    return Step(_action(kind, a, b, c), after=AFTERS[(first // len(KIND_TABLE)) % len(AFTERS)])


def steps_from_bytes(data: bytes) -> tuple[Step, ...]:
    return tuple(step_from_bytes(data[i:i + STEP_BYTES]) for i in range(0, len(data) - STEP_BYTES + 1, STEP_BYTES))


def items() -> st.SearchStrategy[Item]:
    """A flag or segment spec, as upserts carry them."""
    return st.builds(_item, st.integers(0, 255), versions(), st.integers(0, 255))


def steps() -> st.SearchStrategy[Step]:
    """A step of any kind, sometimes after a wait."""
    return st.binary(min_size=STEP_BYTES, max_size=STEP_BYTES).map(step_from_bytes)


STORES = (StoreConfig(), StoreConfig("persistent"), StoreConfig("persistent", 0),
          StoreConfig("persistent", 1_000 * MS), StoreConfig("persistent", 30_000 * MS),
          StoreConfig("persistent", "forever"))
OUTAGE_LOG_AFTER = (60_000_000, 0, 1_000_000)


def stores() -> st.SearchStrategy[StoreConfig]:
    """The in-memory store, or a persistent one with every cache setting."""
    return st.sampled_from(STORES)


def scenario_from_bytes(data: bytes, store: StoreConfig | None = None, min_steps: int = 1,
                        max_steps: int = 12) -> Scenario:
    """The scenario bytes stand for: a byte for its settings (store, listen, outage log),
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
