"""Durations as scenarios write them: ``250ms``, ``2s``, ``1.5m``, ``1h``.

The kit keeps every time as whole microseconds, so virtual time never
accumulates float error. Parsing is exact (decimal arithmetic), and
:func:`format_duration` writes the shortest exact spelling back, so a
duration round-trips: ``1234.567ms`` comes back as ``1234.567ms``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..errors import ScenarioError

UNITS_US = {"ms": 1_000, "s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000}
_PATTERN = re.compile(r"^(\d{1,30}(?:\.\d{1,30})?)(ms|s|m|h)$")
_HINT = "write a number and one unit of ms, s, m or h (e.g. '250ms')"


def parse_duration(text: object, *, key: str | None = None) -> int:
    """Return the duration in whole microseconds, or raise :class:`ScenarioError`."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ScenarioError(f"a duration must be a string such as '250ms', '2s', '1m' or '1h', not {text!r}",
                            key=key)
    match = _PATTERN.match(text.strip())
    if not match:
        raise ScenarioError(f"bad duration {text!r}: {_HINT}", key=key)
    number, unit = match.groups()
    micros = Decimal(number) * UNITS_US[unit]
    if micros != micros.to_integral_value():
        raise ScenarioError(f"bad duration {text!r}: the virtual clock counts whole microseconds", key=key)
    return int(micros)


_WHOLE = re.compile(r"([0-9]{1,18})(ms|s|m|h)")


def simple_duration(text: object) -> int | None:
    """Microseconds of a duration in the plain form ``250ms`` (ASCII digits, no
    fraction), else None; for readers that fall back to :func:`parse_duration`."""
    if type(text) is not str:
        return None
    match = _WHOLE.fullmatch(text)
    return None if match is None else int(match[1]) * UNITS_US[match[2]]


def format_duration(micros: int) -> str:
    """The shortest exact spelling of a duration (inverse of :func:`parse_duration`)."""
    if micros == 0:
        return "0s"
    for unit in ("h", "m", "s", "ms"):
        size = UNITS_US[unit]
        if micros % size == 0:
            return f"{micros // size}{unit}"
    whole, rest = divmod(micros, 1_000)
    return f"{whole}.{rest:03d}".rstrip("0") + "ms"
