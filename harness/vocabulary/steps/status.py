"""The data source's status and the store's health: ``status``, ``store_down``, ``store_up``.

Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ...errors import ScenarioError
from ..values import STATES, STORE_OPS, ErrorInfo, check
from . import drawing
from .declaration import VALUE_OR_MAPPING, Action, option, step_kind
from .forms import BOOLEAN, ERROR, STATE, STORE_OP_SET, TEXT


@step_kind
@dataclass(frozen=True, slots=True)
class Status(Action):
    """Report a data source state, maybe with an error (``sink.update_status(state, error)``)."""

    name: ClassVar[str] = "status"
    body: ClassVar[str] = VALUE_OR_MAPPING  # status: VALID
    state: str = option(STATE, "the new state: INITIALIZING, VALID, INTERRUPTED or OFF")
    error: ErrorInfo | None = option(ERROR, "the error reported with it: {kind, status_code, message}", default=None)

    def __post_init__(self):
        if self.state not in STATES:
            raise ScenarioError(f"state must be one of {', '.join(STATES)}, not {self.state!r}", key="state")
        check(self.error is None or isinstance(self.error, ErrorInfo), "error must be an ErrorInfo", "error")

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Status":
        return cls(drawing.pick(STATES, a), None if b % 2 == 0 else drawing.error(b // 2, c))


@step_kind
@dataclass(frozen=True, slots=True)
class StoreDown(Action):
    """Make the store fail the listed operations until ``store_up``."""

    name: ClassVar[str] = "store_down"
    fail: frozenset[str] = option(STORE_OP_SET, f"the operations that fail: any of {', '.join(STORE_OPS)} "
                                                "(default: all)", default=frozenset(STORE_OPS))
    available: bool = option(BOOLEAN, "what the store's status check answers meanwhile", default=False)
    message: str = option(TEXT, "the error message of each failure", default="store unavailable")

    def __post_init__(self):
        object.__setattr__(self, "fail", frozenset(self.fail))
        bad = sorted(self.fail - set(STORE_OPS))
        check(not bad, f"unknown store operation(s) {bad}; use {', '.join(STORE_OPS)}", "fail")
        check(isinstance(self.available, bool), "available must be true or false", "available")
        check(isinstance(self.message, str), "message must be a string", "message")

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "StoreDown":
        fail = frozenset(op for bit, op in enumerate(STORE_OPS) if a >> bit & 1) or frozenset(STORE_OPS)
        return cls(fail, bool(b & 1))


@step_kind
@dataclass(frozen=True, slots=True)
class StoreUp(Action):
    """End every store fault."""

    name: ClassVar[str] = "store_up"
