"""A driver's life: its memory and its pace over many scenarios, per out-of-process target.

Run: ``make bench`` (or ``python benchmarks/bench_drivers.py``). Prints figures; asserts nothing.

The kit replaces a driver process every ``scenarios_per_driver`` scenarios (the Go driver keeps every
scenario's client, so its memory grows; see harness/drivers/go/driver/common/driver_test.go). A
replacement costs its start and, for Node, the warming of its JIT. For each target this runs one
driver through ``--rounds`` rounds of ``--scenarios`` generated 50-step scenarios, never replaced, and
prints its resident memory (Linux's /proc) from the end of the first round to the end of the last, and
its pace in the first round and the last: the figures behind each target's ``scenarios_per_driver``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_explore import generated
from bench_python_releases import installed_through_driver

import harness
from harness.drivers import get_target
from harness.drivers.protocol import DriverTarget
from harness.replay.freeze import real_perf_counter


def resident_mib(pid: int) -> float | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=500, help="scenarios a round")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--targets", default=None, help="comma-separated (default: every ready out-of-process "
                                                        "one, and the installed Python SDK through its driver)")
    args = parser.parse_args()
    scenarios = generated(args.scenarios, 50, 1)
    names = args.targets.split(",") if args.targets else harness.targets()
    for name in names:
        follow(name, scenarios, args.rounds)
    if not args.targets:
        with installed_through_driver() as name:
            follow(name, scenarios, args.rounds)


def follow(name: str, scenarios: list, rounds: int) -> None:
    """One driver of ``name`` through ``rounds`` rounds of ``scenarios``; its figures printed."""
    target = get_target(name)
    if not isinstance(target, DriverTarget):
        return
    kept = target.scenarios_per_driver
    target.stop()
    target.scenarios_per_driver = 10 ** 9  # one process throughout
    try:
        with harness.virtual_time():
            harness.run(scenarios[0], name)
            pid = target.driver().pid  # the one the first run started
            paces, memory = [], []
            for _ in range(rounds):
                start = real_perf_counter()
                for scenario in scenarios:
                    harness.run(scenario, name)
                paces.append((real_perf_counter() - start) / len(scenarios) * 1e3)
                memory.append(resident_mib(pid))
    finally:
        target.stop()
        target.scenarios_per_driver = kept
    count = rounds * len(scenarios)
    # from the end of the first round: the heap's growth to its working size is not a leak
    first, last = memory[0], memory[-1]
    grows = ("memory n/a (no /proc)" if first is None or last is None or rounds < 2 else
             f"memory {first:,.0f} -> {last:,.0f} MiB after the first round "
             f"({(last - first) * 1024 / (count - len(scenarios)):+,.1f} KiB a scenario)")
    print(f"{name + ':':<27}{count:,} scenarios in one driver: {grows}; {paces[0]:.2f} ms a scenario in the "
          f"first round, {paces[-1]:.2f} in the last ({paces[0] / paces[-1]:.2f}x); "
          f"replaced every {kept:,} scenarios")


if __name__ == "__main__":
    main()
