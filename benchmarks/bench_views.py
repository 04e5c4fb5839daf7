"""How fast the pictures and the explorer are.

Run: ``make bench`` (after the sink benchmark) or ``python benchmarks/bench_views.py``.
Prints figures; asserts nothing. Times come from the real perf counter.

- explorer step: a 1,000-operation scenario is replayed once; then every slider
  move only moves the cursor and re-encodes the picture (mean and worst).
- plot: drawing and rendering a 10,000-operation scenario to PNG.
"""

from __future__ import annotations

import argparse
import statistics

import harness
from harness import plot, widgets
from harness.replay.freeze import real_perf_counter
from bench_sink import generated_steps, scenario_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explorer-ops", type=int, default=1_000)
    parser.add_argument("--plot-ops", type=int, default=10_000)
    args = parser.parse_args()

    small = scenario_for(generated_steps(args.explorer_ops, 50, 1), 50)
    start = real_perf_counter()
    explorer = widgets.explore(small, catalogue="/nonexistent")
    setup = real_perf_counter() - start
    steps = list(range(-1, explorer.slider.max + 1, max(1, args.explorer_ops // 200)))
    times = []
    for step in steps:
        start = real_perf_counter()
        explorer.slider.value = step
        times.append(real_perf_counter() - start)
    print(f"explorer, {args.explorer_ops:,} ops:   replay + first draw {setup * 1e3:.0f} ms; "
          f"per step mean {statistics.mean(times) * 1e3:.1f} ms, worst {max(times) * 1e3:.1f} ms "
          f"({len(steps)} steps, {explorer.replays} replay)")

    big = harness.run(scenario_for(generated_steps(args.plot_ops, 200, 2), 200))
    start = real_perf_counter()
    png = plot.to_bytes(harness.plot(big), "png")
    elapsed = real_perf_counter() - start
    print(f"plot, {args.plot_ops:,} ops:       {elapsed:.2f} s to draw and render ({len(png) / 1024:.0f} KiB PNG)")


if __name__ == "__main__":
    main()
