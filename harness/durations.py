"""Durations as scenarios write them: ``250ms``, ``2s``, ``1.5m``, ``1h``.

The kit keeps every time as whole microseconds, so virtual time never
accumulates float error.
"""

from __future__ import annotations

import re

from .errors import ScenarioError

UNITS_US = {"ms": 1_000, "s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000}
_PATTERN = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")


def parse_duration(text: object, *, key: str | None = None) -> int:
    """Return the duration in microseconds, or raise :class:`ScenarioError`."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ScenarioError(
            f"a duration must be a string such as '250ms', '2s', '1m' or '1h', not {text!r}",
            key=key)
    match = _PATTERN.match(text.strip())
    if not match:
        raise ScenarioError(
            f"bad duration {text!r}: write a number and one unit of ms, s, m or h (e.g. '250ms')",
            key=key)
    number, unit = match.groups()
    micros = round(float(number) * UNITS_US[unit])
    return micros


def format_duration(micros: int) -> str:
    """The shortest exact spelling of a duration (inverse of :func:`parse_duration`)."""
    if micros == 0:
        return "0s"
    for unit in ("h", "m", "s", "ms"):
        size = UNITS_US[unit]
        if micros % size == 0:
            return f"{micros // size}{unit}"
    return f"{micros / 1000:g}ms"
