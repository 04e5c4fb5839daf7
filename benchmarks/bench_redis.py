"""What a real Redis costs: the same scenarios on ``store: {type: redis}`` (the SDK's own Redis
integration, a real redis-server behind Toxiproxy) and on the in-memory persistent core behind the
same wrapper (``store: persistent``), on each target that runs Redis.

Run: ``make bench`` (or ``python benchmarks/bench_redis.py``). Prints figures; asserts nothing.

- start-up: redis-server and Toxiproxy, once a process (Toxiproxy's build is cached beforehand);
- a catalogue scenario (``scenarios/redis/outage_during_upsert.yaml``: an outage, a failed upsert,
  recovery), best of ``--repeat`` runs;
- ``--writes`` upserts of one flag with the cache off, so every write goes to the store: the rate,
  and Redis's time against the in-memory core's.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import harness
from harness.drivers import get_target, refusal
from harness.replay.freeze import real_perf_counter, virtual_time
from harness.vocabulary.model import StoreConfig

ROOT = Path(__file__).resolve().parent.parent
OUTAGE = ROOT / "scenarios" / "redis" / "outage_during_upsert.yaml"


def best(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = real_perf_counter()
        call()
        times.append(real_perf_counter() - start)
    return min(times)


def on_store(scenario, store_type: str):
    return dataclasses.replace(scenario, store=StoreConfig(store_type, scenario.store.cache_ttl))


def writes(count: int):
    builder = harness.scenario("redis-writes", store={"type": "redis", "cache_ttl": "0s"}, listen=False)
    builder.init(flags={"f1": {"version": 0}}).status("VALID")
    for version in range(1, count + 1):
        builder.upsert(flag="f1", version=version)
    return builder.build()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--targets", default="sdk,sdk-async,go,go-v6")
    args = parser.parse_args()
    from harness.drivers.redis import redis_environment
    from harness.drivers.redis.environment import cache_root
    from harness.drivers.redis.proxy import toxiproxy_binary
    toxiproxy_binary(cache_root())  # its one-off build is not the start-up's cost
    started = real_perf_counter()
    redis_environment()
    print(f"{'redis-server + toxiproxy:':<30}{(real_perf_counter() - started) * 1000:.0f} ms to start "
          "(once a process)")
    outage, many = harness.load_scenario(OUTAGE), writes(args.writes)
    for target in [name.strip() for name in args.targets.split(",") if name.strip()]:
        if not get_target(target).availability().ready or refusal(get_target(target), outage):
            print(f"{target}: not run here")
            continue
        with virtual_time():
            harness.run(outage, target)  # warm: the driver started, the client's code loaded
            for label, scenario in ((f"outage scenario on {target}:", outage),
                                    (f"{args.writes:,} writes on {target}:", many)):
                redis = best(lambda: harness.run(scenario, target).raise_for_failures(), args.repeat)
                memory = best(lambda: harness.run(on_store(scenario, "persistent"), target), args.repeat)
                rate = f", {args.writes / redis:,.0f} writes/s" if scenario is many else ""
                print(f"{label:<30}redis {redis * 1000:.1f} ms{rate}; in-memory persistent core "
                      f"{memory * 1000:.1f} ms: {redis / memory:.1f}x its time (best of {args.repeat})")


if __name__ == "__main__":
    main()
