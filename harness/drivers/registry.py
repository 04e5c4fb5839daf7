"""The targets a scenario can run on, by name.

A target is a plain interface — a scenario and a clock in, a recording out —
so targets that run out of process can join::

    class Target(Protocol):
        name: str
        description: str
        def availability(self) -> Availability: ...   # ready here? which version?
        def world_type(self) -> type: ...             # has an on_<step> method per step kind
        def run(self, scenario: Scenario, clock: VirtualClock) -> Recording: ...

:func:`register_target` checks, for a ready target, that its world handles
every step kind in the vocabulary, and names what is missing otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..errors import HarnessError, UsageError
from ..replay.clock import VirtualClock
from ..replay.recording import Recording
from ..vocabulary.model import Scenario
from ..vocabulary.steps import STEP_KINDS, handler_name


@dataclass(frozen=True)
class Availability:
    """Whether a target can run here, what it runs, and if not, why."""

    ready: bool
    version: str = ""
    reason: str = ""


class Target(Protocol):
    name: str
    description: str

    def availability(self) -> Availability: ...

    def world_type(self) -> type: ...

    def run(self, scenario: Scenario, clock: VirtualClock) -> Recording: ...


_TARGETS: dict[str, Target] = {}


def missing_handlers(world_type: type) -> list[str]:
    """The step kinds a world class has no ``on_<kind>`` method for."""
    return [name for name, kind in STEP_KINDS.items()
            if kind.needs_handler and not callable(getattr(world_type, handler_name(name), None))]


def check_world(target: Target) -> None:
    """Raise :class:`HarnessError` unless the target's world handles every step kind."""
    world = target.world_type()
    missing = missing_handlers(world)
    if missing:
        wanted = ", ".join(f"{name} ({handler_name(name)})" for name in missing)
        raise HarnessError(f"target {target.name!r}: its world {world.__name__} handles no step of kind {wanted}")


def register_target(target: Target) -> None:
    """Make a target available by its name (replacing one of the same name)."""
    for attribute in ("name", "description", "availability", "world_type", "run"):
        if not hasattr(target, attribute):
            raise HarnessError(f"a target needs {attribute!r}; {target!r} has none")
    if target.availability().ready:
        check_world(target)
    _TARGETS[target.name] = target


def unregister_target(name: str) -> None:
    """Forget a target (one registered for a test or a notebook cell)."""
    _TARGETS.pop(name, None)


def targets(ready_only: bool = True) -> list[str]:
    """Names of the targets that can run here (every registered one with ``ready_only=False``)."""
    return sorted(name for name, t in _TARGETS.items() if not ready_only or t.availability().ready)


def get_target(name: str) -> Target:
    """The target of that name, if it is ready here; :class:`UsageError` otherwise."""
    target = _TARGETS.get(name)
    if target is None:
        raise UsageError(f"unknown target {name!r}; available: {', '.join(targets(ready_only=False))}")
    available = target.availability()
    if not available.ready:
        raise UsageError(f"target {name!r} cannot run here: {available.reason}")
    check_world(target)  # again: a step kind may have been declared since it was registered
    return target


def all_targets() -> list[Target]:
    """Every registered target, ready or not, by name."""
    return [_TARGETS[name] for name in sorted(_TARGETS)]
