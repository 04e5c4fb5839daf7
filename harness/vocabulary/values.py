"""The scenario vocabulary's words and small values: states, error kinds, items.

Pure: no YAML, no pandas, no SDK. Every value checks itself when built and
raises :class:`~harness.errors.ScenarioError` naming the offending key.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
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
# The virtual clock must stay inside what datetime can hold, timers included.
LATEST_TIME = datetime(9999, 1, 1, tzinfo=timezone.utc)


def check(condition: bool, message: str, key: str | None = None) -> None:
    """Raise :class:`ScenarioError` with ``message`` at ``key`` unless ``condition``."""
    if not condition:
        raise ScenarioError(message, key=key)


def is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_version(version: object, key: str) -> None:
    check(is_whole(version), f"version must be a whole number, not {version!r}", key)
    check(version >= 0, f"version must not be negative, got {version}", key)  # type: ignore[operator]


def check_key(value: object, what: str, key: str) -> None:
    check(isinstance(value, str) and value != "", f"{what} must be a non-empty string, not {value!r}", key)


def check_micros(value: object, key: str) -> None:
    """A duration in whole microseconds, not negative."""
    check(is_whole(value) and value >= 0, f"{key} must be a duration that is not negative", key)  # type: ignore


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


@dataclass(frozen=True, slots=True)
class Item:
    """A flag or segment as a scenario gives it: a short spec that ``items.py``
    expands into the SDK's real JSON. ``spec`` holds every key the author wrote
    (``version`` included)."""

    kind: str
    key: str
    spec: Mapping[str, Any]
    #: The SDK's JSON for this item, made on first use by ``items.item_json``.
    json_cache: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        spec = self.spec
        if type(spec) is dict and len(spec) == 1 and type(spec.get("version")) is int and spec["version"] >= 0 \
                and self.kind in KINDS and type(self.key) is str and self.key:
            object.__setattr__(self, "spec", {"version": spec["version"]})  # the common case, checked quickly
            return
        check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}", "kind")
        check_key(self.key, "an item key", "key")
        check(isinstance(self.spec, Mapping), f"the spec of {self.key!r} must be a mapping", self.key)
        check("version" in self.spec, f"{self.key!r} needs a version", f"{self.key}.version")
        check_version(self.spec["version"], f"{self.key}.version")
        for ref in ("prerequisites", "segments", "included"):
            refs = self.spec.get(ref)
            if refs is not None:
                check(isinstance(refs, list), f"{ref} must be a list", f"{self.key}.{ref}")
        object.__setattr__(self, "spec", plain_copy(dict(self.spec)))

    @property
    def version(self) -> int:
        return self.spec["version"]


@dataclass(frozen=True)
class ErrorInfo:
    """A data source error as the SDK reports it."""

    kind: str = "UNKNOWN"
    status_code: int = 0
    message: str = ""

    def __post_init__(self):
        check(self.kind in ERROR_KINDS,
              f"error kind must be one of {', '.join(ERROR_KINDS)}, not {self.kind!r}", "kind")
        check(is_whole(self.status_code) and self.status_code >= 0,
              f"status_code must be a whole number >= 0, not {self.status_code!r}", "status_code")
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
