"""Loading and building scenarios, as ratios next to their goals (issue 11).

Run: ``make bench`` (or ``python benchmarks/bench_load.py``). Prints figures;
asserts nothing.

- loading: a 20,000-step YAML file through ``harness.scenario_from_yaml``
  (reader, schema, model) against a bare ``yaml.load(..., Loader=CSafeLoader)``
  of the same text. Goal: at least half the bare rate.
- building: ``harness.scenario(...)`` with 100,000 upserts (the builder's calls
  and ``build()``), against replaying the same scenario on ``contract``, best
  of three each. Goal: under a quarter of the replay time.
"""

from __future__ import annotations

import argparse

import yaml

import harness
from harness.replay.freeze import real_perf_counter


def best(call, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = real_perf_counter()
        call()
        times.append(real_perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-steps", type=int, default=20_000)
    parser.add_argument("--build-steps", type=int, default=100_000)
    args = parser.parse_args()
    lines = ["name: big", "steps:", "  - init: {flags: {f1: {version: 1}}}"]
    for i in range(args.load_steps):
        lines.append(f"  - upsert: {{flag: f{i % 50}, version: {i}}}" if i % 3 else "  - status: VALID")
    text = "\n".join(lines) + "\n"
    bare = best(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    kit = best(lambda: harness.scenario_from_yaml(text), 2)
    print(f"{f'load {args.load_steps:,} steps:':<27}kit {kit:.2f} s, bare CSafeLoader {bare:.2f} s: "
          f"{bare / kit:.0%} of the bare rate (goal >= 50%)")

    def build():
        builder = harness.scenario("built").init(flags={"f1": {"version": 0}})
        for i in range(args.build_steps):
            builder.upsert(flag="f1", version=i + 1)
        return builder.build()
    built = best(build)
    scenario = build()
    replay = best(lambda: harness.run(scenario, "contract"))
    print(f"{f'build {args.build_steps:,} upserts:':<27}{built:.2f} s; replay on contract {replay:.2f} s: "
          f"{built / replay:.2f} of the replay time (goal < 0.25)")


if __name__ == "__main__":
    main()
