"""Run scenarios on targets.

A target is a plain interface — a scenario and a clock in, a recording out —
so targets that run out of process can join later::

    class Target(Protocol):
        name: str
        def run(self, scenario: Scenario, clock: VirtualClock) -> Recording: ...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from .clock import VirtualClock, frozen_clock, virtual_time
from .errors import ScenarioError
from .checkers import check_all
from .expectations import check, check_violations
from .loader import load_path, load_scenario
from .model import Scenario
from .recording import Recording
from .result import Result
from .async_target import AsyncSdkTarget
from .contract_target import ContractTarget
from .sdk_target import SdkTarget


class Target(Protocol):
    name: str
    description: str

    def run(self, scenario: Scenario, clock: VirtualClock) -> Recording: ...


_TARGETS: dict[str, Target] = {}


def register_target(target: Target) -> None:
    """Make a target available by its name."""
    _TARGETS[target.name] = target


register_target(SdkTarget())
register_target(AsyncSdkTarget())
register_target(ContractTarget())


def targets() -> list[str]:
    """Names of the available targets."""
    return sorted(_TARGETS)


def get_target(name: str) -> Target:
    try:
        return _TARGETS[name]
    except KeyError:
        raise ScenarioError(f"unknown target {name!r}; available: {', '.join(targets())}", key="target") from None


def run(scenario: Scenario | str | os.PathLike, target: str = "sdk") -> Result:
    """Replay one scenario (or the scenario in one file) on one target."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    chosen = get_target(target)
    with frozen_clock(scenario.start) as clock:
        recording = chosen.run(scenario, clock)
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


def run_many(scenarios: Iterable[Scenario], target_names: Iterable[str] = ("sdk",)) -> Iterator[Result]:
    """Run every scenario on every target under one freeze (cheaper than one each)."""
    names = list(target_names)
    for name in names:
        get_target(name)
    with virtual_time():
        for scenario in scenarios:
            for name in names:
                yield run(scenario, name)
