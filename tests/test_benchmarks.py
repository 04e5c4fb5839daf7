"""Every benchmark script runs to its end on small sizes and prints each figure next to its goal.

The figures themselves are not judged here (a timed test flakes); what is checked is
that `make bench` cannot rot: a script that raises, or stops printing a goal, fails.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SMALL_RUNS = {
    "bench_sink.py": (["--ops", "2000", "--repeat", "1", "--writes", "500"],
                      ["replay / bare:", "(best of 1; goal >= 80%)", "fixed cost per scenario:", "catalogue on sdk:",
                       "500 writes:", "the sdk rate (goal >= 1.0x)", "its time (goal <= 1.0x)",
                       "node (9.13.7):"]),
    "bench_load.py": (["--load-steps", "2000", "--build-steps", "5000"],
                      ["load 2,000 steps:", "(goal >= 50%)", "build 5,000 upserts:", "(goal < 0.25)"]),
    "bench_report.py": (["--scenarios", "scenarios/status", "--repeat", "1"],
                        ["plain run:", "report, frames + pictures:", "(goal <= 3x)", "of 3 (goal: all)",
                         "running: done", "writing frames: done", "drawing pictures: done", "(goal < 2 s)"]),
    "bench_scale.py": (["--max-ops", "1000"], ["| 1,000 |", "catalogue size:", "| 4 |"]),
    "bench_explore.py": (["--examples", "16", "--steps", "10", "--jobs", "2", "--parallel-examples", "64"],
                         ["contract:", "sdk:", "go:", "scenarios/s in one process;", "(goal >= 80% of replay)",
                          "round trips to the driver a scenario",
                          "scenarios/s in 2 worker processes once started (goal >= 500/s);",
                          "/s with their start (64 scenarios; the start with 16 scenarios:",
                          "explore against sdk:", "x its rate (one process, side by side)"]),
    "bench_drivers.py": (["--scenarios", "20", "--rounds", "2", "--targets", "go,node"],
                         ["go:", "node:", "40 scenarios in one driver: memory", "KiB a scenario)",
                         "ms a scenario in the first round", "replaced every 400 scenarios",
                         "replaced every 10,000 scenarios"]),
    "bench_releases.py": (["--keep-go-cache"],
                          ["ask about the releases:", "served here; cold", "(goal <= 0.1 s)",
                           "the Go cache as it is:", "Go cache warm:", "already built:", "(the cache hit; goal"]),
    "bench_python_releases.py": (["--tools", "uv", "--runs", "20"],
                                 ["environment (uv", "fixed cost per scenario:", "through the Python driver",
                                  "catalogue ("]),
    "bench_matrix.py": (["--scenarios", "scenarios/status/off_is_final.yaml", "--families", "sdk-async"],
                        ["whole matrix, cold:", "whole matrix, warm:", "same page both times:      yes"]),
    "bench_redis.py": (["--writes", "50", "--repeat", "1", "--targets", "sdk,go"],
                       ["redis-server + toxiproxy:", "outage scenario on sdk:", "50 writes on go:",
                        "in-memory persistent core"]),
    "bench_views.py": (["--explorer-ops", "100", "--plot-ops", "500"],
                       ["explorer, 100 ops:", "plot, 500 ops:", "KiB PNG"]),
}


@pytest.mark.parametrize("script", sorted(SMALL_RUNS))
def test_a_benchmark_runs_to_its_end_and_prints_its_goals(script):
    arguments, expected = SMALL_RUNS[script]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *arguments], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for text in expected:
        assert text in done.stdout, f"{script} did not print {text!r}:\n{done.stdout}"


def test_make_bench_runs_every_benchmark_script():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    scripts = {path.name for path in (ROOT / "benchmarks").glob("bench_*.py")}
    assert scripts == set(SMALL_RUNS) and all(name in makefile for name in scripts)
