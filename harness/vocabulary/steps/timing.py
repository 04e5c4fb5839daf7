"""Time in a scenario: the ``wait`` step, and :class:`Step`, an action with its timing.

Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping

from ...errors import ScenarioError
from ..durations import format_duration, parse_duration, simple_duration
from ..values import check, check_micros
from . import drawing
from .declaration import STEP_KINDS, TIMING_KEYS, VALUE, Action, option, step_kind
from .forms import DURATION

#: What ``at`` and ``after`` mean (for the schema and the builder's help).
TIMING_DOCS = {"at": "first move the clock to this time since the start",
               "after": "first move the clock by this much since the previous step"}


@step_kind
@dataclass(frozen=True, slots=True)
class Wait(Action):
    """Advance the virtual clock; due timers fire in time order."""

    name: ClassVar[str] = "wait"
    body: ClassVar[str] = VALUE  # wait: 2s
    needs_handler: ClassVar[bool] = False
    micros: int = option(DURATION, "how long: 250ms, 2s, 1m, 1h", name="duration")

    def __post_init__(self):
        check_micros(self.micros, None, "wait")

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Wait":
        return cls(drawing.pick(drawing.WAITS, a))

    def extent(self) -> int:
        return self.micros


@dataclass(frozen=True, slots=True)
class Step:
    """An action, optionally preceded by moving the clock to ``at`` (since the
    start) or by ``after`` (since the previous step), both in microseconds."""

    action: Action
    at: int | None = None
    after: int | None = None
    line: int | None = field(default=None, compare=False)

    def __post_init__(self):
        if self.at is None and self.after is None and isinstance(self.action, Action):
            return  # the common case, checked quickly
        check(isinstance(self.action, Action), f"a step needs an action, not {self.action!r}")
        check(self.at is None or self.after is None, "a step takes 'at' or 'after', not both", "at")
        for name in TIMING_KEYS:
            value = getattr(self, name)
            if value is not None:
                check_micros(value, name, name)

    @classmethod
    def from_data(cls, data: Mapping, line: int | None = None) -> "Step":
        """A step from its YAML mapping: one step kind, and maybe ``at`` or ``after``."""
        names = [k for k in data if k not in TIMING_KEYS]
        if len(names) != 1:
            raise ScenarioError(f"a step holds exactly one action, found {len(names)}: {', '.join(names) or 'none'}")
        name = names[0]
        kind = STEP_KINDS.get(name)
        if kind is None:
            raise ScenarioError(f"unknown step {name!r}; steps are: {', '.join(STEP_KINDS)}", key=name)
        try:
            action = kind.from_data(data[name])
        except ScenarioError as e:
            raise e.located(prefix=name) from None
        timing = {k: parse_duration(data[k], key=k) for k in TIMING_KEYS if k in data}
        return cls(action, line=line, **timing)

    @classmethod
    def from_simple_data(cls, data: Any, line: int | None = None) -> "Step | None":
        """The step from its mapping when every part is in its common form
        (see :meth:`Action.from_simple_data`), else None. A step already built is itself."""
        if type(data) is not dict:
            return data if type(data) is Step else None
        timing = {}
        if len(data) != 1:
            for key in TIMING_KEYS:
                if key in data:
                    timing[key] = simple_duration(data[key])
                    if timing[key] is None:
                        return None
            if len(timing) != 1 or len(data) != 2:
                return None
        name = next(iter(data)) if len(data) == 1 else next(k for k in data if k not in TIMING_KEYS)
        kind = STEP_KINDS.get(name)
        action = None if kind is None else kind.from_simple_data(data[name])
        if action is None:
            return None
        try:
            return cls(action, line=line, **timing)
        except ScenarioError:
            return None  # the careful reader explains it, located

    def to_data(self) -> dict:
        data: dict = {self.action.name: self.action.to_data()}
        if self.at is not None:
            data["at"] = format_duration(self.at)
        if self.after is not None:
            data["after"] = format_duration(self.after)
        return data
