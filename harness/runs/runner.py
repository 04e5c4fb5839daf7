"""Run scenarios on targets and judge them.

:func:`run` replays one scenario on one target under the virtual clock, then
checks the scenario's expectations and every invariant checker on the
recording. :func:`run_many` does a batch, sharing freezes between runs.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterable, Iterator

from ..checks.checkers import check_all
from ..checks.expectations import Failure, check, check_violations
from ..errors import DriverError, UsageError
from ..replay.clock import VirtualClock
from ..replay.recording import Recording
from ..replay.freeze import frozen_clock, real_perf_counter, virtual_time
from ..replay.interrupts import defers_interrupts, handling_interrupts
from ..results.result import DRIVER_FAILED, Result
from ..vocabulary.loader import load_path, load_scenario
from ..vocabulary.model import Scenario
from ..drivers import expand_targets, get_target, refusal

# run_many holds one freeze for this long (real seconds) before handing results
# over: a freeze costs milliseconds, and a caller holding a paused generator must
# not find the whole process frozen.
BATCH_SECONDS = 0.25


def run(scenario: Scenario | str | os.PathLike, target: str = "sdk") -> Result:
    """Replay one scenario (or the scenario in one file) on one target."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    # Not with the collector paused: the rows a run records are tuples it soon stops tracking,
    # and it does so cheaply while they are young; paused, it walks them all at the end.
    chosen = get_target(target)
    why = refusal(chosen, scenario)
    if why:
        raise UsageError(f"target {target!r} cannot run scenario {scenario.name!r}: {why}")
    return _run(scenario, chosen, target)


def refused_runs(scenarios: Iterable[Scenario], target_names: Iterable[str]) -> list[tuple[Scenario, str, str]]:
    """(scenario, target, why) for each run a ready target cannot make (a store type it does not
    take, say): :func:`run_many` leaves these out, and says which through this."""
    names = expand_targets(target_names)
    out = []
    for scenario in scenarios:
        for name in names:
            why = refusal(get_target(name), scenario)
            if why:
                out.append((scenario, name, why))
    return out


@contextlib.contextmanager
def plain_clock(start) -> Iterator[VirtualClock]:
    """A virtual clock that moves nothing else: for a target whose code under test never reads the
    wall clock in this process (the contract model; a driver in another process keeps its own)."""
    yield VirtualClock(start)


@defers_interrupts
def _run(scenario: Scenario, chosen, target: str) -> Result:
    # A Ctrl-C stops the run at its next safe point (between steps, between timers, in a driver's
    # read loop), after the target's clean-up and with the clock real again (see replay/interrupts.py).
    # Only code that reads the wall clock (an SDK in this process) needs the freeze moved with the clock.
    clock_for = frozen_clock if getattr(chosen, "reads_wall_clock", True) else plain_clock
    with handling_interrupts(), clock_for(scenario.start) as clock:
        try:
            recording = chosen.run(scenario, clock)
        except DriverError as e:  # the driver broke down: a failed run, with what it recorded so far
            partial = e.partial if isinstance(e.partial, Recording) else Recording(clock.read)
            return Result(scenario, target, partial, [Failure(DRIVER_FAILED, "a complete run", str(e))])
    expect = scenario.expect.for_target(target)
    verdicts = check_all(recording, target)
    failures = check(expect, recording) + check_violations(expect, verdicts)
    return Result(scenario, target, recording, failures, verdicts)


def collect(paths: Iterable[str | os.PathLike]) -> list[Scenario]:
    """Every scenario in these files and folders (folders searched for *.yaml, sorted)."""
    scenarios: list[Scenario] = []
    for path in paths:
        scenarios.extend(load_path(Path(path)))
    return scenarios


def shard_of(items: list, shard: tuple[int, int] | None) -> list:
    """Part ``i`` of ``n`` (``shard=(i, n)``, from 1): every n-th item from the i-th, so parts are even
    and together hold every item once, in order."""
    if shard is None:
        return items
    i, n = shard
    if not 1 <= i <= n:
        raise UsageError(f"a shard is I/N with 1 <= I <= N, not {i}/{n}")
    return items[i - 1::n]


def run_many(scenarios: Iterable[Scenario], target_names: Iterable[str] = ("sdk",),
             shard: tuple[int, int] | None = None) -> Iterator[Result]:
    """Run every scenario on every target (a range: every served release in it), in order; with
    ``shard=(i, n)``, only part ``i`` of ``n`` of those runs (see :func:`shard_of`). A run a target
    cannot make is left out (:func:`refused_runs` lists them, with why).

    Runs share one freeze for up to :data:`BATCH_SECONDS` at a time; the freeze
    is released before results are handed over, so the caller's code between
    results runs on real time.
    """
    names = expand_targets(target_names)
    chosen = {name: get_target(name) for name in names}
    pending = shard_of([(scenario, name) for scenario in scenarios for name in names
                        if not refusal(chosen[name], scenario)], shard)
    done = 0
    while done < len(pending):
        batch: list[Result] = []
        with virtual_time():
            started = real_perf_counter()
            while done < len(pending) and (not batch or real_perf_counter() - started < BATCH_SECONDS):
                scenario, name = pending[done]
                batch.append(run(scenario, name))
                done += 1
        yield from batch
