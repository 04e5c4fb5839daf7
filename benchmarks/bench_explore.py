"""Exploring's throughput: generated 50-step scenarios per second, per target.

Run: ``make bench`` (or ``python benchmarks/bench_explore.py``). Prints figures;
asserts nothing. For each target, a campaign of generated 50-step scenarios
(Hypothesis generating, the invariants checked; one shared freeze) in one
process, against replaying the very same scenarios from memory: goal, at least
80% of the replay's rate (what exploring adds to a run is small). Then the same
campaign, larger, split over ``--jobs`` worker processes (``harness explore
--jobs``: each part a shard with its own seed, merged), as a user runs one on a
machine with that many cores: goal, at least 500 scenarios a second on every
target once the workers have started. The start (an interpreter, the kit, a
driver: about a second) is timed apart, with a campaign of one batch a worker;
the rate once started is the difference of the two campaigns' scenarios over
the difference of their times, and the rate with the start is printed too.
"""

from __future__ import annotations

import argparse

from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed

import harness
from harness.replay.freeze import real_perf_counter


def generated(count: int, steps: int, seed: int) -> list:
    seen: list = []

    @hypothesis_seed(seed)  # the same scenarios in every run of the benchmark
    @settings(max_examples=count, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(harness.strategies.scenarios(max_steps=steps, min_steps=steps))
    def collect(scenario):
        seen.append(scenario)
    collect()
    return seen


def round_trips(target: str, scenarios: list) -> float | None:
    """Round trips to an out-of-process driver a scenario (a batch sent and every answer awaited), or
    None for a target that runs in this process."""
    from harness.drivers.protocol.session import Session
    waited = []
    flush = Session.flush

    def counted(self, wait=True):
        waited.append(wait)
        return flush(self, wait)
    Session.flush = counted
    try:
        with harness.virtual_time():
            for scenario in scenarios:
                harness.run(scenario, target)
    finally:
        Session.flush = flush
    return sum(waited) / len(scenarios) if waited else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the parallel campaign (0: skip)")
    parser.add_argument("--parallel-examples", type=int, default=2000)
    args = parser.parse_args()
    scenarios = generated(args.examples, args.steps, 0)
    print(f"generated scenarios:       {len(scenarios)} of {args.steps} steps")
    rates: dict[str, float] = {}
    for target in harness.targets():
        with harness.virtual_time():
            harness.run(scenarios[0], target)  # warm (a Go driver starts)

        def replay() -> float:
            with harness.virtual_time():
                start = real_perf_counter()
                for scenario in scenarios:
                    harness.run(scenario, target)
                return len(scenarios) / (real_perf_counter() - start)

        def campaign() -> float:
            start = real_perf_counter()
            report = harness.explore([target], max_examples=args.examples, seed=0, steps=args.steps,
                                     min_steps=args.steps)
            return report.examples / (real_perf_counter() - start)
        # best of two each, taken in turns: this machine's speed wanders by a tenth from minute to minute
        replayed, explored = max(replay(), replay()), max(campaign(), campaign())
        rates[target] = explored
        trips = round_trips(target, scenarios)
        print(f"{target + ':':<27}explore {explored:,.0f} scenarios/s in one process; replay from memory "
              f"{replayed:,.0f}/s; {explored / replayed:.0%} (goal >= 80% of replay)"
              + ("" if trips is None else f"; {trips:.1f} round trips to the driver a scenario"))
    if "sdk" in rates:  # the machine's speed wanders; a ratio to sdk's rate, taken in the same run, less so
        print(f"{'explore against sdk:':<27}" + ", ".join(f"{target} {rate / rates['sdk']:.2f}x"
                                                         for target, rate in rates.items() if target != "sdk")
              + " its rate (one process, side by side)")
    if args.jobs > 1:
        for target in harness.targets():
            def parallel(examples: int) -> tuple[int, float]:
                start = real_perf_counter()
                report = harness.explore([target], max_examples=examples, seed=0, steps=args.steps,
                                         min_steps=args.steps, jobs=args.jobs)
                return report.examples, real_perf_counter() - start
            few, started = parallel(args.jobs * 8)  # one batch a worker: mostly the workers' start
            many, took = parallel(args.parallel_examples)
            once = (f"{(many - few) / (took - started):,.0f}" if many > few and took > started else "n/a")
            print(f"{target + ':':<27}explore {once} scenarios/s in {args.jobs} worker processes once started "
                  f"(goal >= 500/s); {many / took:,.0f}/s with their start ({many:,} scenarios; the start with "
                  f"{few} scenarios: {started:.1f} s)")


if __name__ == "__main__":
    main()
