"""The greedy shrinker that ``Divergence.shrink`` and exploration share.

Like a test-case reducer: drop one step at a time, from the last to the first,
keeping each cut after which the scenario still shows what it showed; pass over
the steps again while a pass dropped something. A cut that is no longer a valid
scenario (an ``at`` that now lies before the clock) does not show anything.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from ..errors import ScenarioError
from ..vocabulary.model import Scenario


def drop_steps(scenario: Scenario, shows: Callable[[Scenario], bool], budget: int) -> Scenario:
    """``scenario`` with as many steps dropped as can be while ``shows`` holds of it; at most ``budget``
    calls of ``shows``."""
    steps = list(scenario.steps)
    changed = True
    while changed and budget > 0:
        changed = False
        for index in range(len(steps) - 1, -1, -1):
            if budget <= 0:
                break
            budget -= 1
            cut = steps[:index] + steps[index + 1:]
            try:
                kept = shows(dataclasses.replace(scenario, steps=tuple(cut)))
            except ScenarioError:
                kept = False
            if kept:
                steps, changed = cut, True
    return dataclasses.replace(scenario, steps=tuple(steps))
