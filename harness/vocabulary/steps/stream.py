"""The stream's life: ``disconnect``, ``reconnect`` and ``stop``.

Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..values import ErrorInfo, check, check_micros
from . import drawing
from .declaration import Action, option, step_kind
from .forms import DURATION, ERROR


def _connection_lost() -> ErrorInfo:
    return ErrorInfo("NETWORK_ERROR", 0, "connection lost")


@step_kind
@dataclass(frozen=True, slots=True)
class Disconnect(Action):
    """The stream drops: report INTERRUPTED with this error, and maybe schedule a reconnect."""

    name: ClassVar[str] = "disconnect"
    error: ErrorInfo = option(ERROR, "the error reported: {kind, status_code, message}",
                              default_factory=_connection_lost)
    reconnect_after: int | None = option(DURATION, "reconnect by itself this long after (default: never)",
                                         default=None)

    def __post_init__(self):
        check(isinstance(self.error, ErrorInfo), "error must be an ErrorInfo", "error")
        if self.reconnect_after is not None:
            check_micros(self.reconnect_after, "reconnect_after", "reconnect_after")

    @classmethod
    def drawn(cls, a: int, b: int, c: int) -> "Disconnect":
        return cls(drawing.error(a, b), None if c % 2 == 0 else drawing.WAITS[1 + (c // 2) % 5])

    def extent(self) -> int:
        return self.reconnect_after or 0


@step_kind
@dataclass(frozen=True, slots=True)
class Reconnect(Action):
    """The stream comes back: the source resends its whole data set as one init, then VALID."""

    name: ClassVar[str] = "reconnect"


@step_kind
@dataclass(frozen=True, slots=True)
class Stop(Action):
    """The data source stops: report OFF."""

    name: ClassVar[str] = "stop"
