"""The targets a scenario can run on, by name.

A target is a plain interface — a scenario and a clock in, a recording out —
so targets that run out of process can join::

    class Target(Protocol):
        name: str
        description: str
        def availability(self) -> Availability: ...   # ready here? which version?
        def world_type(self) -> type: ...             # has an on_<step> method per step kind
        def run(self, scenario: Scenario, clock: VirtualClock) -> Recording: ...
        # optional: why it cannot run this scenario, one line ("" when it can)
        def not_ready_for(self, scenario: Scenario) -> str: ...

:func:`register_target` checks, for a ready target, that its world handles
every step kind in the vocabulary, and names what is missing otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from ..errors import HarnessError, UsageError
from ..replay.clock import VirtualClock
from ..replay.recording import Recording
from ..vocabulary.model import Scenario
from ..vocabulary.steps import STEP_KINDS, handler_name
from .releases import Family, TargetName, in_range, release_name


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
_FAMILIES: dict[str, Family] = {}
_RELEASE_TARGETS: dict[str, Target] = {}  # "sdk@9.10.0" -> its target, made on first use


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


def register_family(family: Family) -> None:
    """Let ``family@release`` and ``family@low..high`` name its releases (see :mod:`.releases`)."""
    _FAMILIES[family.name] = family
    for name in [name for name in _RELEASE_TARGETS if name.partition("@")[0] == family.name]:
        del _RELEASE_TARGETS[name]


def families() -> list[Family]:
    """Every target family whose releases can be named, by name."""
    return [_FAMILIES[name] for name in sorted(_FAMILIES)]


def family(name: str) -> Family:
    found = _FAMILIES.get(name)
    if found is None:
        known = ", ".join(sorted(_FAMILIES)) or "none"
        raise UsageError(f"no target family {name!r} has releases to choose from (families: {known})")
    return found


def release_target(name: str) -> Target:
    """The target for one release (``sdk@9.10.0``), ready here or not."""
    parsed = TargetName.parse(name)
    if parsed.is_range or parsed.low is None:
        raise UsageError(f"{name!r} names a range of releases, not one: expand it first "
                         "(harness.drivers.expand_targets)")
    chosen = family(parsed.family)
    chosen.check_release(parsed.low)
    key = release_name(parsed.family, parsed.low)
    target = _RELEASE_TARGETS.get(key)
    if target is None:
        target = _RELEASE_TARGETS[key] = chosen.release_target(parsed.low)  # type: ignore[assignment]
    return target


def expand_targets(names: Iterable[str]) -> list[str]:
    """The names with every range (``sdk@9.1.0..9.20.0``, ``go@v7.0.0..``) replaced by the served
    releases it covers, oldest first; other names as they are."""
    out: list[str] = []
    for name in names:
        parsed = TargetName.parse(name)
        if not parsed.is_range:
            out.append(name)
            continue
        chosen = family(parsed.family)
        chosen.check_release(parsed.low)
        covered = in_range(chosen.releases(), parsed)
        if not covered:
            raise UsageError(f"{name!r} covers no release served here")
        out.extend(release_name(parsed.family, release.version) for release in covered)
    return out


def prepare_targets(names: Iterable[str], jobs: int = 2) -> None:
    """Get every release these names cover ready to run, each family's up to ``jobs`` at once."""
    wanted: dict[str, list] = {}
    for name in expand_targets(names):
        parsed = TargetName.parse(name)
        if parsed.low is not None:
            wanted.setdefault(parsed.family, []).append(parsed.low)
    for name, versions in wanted.items():
        prepare = getattr(family(name), "prepare", None)
        if prepare is not None and len(versions) > 1:
            prepare(versions, jobs)


def get_target(name: str) -> Target:
    """The target of that name, if it is ready here; :class:`UsageError` otherwise."""
    target = release_target(name) if "@" in name else _TARGETS.get(name)
    if target is None:
        raise UsageError(f"unknown target {name!r}; available: {', '.join(targets(ready_only=False))}")
    available = target.availability()
    if not available.ready:
        raise UsageError(f"target {name!r} cannot run here: {available.reason}")
    check_world(target)  # again: a step kind may have been declared since it was registered
    return target


# Why a target that takes no store of a type cannot, by type.
STORE_TYPE_WHY = {
    "python": "a python store core is a Python object, which only the sdk and sdk-async targets run in the kit's "
              "own process",
    "go": "a go store core is a Go package, which only the go targets build into their driver",
    "redis": "this target has no Redis integration to run",
}


def store_refusal(target_name: str, store_type: str, supported: Iterable[str]) -> str:
    """Why a target that takes only the ``supported`` store types cannot take ``store_type`` ("" when it can)."""
    if store_type in supported:
        return ""
    why = STORE_TYPE_WHY.get(store_type)
    return f"{target_name} takes no {store_type} store" + (f" ({why})" if why else "")


def refusal(target: Target, scenario: Scenario) -> str:
    """Why a ready target cannot run this scenario, in one line ("" when it can): its ``not_ready_for``."""
    check = getattr(target, "not_ready_for", None)
    return check(scenario) if check is not None else ""


def all_targets() -> list[Target]:
    """Every registered target, ready or not, by name."""
    return [_TARGETS[name] for name in sorted(_TARGETS)]
