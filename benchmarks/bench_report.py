"""The main command with and without pictures (issue 11, goal 4).

Run: ``make bench`` (or ``python benchmarks/bench_report.py``). Prints figures;
asserts nothing. Each command runs as a user runs it, in its own process:

    harness run scenarios --target sdk --target sdk-async --target contract --out DIR [--no-plots]

Goal: the whole catalogue on the Python targets, pictures included, in no more
than five times the time of the same run without pictures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.replay.freeze import real_perf_counter

ROOT = Path(__file__).resolve().parent.parent
HARNESS = Path(sys.executable).with_name("harness")
TARGETS = ["--target", "sdk", "--target", "sdk-async", "--target", "contract"]


def timed(scenarios: str, repeat: int, *extra: str) -> float:
    """Best of ``repeat`` runs of the command, in seconds of wall time."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            start = real_perf_counter()
            subprocess.run([str(HARNESS), "run", scenarios, *TARGETS, "--out", out, *extra], cwd=ROOT,
                           check=True, capture_output=True)
            times.append(real_perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="scenarios", help="the catalogue, or part of it")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    without = timed(args.scenarios, args.repeat, "--no-plots")
    with_pictures = timed(args.scenarios, args.repeat)
    pictures = len(list((ROOT / args.scenarios).rglob("*.yaml")))
    print(f"report without pictures:   {without:.1f} s ({args.scenarios}, sdk + sdk-async + contract)")
    print(f"report with pictures:      {with_pictures:.1f} s ({pictures} pictures, "
          f"{os.cpu_count()} worker processes)")
    print(f"with / without pictures:   {with_pictures / without:.1f}x (goal <= 5x)")


if __name__ == "__main__":
    main()
