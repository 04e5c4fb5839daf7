"""The scenario vocabulary's words, the ranges every target can hold, and small values.

Pure: no YAML, no pandas, no SDK. Every value checks itself when built and
raises :class:`~harness.errors.ScenarioError` naming the offending key.

The ranges are what every target and every frame can hold, checked at load so
that nothing fails later:

- versions are whole numbers from 0 to 2**53 - 1 (:data:`MAX_VERSION`): every
  SDK reads item JSON through float64 or JavaScript numbers, where larger whole
  numbers lose precision (and Go reads 2**63 - 1 as a negative number);
- status codes run from 0 to 999 (:data:`MAX_STATUS_CODE`);
- every virtual instant a scenario can reach lies from 1970-01-01 to
  2200-01-01 UTC (:data:`EARLIEST_TIME`, :data:`LATEST_TIME`): pandas'
  datetime64[ns] ends in 2262 and Go's time.Duration holds 292 years, so no
  duration may exceed that span (:data:`LONGEST_DURATION`) either;
- values sent to the SDKs are JSON: no NaN or Infinity (:func:`check_json`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from ..errors import ScenarioError

STATES = ("INITIALIZING", "VALID", "INTERRUPTED", "OFF")
ERROR_KINDS = ("UNKNOWN", "NETWORK_ERROR", "ERROR_RESPONSE", "INVALID_DATA", "STORE_ERROR")
KINDS = ("flags", "segments")
STORE_OPS = ("init", "upsert", "delete", "get", "all")
OUTCOMES = ("applied", "ignored", "error")
DATA_OPS = ("init", "upsert", "delete")
DEFAULT_START = datetime(2024, 1, 1, tzinfo=timezone.utc)

MAX_VERSION = 2 ** 53 - 1
VERSION_RANGE_WHY = "the SDKs read item JSON as float64 or JavaScript numbers, exact up to 2**53 - 1"
MAX_STATUS_CODE = 999
# Every instant the virtual clock can reach, timers included, lies in this span.
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST_TIME = datetime(2200, 1, 1, tzinfo=timezone.utc)
TIME_RANGE_WHY = "pandas' datetime64[ns] ends in 2262 and Go's time.Duration holds 292 years"
LONGEST_DURATION = (LATEST_TIME - EARLIEST_TIME).days * 86_400_000_000  # microseconds: about 230 years


def check(condition: bool, message: str, key: str | None = None) -> None:
    """Raise :class:`ScenarioError` with ``message`` at ``key`` unless ``condition``."""
    if not condition:
        raise ScenarioError(message, key=key)


def is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_version(value: object) -> bool:
    """A whole number from 0 to :data:`MAX_VERSION` (the quick test; :func:`check_version` explains)."""
    return type(value) is int and 0 <= value <= MAX_VERSION


# The checks below are called for every step of long scenarios: they build their message only on failure.

def check_version(version: object, key: str | None) -> None:
    if is_version(version):
        return
    check(is_whole(version), f"version must be a whole number, not {version!r}", key)
    check(version >= 0, f"version must not be negative, got {version}", key)  # type: ignore[operator]
    raise ScenarioError(f"version {version} is above {MAX_VERSION:,} (2**53 - 1): {VERSION_RANGE_WHY}", key=key)


def check_key(value: object, what: str, key: str) -> None:
    if not (isinstance(value, str) and value != ""):
        raise ScenarioError(f"{what} must be a non-empty string, not {value!r}", key=key)


def check_micros(value: object, key: str | None, what: str = "a duration") -> None:
    """A duration in whole microseconds, not negative and at most :data:`LONGEST_DURATION`."""
    if type(value) is int and 0 <= value <= LONGEST_DURATION:
        return
    check(is_whole(value) and value >= 0, f"{what} must be a duration that is not negative", key)  # type: ignore
    raise ScenarioError(f"{what} is longer than the virtual clock's whole span, {EARLIEST_TIME.year} to "
                        f"{LATEST_TIME.year} ({TIME_RANGE_WHY})", key=key)


def check_json(value: Any, key: str | None, what: str = "a value") -> None:
    """``value`` is JSON data the drivers can send: mappings with text keys, lists, text,
    true/false, null, whole numbers and finite numbers (no NaN or Infinity)."""
    # Messages are made only when one is raised: this runs on every item of every scenario.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                raise ScenarioError(f"{what} holds {item!r}, which is not JSON (the drivers speak JSON)", key=key)
        elif isinstance(item, dict):
            for name, inner in item.items():
                if not isinstance(name, str):
                    raise ScenarioError(f"{what} holds the key {name!r}; JSON keys are text", key=key)
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
        elif not (item is None or isinstance(item, (str, int))):
            raise ScenarioError(f"{what} holds {item!r}, which is not JSON data", key=key)


_IMMUTABLE = (str, int, float, bool, type(None))


def plain_copy(value: Any) -> Any:
    """A deep copy, cheap for plain data (dicts, lists, strings, numbers); anything else goes to deepcopy."""
    if isinstance(value, dict):
        return {k: plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_copy(v) for v in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


@dataclass(frozen=True)
class ErrorInfo:
    """A data source error as the SDK reports it."""

    kind: str = "UNKNOWN"
    status_code: int = 0
    message: str = ""

    def __post_init__(self):
        check(self.kind in ERROR_KINDS,
              f"error kind must be one of {', '.join(ERROR_KINDS)}, not {self.kind!r}", "kind")
        check(is_whole(self.status_code) and 0 <= self.status_code <= MAX_STATUS_CODE,
              f"status_code must be a whole number from 0 to {MAX_STATUS_CODE}, not {self.status_code!r}",
              "status_code")
        check(isinstance(self.message, str), f"message must be a string, not {self.message!r}", "message")

    @classmethod
    def from_data(cls, data: Mapping | None) -> "ErrorInfo | None":
        if data is None:
            return None
        return cls(data.get("kind", "UNKNOWN"), data.get("status_code", 0), data.get("message", ""))

    def to_data(self) -> dict:
        data: dict = {"kind": self.kind}
        if self.status_code:
            data["status_code"] = self.status_code
        if self.message:
            data["message"] = self.message
        return data


def target_family(target: str) -> str:
    """The target a name stands for, release aside: ``sdk@9.10.0`` is a release of ``sdk``. Expectations,
    checkers and known differences written for a target hold for each of its releases."""
    return target.partition("@")[0]
