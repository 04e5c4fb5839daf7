"""The main command with its report, against the plain run; and one picture from the command line.

Run: ``make bench`` (or ``python benchmarks/bench_report.py``). Prints figures;
asserts nothing. Each command runs as a user runs it, in its own process, end to
end (the interpreter's start and every import counted):

    harness run scenarios --target sdk --target sdk-async --target contract            # the plain run
    harness run scenarios --target sdk --target sdk-async --target contract --out DIR  # frames and pictures
    harness plot scenarios/outages/cached_evaluations_during_outage.yaml -o t.png      # every ready target

Goals (issue 17): the report with frames and pictures in no more than three
times the plain run; ``harness plot`` of one scenario in under 2 s; every phase
of the report (runs, frames, pictures) shows progress, which is printed here as
the report command printed it (its stderr is not a terminal here, so one line
when a phase starts and one when it is done).
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
PICTURE = "scenarios/outages/cached_evaluations_during_outage.yaml"
PHASES = ("running", "writing frames", "drawing pictures")


def timed(command: list[str], repeat: int, out: bool = False) -> tuple[float, str]:
    """Best of ``repeat`` runs of ``harness COMMAND`` (with ``--out DIR`` when ``out``), in seconds of wall
    time, and the stderr of the last one."""
    times, stderr = [], ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            extra = ["--out", folder] if out else []
            start = real_perf_counter()
            done = subprocess.run([str(HARNESS), *command, *extra], cwd=ROOT, check=True, capture_output=True,
                                  text=True)
            times.append(real_perf_counter() - start)
            stderr = done.stderr
    return min(times), stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="scenarios", help="the catalogue, or part of it")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run = ["run", args.scenarios, *TARGETS]
    plain, _ = timed(run, args.repeat)
    frames_only, _ = timed([*run, "--no-plots"], args.repeat, out=True)
    report, progress = timed(run, args.repeat, out=True)
    with tempfile.TemporaryDirectory() as folder:
        picture, _ = timed(["plot", PICTURE, "-o", str(Path(folder) / "t.png")], args.repeat)
    pictures = len(list((ROOT / args.scenarios).rglob("*.yaml")))
    print(f"plain run:                 {plain:.1f} s ({args.scenarios}, sdk + sdk-async + contract)")
    print(f"report, frames only:       {frames_only:.1f} s (--no-plots: {frames_only / plain:.1f}x the plain run)")
    print(f"report, frames + pictures: {report:.1f} s ({pictures} pictures, {os.cpu_count()} worker processes)")
    print(f"report / plain run:        {report / plain:.1f}x (goal <= 3x)")
    shown = [phase for phase in PHASES if f"{phase}: done" in progress]
    print(f"phases that showed progress: {', '.join(shown) or 'none'} of {len(PHASES)} (goal: all); as printed:")
    for line in progress.splitlines():
        print(f"    {line}")
    print(f"harness plot, one scenario: {picture:.2f} s end to end, every ready target (goal < 2 s)")


if __name__ == "__main__":
    main()
