"""The whole release matrix: the catalogue on every served release of every target family, cold and warm.

Run: ``make bench`` (or ``python benchmarks/bench_matrix.py``). Prints figures; asserts nothing. Each
measurement is one ``python -m harness.runs.release_notes`` (what ``make docs`` runs) in a fresh process:

- cold: the kit's cache empty (a temporary ``XDG_CACHE_HOME``), so every Go release's driver is built
  and every Python release's environment made, two at a time; the toolchains' own caches (Go's build
  cache, uv's downloads) are the machine's, so compiling the standard library and downloading wheels
  are not counted;
- warm: the same again, everything built: the runs themselves.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.replay.freeze import real_perf_counter

ROOT = Path(__file__).resolve().parent.parent


def toolchain_caches() -> dict[str, str]:
    """Go's build cache and uv's cache where they are now, so a temporary XDG_CACHE_HOME does not empty them."""
    caches = {}
    try:
        caches["GOCACHE"] = subprocess.run(["go", "env", "GOCACHE"], capture_output=True, text=True,
                                           check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    caches["UV_CACHE_DIR"] = os.environ.get("UV_CACHE_DIR", os.path.join(base, "uv"))
    return caches


def notes(env: dict, out: Path, scenarios: list[str], jobs: int, families: list[str] | None) -> tuple[float, str]:
    start = real_perf_counter()
    only = ["--families", *families] if families else []
    done = subprocess.run([sys.executable, "-m", "harness.runs.release_notes", "--out", str(out), "--jobs", str(jobs),
                           *only, *scenarios], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = real_perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return elapsed, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=["scenarios"])
    parser.add_argument("--jobs", type=int, default=2, help="releases built at once (default 2)")
    parser.add_argument("--families", nargs="+", metavar="NAME", help="only these target families (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as kit_cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, **toolchain_caches(), "XDG_CACHE_HOME": kit_cache}
        cold, said = notes(env, Path(out) / "cold.md", args.scenarios, args.jobs, args.families)
        runs = int(re.search(r"([\d,]+) runs", said).group(1).replace(",", ""))
        print(f"{'whole matrix, cold:':<27}{cold:.1f} s ({runs:,} runs; every release built first, "
              f"{args.jobs} at a time)")
        warm, _ = notes(env, Path(out) / "warm.md", args.scenarios, args.jobs, args.families)
        print(f"{'whole matrix, warm:':<27}{warm:.1f} s ({runs / warm:,.0f} runs/s; everything built)")
        same = (Path(out) / "cold.md").read_text() == (Path(out) / "warm.md").read_text()
        print(f"{'same page both times:':<27}{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
