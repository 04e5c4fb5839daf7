"""Bisect: the first release in a range where a scenario behaves differently.

:func:`bisect` runs the scenario on the range's first and last served
releases. If they behave alike, nothing changed (as far as a bisection can
tell: a change and its undoing between them cancel out, which the matrix would
show). Otherwise it binary-searches the releases between for the first one that
behaves unlike the first release, runs that one and the one before it again to
confirm they still differ, and gives their first divergence with the steps
that lead to it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..drivers import expand_targets
from ..drivers.releases import TargetName
from ..errors import UsageError
from ..replay.freeze import virtual_time
from ..results.result import Result
from ..vocabulary.loader import load_scenario
from ..vocabulary.model import Scenario
from .diff import Divergence, first_divergence
from .matrix import behaviour_digest, split_name
from .runner import run


@dataclass
class BisectResult:
    """Where a scenario's behaviour first changed in a range of releases."""

    scenario: Scenario
    target: str                    # the family: "sdk"
    tried: list[str]               # the releases run, in the order they were run
    first_changed: str | None      # the first release that behaves differently from the range's first; None: none does
    last_before: str | None        # the release just before it
    divergence: Divergence | None  # the first divergence between those two neighbours
    results: dict[str, Result] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        if self.first_changed is None:
            return (f"{self.scenario.name}: every release of {self.target} tried behaves alike "
                    f"({', '.join(self.tried)})")
        return (f"{self.scenario.name}: {self.target} behaves differently from {self.first_changed} on "
                f"(last release before: {self.last_before}); tried {len(self.tried)} release(s): "
                f"{', '.join(self.tried)}")


def bisect(scenario: Scenario | str | os.PathLike, target_range: str) -> BisectResult:
    """The first release in ``target_range`` (``sdk@9.1.0..9.20.0``) where ``scenario`` behaves
    differently from the range's first release."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    parsed = TargetName.parse(target_range)
    if not parsed.is_range:
        raise UsageError(f"bisect needs a range of releases, like sdk@9.1.0..9.20.0, not {target_range!r}")
    names = expand_targets([target_range])
    if len(names) < 2:
        raise UsageError(f"{target_range!r} covers {len(names)} served release(s): bisect needs two or more")
    results: dict[str, Result] = {}
    tried: list[str] = []

    def behaviour(name: str) -> str:
        if name not in results:
            tried.append(split_name(name)[1] or name)
            result = results[name] = run(scenario, name)
            if result.driver_failure is not None:
                raise UsageError(f"bisect cannot go on: the run on {name} failed: {result.driver_failure.actual}")
        return behaviour_digest(results[name])

    with virtual_time():
        first = behaviour(names[0])
        if behaviour(names[-1]) == first:
            return BisectResult(scenario, parsed.family, tried, None, None, None, results)
        low, high = 0, len(names) - 1  # behaviour(low) == first != behaviour(high)
        while high - low > 1:
            middle = (low + high) // 2
            if behaviour(names[middle]) == first:
                low = middle
            else:
                high = middle
        # Confirm the neighbours with fresh runs: a difference that does not hold up is not a change.
        before, after = run(scenario, names[low]), run(scenario, names[high])
        if behaviour_digest(before) != first or behaviour_digest(after) == first:
            raise UsageError(f"{names[low]} and {names[high]} did not behave the same way twice: the runs are not "
                             "deterministic, so bisect cannot tell where the behaviour changed")
    divergence = first_divergence(scenario, before, after)
    return BisectResult(scenario, parsed.family, tried, split_name(names[high])[1], split_name(names[low])[1],
                        divergence, results)
