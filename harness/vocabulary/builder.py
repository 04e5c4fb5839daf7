"""Build scenarios in Python with the same vocabulary as the YAML files::

    sc = (harness.scenario("stale-upsert-is-ignored")
          .init(flags={"f1": {"version": 1}})
          .status("VALID")
          .upsert(flag="f1", version=3)
          .upsert(flag="f1", version=2)
          .expect(outcomes=["applied", "applied", "ignored"], store={"flags": {"f1": 3}})
          .build())

Each method appends the step as its YAML data; :meth:`ScenarioBuilder.build`
checks it all exactly as a file would be checked. A plain upsert or delete,
``flag``/``segment`` and ``version`` only, is checked when it is added and
kept as its row (see ``Steps``): builders of 100,000 steps spent most of their
time making dicts and step objects.
"""

from __future__ import annotations

from typing import Any

from ..bulk import gc_paused
from .loader import scenario_from_data
from .model import Scenario
from .step_list import is_plain_write


class ScenarioBuilder:
    """Chainable steps; every step method takes ``at=`` or ``after=`` ("2s")."""

    def __init__(self, name: str, **settings: Any):
        self._data: dict[str, Any] = {"name": name, **settings, "steps": []}

    def _step(self, action: str, body: Any, at: str | None, after: str | None) -> "ScenarioBuilder":
        step: dict[str, Any] = {action: body}
        if at is not None:
            step["at"] = at
        if after is not None:
            step["after"] = after
        self._data["steps"].append(step)
        return self

    def init(self, flags: dict | None = None, segments: dict | None = None, *, at=None, after=None):
        body: dict[str, Any] = {"flags": flags or {}}
        if segments:
            body["segments"] = segments
        return self._step("init", body, at, after)

    def _plain(self, action: str, flag, segment, version, at, after) -> bool:
        """Keep a plain write as its row, ("upsert" or "delete", item kind, key, version), when
        nothing about it needs the schema's eye."""
        if at is not None or after is not None or (flag is None) == (segment is None):
            return False
        row = (action, "flags", flag, version) if segment is None else (action, "segments", segment, version)
        if not is_plain_write(row):
            return False
        self._data["steps"].append(row)
        return True

    def upsert(self, *, flag: str | None = None, segment: str | None = None, version: Any = None, at=None,
               after=None, **spec):
        if not spec and self._plain("upsert", flag, segment, version, at, after):
            return self
        target = _target(flag, segment)
        if version is not None:
            spec["version"] = version
        return self._step("upsert", {**target, **spec}, at, after)

    def delete(self, *, flag: str | None = None, segment: str | None = None, version: int, at=None, after=None):
        if self._plain("delete", flag, segment, version, at, after):
            return self
        target = _target(flag, segment)
        return self._step("delete", {**target, "version": version}, at, after)

    def status(self, state: str, error: dict | None = None, *, at=None, after=None):
        return self._step("status", state if error is None else {"state": state, "error": error}, at, after)

    def store_down(self, *, at=None, after=None, **fault):
        return self._step("store_down", fault, at, after)

    def store_up(self, *, at=None, after=None):
        return self._step("store_up", {}, at, after)

    def wait(self, duration: str, *, at=None, after=None):
        return self._step("wait", duration, at, after)

    def listen(self, on: bool = True, *, at=None, after=None):
        return self._step("listen", on, at, after)

    def evaluate(self, flag: str, context: str = "user-1", default: Any = None, *, at=None, after=None):
        return self._step("evaluate", {"flag": flag, "context": context, "default": default}, at, after)

    def disconnect(self, error: dict | None = None, reconnect_after: str | None = None, *, at=None, after=None):
        body: dict[str, Any] = {}
        if error is not None:
            body["error"] = error
        if reconnect_after is not None:
            body["reconnect_after"] = reconnect_after
        return self._step("disconnect", body, at, after)

    def reconnect(self, *, at=None, after=None):
        return self._step("reconnect", {}, at, after)

    def stop(self, *, at=None, after=None):
        return self._step("stop", {}, at, after)

    def expect(self, **expectations: Any) -> "ScenarioBuilder":
        self._data.setdefault("expect", {}).update(expectations)
        return self

    def data(self) -> dict:
        """The scenario as YAML-shaped data."""
        steps = [_plain_data(step) if type(step) is tuple else step for step in self._data["steps"]]
        return {**self._data, "steps": steps}

    def build(self) -> Scenario:
        """Check everything and return the :class:`~harness.model.Scenario`."""
        with gc_paused():
            return scenario_from_data(self._data)


def _target(flag, segment) -> dict:
    """The item named, as written (both or neither are left for the checks to refuse)."""
    return {name: key for name, key in (("flag", flag), ("segment", segment)) if key is not None}


def _plain_data(plain: tuple) -> dict:
    action, kind, key, version = plain
    return {action: {"flag" if kind == "flags" else "segment": key, "version": version}}


def scenario(name: str, **settings: Any) -> ScenarioBuilder:
    """Start building a scenario; settings are the top-level YAML keys (store, start, listen, ...)."""
    return ScenarioBuilder(name, **settings)
