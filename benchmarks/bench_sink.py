"""Throughput of the kit against a bare SDK sink, and the fixed cost per scenario.

Run: ``make bench`` (or ``python benchmarks/bench_sink.py --ops 100000``).
Prints figures; asserts nothing. Times are read from the real perf counter,
which freezegun does not reach (harness.replay.freeze.real_perf_counter).

- bare: the same calls (init, then the upserts/deletes) made directly on a
  ``DataSourceUpdateSinkImpl`` over the SDK's store wrapper and in-memory store,
  with a no-op flag change listener, as FDv1 wires it.
- kit: ``harness.run`` of a generated scenario with those steps, full
  recording, expectations, and every DataFrame built.
- fixed cost: a one-step scenario run many times under one freeze
  (``harness.run_many``), and the one-time cost of a freeze.
"""

from __future__ import annotations

import argparse
import gc
import random

from ldclient.feature_store import InMemoryFeatureStore
from ldclient.impl.datasource.status import DataSourceUpdateSinkImpl
from ldclient.impl.datastore.status import DataStoreUpdateSinkImpl
from ldclient.impl.datasystem.fdv1 import _FeatureStoreClientWrapper
from ldclient.impl.listeners import Listeners
from ldclient.versioned_data_kind import FEATURES

import harness
from harness.replay.freeze import real_perf_counter
from harness.vocabulary.items import flag_json


def generated_steps(ops: int, keys: int, seed: int) -> list[tuple[str, str, int]]:
    """Out-of-order upserts with some deletes: (op, key, version)."""
    rng = random.Random(seed)
    steps = []
    for _ in range(ops):
        key = f"f{rng.randrange(keys)}"
        version = rng.randrange(1, ops)
        steps.append(("delete" if rng.random() < 0.1 else "upsert", key, version))
    return steps


def scenario_for(steps, keys):
    builder = harness.scenario("bench").init(flags={f"f{i}": {"version": 0} for i in range(keys)})
    for op, key, version in steps:
        if op == "upsert":
            builder.upsert(flag=key, version=version)
        else:
            builder.delete(flag=key, version=version)
    return builder.build()


def bare(steps, keys) -> float:
    store = _FeatureStoreClientWrapper(InMemoryFeatureStore(), DataStoreUpdateSinkImpl(Listeners()))
    changes = Listeners()
    changes.add(lambda change: None)
    sink = DataSourceUpdateSinkImpl(store, Listeners(), changes)
    items = [flag_json(key, {"version": version}) if op == "upsert" else None for op, key, version in steps]
    start = real_perf_counter()
    sink.init({FEATURES: {f"f{i}": flag_json(f"f{i}", {"version": 0}) for i in range(keys)}})
    for (op, key, version), item in zip(steps, items):
        if item is None:
            sink.delete(FEATURES, key, version)
        else:
            sink.upsert(FEATURES, item)
    return real_perf_counter() - start


def kit(scenario, target: str = "sdk") -> float:
    start = real_perf_counter()
    result = harness.run(scenario, target)
    result.frames()
    return real_perf_counter() - start


def fixed_cost(runs: int) -> tuple[float, float]:
    tiny = harness.scenario("tiny").status("VALID").build()
    with harness.virtual_time():
        harness.run(tiny)  # warm
        start = real_perf_counter()
        for _ in harness.run_many([tiny] * runs):
            pass
        per_run = (real_perf_counter() - start) / runs
    start = real_perf_counter()
    with harness.virtual_time():
        pass
    return per_run, real_perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    steps = generated_steps(args.ops, args.keys, args.seed)
    scenario = scenario_for(steps, args.keys)
    gc.collect()
    bare_time = min(bare(steps, args.keys) for _ in range(args.repeat))
    kit_times = [kit(scenario) for _ in range(args.repeat)]
    cold, kit_time = kit_times[0], min(kit_times)
    ops = args.ops + 1
    bare_rate, kit_rate = ops / bare_time, ops / kit_time
    per_run, freeze = fixed_cost(500)
    print(f"operations per run:        {ops:,} ({args.keys} keys, out of order, 10% deletes)")
    print(f"bare SDK sink:             {bare_rate:,.0f} ops/s  ({bare_time:.3f} s)")
    print(f"kit, full recording:       {kit_rate:,.0f} ops/s  ({kit_time:.3f} s, frames included)")
    print(f"kit / bare:                {kit_rate / bare_rate:.0%}  (best of {args.repeat})")
    print(f"kit, first run:            {ops / cold:,.0f} ops/s  ({cold:.3f} s, {bare_time / cold:.0%} of bare)")
    for target in ("sdk-async", "contract"):
        elapsed = kit(scenario, target)
        print(f"kit on {target + ':':<19}{ops / elapsed:,.0f} ops/s  ({elapsed:.3f} s, one run, for reference)")
    print(f"fixed cost per scenario:   {per_run * 1e3:.3f} ms  (one-step scenario, shared freeze)")
    print(f"one freeze (start+stop):   {freeze * 1e3:.3f} ms  (paid once per batch)")


if __name__ == "__main__":
    main()
