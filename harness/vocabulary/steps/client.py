"""What the application does with the SDK's client: ``listen`` and ``evaluate``.

Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..values import check, check_json, check_key
from . import drawing
from .declaration import VALUE, Action, option, step_kind
from .forms import BOOLEAN, JSON_VALUE, KEY


@step_kind
@dataclass(frozen=True, slots=True)
class Listen(Action):
    """Add (``true``) or remove (``false``) the flag change listener."""

    name: ClassVar[str] = "listen"
    body: ClassVar[str] = VALUE  # listen: false
    on: bool = option(BOOLEAN, "true: add the listener; false: remove it", default=True)

    def __post_init__(self):
        check(isinstance(self.on, bool), "listen takes true or false")

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Listen":
        return cls(not a & 1)


@step_kind
@dataclass(frozen=True, slots=True)
class Evaluate(Action):
    """Evaluate a flag for a context key through ``variation_detail``."""

    name: ClassVar[str] = "evaluate"
    flag: str = option(KEY, "the flag's key")
    context: str = option(KEY, "the context's key", default="user-1")
    default: Any = option(JSON_VALUE, "the value served when the flag cannot be evaluated", default=None)

    def __post_init__(self):
        check_key(self.flag, "a flag key", "flag")
        check_key(self.context, "a context key", "context")
        check_json(self.default, "default", "the default")

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Evaluate":
        return cls(drawing.pick(drawing.FLAGS, a), drawing.pick(drawing.CONTEXTS, a // 3),
                   drawing.pick(drawing.DEFAULTS, b))
