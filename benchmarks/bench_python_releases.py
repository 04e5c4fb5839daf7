"""What a Python SDK release costs out of process: its environment, and each scenario through the driver.

Run: ``make bench`` (or ``python benchmarks/bench_python_releases.py``). Prints
figures; asserts nothing. Times are read from the real perf counter.

- one new release environment (``--release``, 9.12.1 by default), built and
  checked by the door (``PythonReleaseTarget.prepare``), with each tool
  (``--tools``: uv, and venv with the kit's pip):
  - cold: nothing cached (a fresh ``XDG_CACHE_HOME``: no environment, and
    empty uv and pip download caches);
  - new, warm downloads: a new environment, the tool's cache warm;
  - warm: the environment already built (what every run after the first pays).
- the fixed cost per scenario: a one-step scenario run many times under one
  freeze, in process (``sdk``) and through the Python driver (the installed
  release forced out of process), once the driver is warm; and the whole
  catalogue on both.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
from typing import Iterator

import harness
from harness.drivers.python_sdk import environments
from harness.drivers.python_sdk.door import sdk_version
from harness.drivers import register_family
from harness.drivers.python_sdk.family import SDK_FAMILY, THROUGH_DRIVER
from harness.drivers.releases import Version
from harness.replay.freeze import real_perf_counter


@contextlib.contextmanager
def cache_home(path: str) -> Iterator[None]:
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = path
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved


def prepared_in(release: str, tool: str) -> float:
    """Seconds to make the release's target ready: build its environment with ``tool`` if needed
    (the tool is chosen by the builder's default, so it is set here), and check it."""
    original = environments.default_tool
    environments.default_tool = lambda: tool  # type: ignore[assignment]
    try:
        start = real_perf_counter()
        availability = SDK_FAMILY.release_target(Version.parse(release), through_driver=True).prepare(progress=False)
        seconds = real_perf_counter() - start
    finally:
        environments.default_tool = original  # type: ignore[assignment]
    if not availability.ready:
        raise SystemExit(f"sdk@{release} is not ready: {availability.reason}")
    return seconds


def environment_figures(release: str, tools: list[str]) -> None:
    for tool in tools:
        if tool == "uv" and environments.uv_binary() is None:
            print(f"environment ({tool}):        uv is not installed here")
            continue
        with tempfile.TemporaryDirectory(prefix="bench-python-env-") as home, cache_home(home):
            cold = prepared_in(release, tool)
            shutil.rmtree(environments.Environment(release).root)
            new = prepared_in(release, tool)
            warm = prepared_in(release, tool)
        print(f"environment ({tool}, {release}): cold {cold:.2f} s; new with warm downloads {new:.2f} s; "
              f"warm {warm * 1e3:.1f} ms")


@contextlib.contextmanager
def installed_through_driver() -> Iterator[str]:
    """The installed release's name (``sdk@9.20.0``), run through the Python driver while inside."""
    os.environ[THROUGH_DRIVER] = "always"
    register_family(SDK_FAMILY)  # forget the in-process target made for that name
    try:
        yield f"sdk@{sdk_version()}"
    finally:
        del os.environ[THROUGH_DRIVER]
        register_family(SDK_FAMILY)


def seconds_per_run(scenarios: list, target: str) -> float:
    """Seconds per scenario under one freeze, the target warm (its driver started)."""
    with harness.virtual_time():
        harness.run(scenarios[0], target)
        start = real_perf_counter()
        for _ in harness.run_many(scenarios, [target]):
            pass
        return (real_perf_counter() - start) / len(scenarios)


def fixed_costs(runs: int) -> None:
    tiny = harness.scenario("tiny").status("VALID").build()
    catalogue = harness.collect(["scenarios"])
    with installed_through_driver() as through:
        available = harness.drivers.release_target(through).availability()
        if not available.ready:
            print(f"through the driver: not ready ({available.reason})")
            return
        # in turns, best of three, so a slow moment falls on both
        tiny_here = min(seconds_per_run([tiny] * runs, "sdk") for _ in range(3))
        tiny_there = min(seconds_per_run([tiny] * runs, through) for _ in range(3))
        catalogue_here = min(seconds_per_run(catalogue, "sdk") for _ in range(3)) * len(catalogue)
        catalogue_there = min(seconds_per_run(catalogue, through) for _ in range(3)) * len(catalogue)
        harness.drivers.release_target(through).stop()
    print(f"fixed cost per scenario:     in process {tiny_here * 1e3:.2f} ms; through the Python driver "
          f"{tiny_there * 1e3:.2f} ms ({tiny_there / tiny_here:.1f}x, +{(tiny_there - tiny_here) * 1e3:.2f} ms; "
          f"{runs} runs, best of 3)")
    print(f"catalogue ({len(catalogue)} scenarios):  in process {catalogue_here * 1e3:.0f} ms; through the Python "
          f"driver {catalogue_there * 1e3:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", default="9.12.1", help="the release whose environment is built")
    parser.add_argument("--tools", default="uv,pip", help="comma-separated: uv, pip")
    parser.add_argument("--runs", type=int, default=300, help="runs of the one-step scenario")
    args = parser.parse_args()
    environment_figures(args.release, [tool for tool in args.tools.split(",") if tool])
    fixed_costs(args.runs)


if __name__ == "__main__":
    main()
