"""Throughput of the kit against a bare SDK sink, and the fixed cost per scenario.

Run: ``make bench`` (or ``python benchmarks/bench_sink.py --ops 100000``).
Prints figures; asserts nothing. Times are read from the real perf counter,
which freezegun does not reach (harness.replay.freeze.real_perf_counter).

- bare: the same calls (init, then the upserts/deletes) made directly on a
  ``DataSourceUpdateSinkImpl`` over the SDK's store wrapper and in-memory store,
  with a no-op flag change listener, as FDv1 wires it.
- replay: ``harness.run`` of a generated scenario with those steps: full
  recording, invariant checkers and expectations. Goal (issue 11): at least
  80% of the bare rate. Then the same with every DataFrame built, for reference.
- fixed cost: a one-step scenario run many times under one freeze
  (``harness.run_many``), and the one-time cost of a freeze.
- targets run by a driver (``go``, ``go-v6`` and ``node``, each when ready):
  the same scenario through the driver, next to that SDK's bare sink rate
  measured inside the driver in the same run (the same calls, made directly
  on a fresh client's sink); the fixed cost per scenario once the driver is
  warm; and, side by side with ``sdk`` in turns, 20,000 writes (goal: at
  least sdk's rate) and the whole catalogue (goal: no more than sdk's time).
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


def kit(scenario, target: str = "sdk", frames: bool = True) -> float:
    start = real_perf_counter()
    result = harness.run(scenario, target)
    if frames:
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


def driver_figures(steps, keys, scenario, ops: int, writes: int, seed: int) -> None:
    """The targets run by a driver next to sdk, measured in turns in this one run: the bare sink,
    the same writes through the driver, the fixed cost, and the catalogue."""
    from harness.drivers.go import GO, GO_V6
    from harness.drivers.node import NODE
    from harness.drivers.protocol.session import Session
    from harness.replay.recording import Recording
    from harness.vocabulary.items import flag_json as item
    catalogue = harness.collect(["scenarios"])
    side_by_side = scenario_for(generated_steps(writes, keys, seed), keys)

    def catalogue_time(target: str) -> float:
        """The whole catalogue on one target, checked."""
        start = real_perf_counter()
        for result in harness.run_many(catalogue, [target]):
            assert result.ok, result.report()
        return real_perf_counter() - start

    def best_in_turns(measure, a: str, b: str, turns: int = 3) -> tuple[float, float]:
        """Best of ``turns`` of each, a and b taking turns, so a slow minute falls on both."""
        times: dict[str, list[float]] = {a: [], b: []}
        for _ in range(turns):
            for target in (a, b):
                times[target].append(measure(target))
        return min(times[a]), min(times[b])

    sdk_catalogue = min(catalogue_time("sdk") for _ in range(3))
    print(f"catalogue on sdk:          {sdk_catalogue * 1e3:.1f} ms  ({len(catalogue)} scenarios, best of 3)")
    tiny = harness.scenario("tiny").status("VALID").build()
    releases = {GO: lambda: GO.flavour.pinned, GO_V6: lambda: GO_V6.flavour.pinned, NODE: lambda: NODE.release.version}
    for target, release in releases.items():
        if target.name not in harness.targets():
            print(f"{target.name}: not ready ({target.availability().reason})")
            continue
        harness.run(tiny, target.name)  # build or install if needed, and warm the driver
        bench = {"op": "bench", "data": {"flags": {f"f{i}": item(f"f{i}", {"version": 0}) for i in range(keys)}},
                 "ops": [list(step) for step in steps]}
        bare_sink = Session(target.driver(), Recording(lambda: 0)).call(bench)["seconds"]
        through = min(kit(scenario, target.name) for _ in range(2))
        with harness.virtual_time():
            start = real_perf_counter()
            for _ in harness.run_many([tiny] * 300, [target.name]):
                pass
            per_run = (real_perf_counter() - start) / 300
        on_sdk, on_driver = best_in_turns(lambda name: kit(side_by_side, name), "sdk", target.name)
        sdk_cat, driver_cat = best_in_turns(catalogue_time, "sdk", target.name)
        name = f"{target.name} ({release()})"
        print(f"{name + ':':<27}bare sink {ops / bare_sink:,.0f} ops/s; through the driver {ops / through:,.0f} "
              f"ops/s ({through:.2f} s, frames included)")
        print(f"{'':<27}fixed cost per scenario {per_run * 1e3:.3f} ms (warm driver; goal < 2 ms)")
        print(f"{'':<27}{writes:,} writes: {writes / on_driver:,.0f} ops/s against sdk's {writes / on_sdk:,.0f}: "
              f"{on_sdk / on_driver:.2f}x the sdk rate (goal >= 1.0x)")
        print(f"{'':<27}catalogue {driver_cat * 1e3:.1f} ms against sdk's {sdk_cat * 1e3:.1f} ms: "
              f"{driver_cat / sdk_cat:.2f}x its time (goal <= 1.0x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--writes", type=int, default=20_000, help="writes in the driver targets' side-by-side run")
    args = parser.parse_args()

    steps = generated_steps(args.ops, args.keys, args.seed)
    scenario = scenario_for(steps, args.keys)
    gc.collect()
    # Bare and replay take turns, so a slow minute on a shared machine falls on both.
    bare_times, replay_times = [], []
    for _ in range(args.repeat):
        bare_times.append(bare(steps, args.keys))
        replay_times.append(kit(scenario, frames=False))
    bare_time, cold, replay_time = min(bare_times), replay_times[0], min(replay_times)
    kit_time = min(kit(scenario) for _ in range(args.repeat))
    ops = args.ops + 1
    bare_rate, kit_rate = ops / bare_time, ops / kit_time
    per_run, freeze = fixed_cost(500)
    print(f"operations per run:        {ops:,} ({args.keys} keys, out of order, 10% deletes)")
    print(f"bare SDK sink:             {bare_rate:,.0f} ops/s  ({bare_time:.3f} s)")
    print(f"replay on sdk:             {ops / replay_time:,.0f} ops/s  ({replay_time:.3f} s: full recording, "
          f"checkers, expectations)")
    print(f"replay / bare:             {bare_time / replay_time:.0%}  (best of {args.repeat}; goal >= 80%)")
    print(f"replay + every DataFrame:  {kit_rate:,.0f} ops/s  ({kit_time:.3f} s, {kit_rate / bare_rate:.0%} of bare)")
    print(f"replay, first run:         {ops / cold:,.0f} ops/s  ({cold:.3f} s, {bare_time / cold:.0%} of bare)")
    for target in ("sdk-async", "contract"):
        elapsed = kit(scenario, target)
        print(f"kit on {target + ':':<19}{ops / elapsed:,.0f} ops/s  ({elapsed:.3f} s, one run, for reference)")
    print(f"fixed cost per scenario:   {per_run * 1e3:.3f} ms  (one-step scenario, shared freeze)")
    print(f"one freeze (start+stop):   {freeze * 1e3:.3f} ms  (paid once per batch)")
    driver_figures(steps, args.keys, scenario, ops, args.writes, args.seed)


if __name__ == "__main__":
    main()
