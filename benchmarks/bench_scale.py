"""How cost grows with scenario length and with catalogue size (issue 11, goal 5).

Run: ``make bench`` (or ``python benchmarks/bench_scale.py``; ``--max-ops`` to
stop earlier). Prints figures and two tables; asserts nothing.

- length: a scenario of N operations (out-of-order upserts over 200 flags, one
  in ten a delete) is written as YAML, then in a fresh process loaded, replayed
  on ``contract`` and on ``sdk``, and every DataFrame of each run is built. Each
  size runs in its own process, so its peak memory (``ru_maxrss``) is its own.
  Goal: 1,000,000 operations with peak memory under 2 GB.
- catalogue: the whole catalogue copied 1, 2 and 4 times, run on ``sdk`` and
  ``contract`` with ``harness.run_many``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import harness
from harness.replay.freeze import real_perf_counter

ROOT = Path(__file__).resolve().parent.parent
KEYS = 200


def scenario_text(ops: int) -> str:
    lines = ["name: long", "steps:",
             "  - init: {flags: {" + ", ".join(f"f{i}: {{version: 0}}" for i in range(KEYS)) + "}}"]
    for i in range(ops - 1):
        key, version = f"f{(i * 7919) % KEYS}", (i * 104_729) % ops + 1  # out of order, deterministic
        lines.append(f"  - delete: {{flag: {key}, version: {version}}}" if i % 10 == 9 else
                     f"  - upsert: {{flag: {key}, version: {version}}}")
    return "\n".join(lines) + "\n"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_size(path: Path) -> dict:
    """Load, then replay on each target with every frame built; times in seconds."""
    figures: dict = {}
    start = real_perf_counter()
    scenario = harness.load_scenario(path)
    figures["load"] = real_perf_counter() - start
    for target in ("contract", "sdk"):
        start = real_perf_counter()
        result = harness.run(scenario, target)
        replayed = real_perf_counter()
        result.frames()
        figures[target] = replayed - start
        figures[f"{target} frames"] = real_perf_counter() - replayed
        del result
    figures["peak MB"] = peak_mb()
    return figures


def sizes(max_ops: int) -> None:
    print("scenario length (operations): seconds to load, replay and build every frame; peak memory")
    header = ["ops", "load", "contract", "frames", "sdk", "frames", "peak MB"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    ops = 1_000
    while ops <= max_ops:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "long.yaml"
            path.write_text(scenario_text(ops), encoding="utf-8")
            out = subprocess.run([sys.executable, __file__, "--one", str(path)], capture_output=True, text=True,
                                 check=True, cwd=ROOT)
        f = json.loads(out.stdout.splitlines()[-1])
        print(f"| {ops:,} | {f['load']:.2f} | {f['contract']:.2f} | {f['contract frames']:.2f} | {f['sdk']:.2f} | "
              f"{f['sdk frames']:.2f} | {f['peak MB']:,.0f} |")
        if ops == 1_000_000:
            print(f"1,000,000 operations: peak memory {f['peak MB']:,.0f} MB (goal < 2,048 MB)")
        ops *= 10


def catalogue() -> None:
    print("\ncatalogue size: seconds to run it on sdk and contract (checked, no frames)")
    print("| copies | scenarios | seconds | ms a scenario and target |")
    print("|---|---|---|---|")
    base = harness.collect([ROOT / "scenarios"])
    for _ in harness.run_many(base, ["sdk", "contract"]):  # warm: imports and first clients
        pass
    for copies in (1, 2, 4):
        scenarios = [replace(s, name=f"{s.name}-{n}") for n in range(copies) for s in base]
        start = real_perf_counter()
        for result in harness.run_many(scenarios, ["sdk", "contract"]):
            assert result.ok, result.report()
        elapsed = real_perf_counter() - start
        print(f"| {copies} | {len(scenarios)} | {elapsed:.2f} | {elapsed / len(scenarios) / 2 * 1e3:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-ops", type=int, default=1_000_000)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    sizes(args.max_ops)
    catalogue()


if __name__ == "__main__":
    main()
