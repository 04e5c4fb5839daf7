"""Build scenarios in Python with the same vocabulary as the YAML files::

    sc = (harness.scenario("stale-upsert-is-ignored")
          .init(flags={"f1": {"version": 1}})
          .status("VALID")
          .upsert(flag="f1", version=3)
          .upsert(flag="f1", version=2)
          .expect(outcomes=["applied", "applied", "ignored"], store={"flags": {"f1": 3}})
          .build())

:class:`ScenarioBuilder` has a method for every step kind, made from the
kind's declaration (see ``steps/declaration.py``): its options are the
method's parameters, with their defaults and descriptions in ``help()``, and
``at=``/``after=`` move the clock first. A kind declared later gets its method
as it is declared. Each call appends the step as its YAML data;
:meth:`ScenarioBuilder.build` checks it all exactly as a file would be
checked. A plain upsert or delete, ``flag``/``segment`` and ``version`` only,
is checked when it is added and kept as its row (see ``Steps``): builders of
100,000 steps spent most of their time making dicts and step objects.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..bulk import gc_paused
from .loader import scenario_from_data
from .model import Scenario, given_core
from .step_list import PLAIN_WRITES, is_plain_write
from .steps import MAPPING, TIMING_DOCS, VALUE, Action, when_declared
from .steps.declaration import description


class ScenarioBuilder:
    """Chainable steps, one method per step kind; every step method takes ``at=`` or ``after=`` ("2s")."""

    def __init__(self, name: str, **settings: Any):
        store = settings.get("store")
        if isinstance(store, dict) and callable(store.get("core")):  # a core given as the class itself
            settings["store"] = {**store, "core": given_core(store["core"])}
        self._data: dict[str, Any] = {"name": name, **settings, "steps": []}

    def _add(self, kind: type[Action], given: dict[str, Any], at: Any, after: Any) -> "ScenarioBuilder":
        """Append a step of ``kind`` from the arguments given (an option given None: left out)."""
        options = kind.param_index  # an option given None is left out; an extra key's None is a JSON null
        given = {name: value for name, value in given.items()
                 if not ((value is None or type(value) is _Default) and name in options)}
        if at is None and after is None and kind.name in PLAIN_WRITES and len(given) == 2:
            row = _plain_row(kind.name, given)
            if row is not None:
                self._data["steps"].append(row)
                return self
        step: dict[str, Any] = {kind.name: _body(kind, given)}
        if at is not None:
            step["at"] = at
        if after is not None:
            step["after"] = after
        self._data["steps"].append(step)
        return self

    def expect(self, **expectations: Any) -> "ScenarioBuilder":
        """What the run must show: the keys of the YAML ``expect:`` block."""
        self._data.setdefault("expect", {}).update(expectations)
        return self

    def data(self) -> dict:
        """The scenario as YAML-shaped data."""
        steps = [_plain_data(step) if type(step) is tuple else step for step in self._data["steps"]]
        return {**self._data, "steps": steps}

    def build(self) -> Scenario:
        """Check everything and return the :class:`~harness.vocabulary.model.Scenario`."""
        with gc_paused():
            return scenario_from_data(self._data)


def _body(kind: type[Action], given: dict[str, Any]) -> Any:
    """The step's YAML body from the builder's arguments (written forms, as in YAML)."""
    first = kind.params[0] if kind.params else None
    if kind.body == VALUE:
        return given[first.name] if first.name in given else _written_default(first)  # type: ignore[union-attr]
    if kind.body != MAPPING and given.keys() == {first.name}:  # type: ignore[union-attr]
        return given[first.name]  # type: ignore[union-attr]
    return given


def _plain_row(action: str, given: dict[str, Any]) -> tuple | None:
    """("upsert" or "delete", kind, key, version) of two arguments naming one item and its version
    alone, else None."""
    key = given.get("flag")
    row = (action, "flags", key, given.get("version")) if key is not None else \
        (action, "segments", given.get("segment"), given.get("version"))
    return row if is_plain_write(row) else None


def _plain_data(plain: tuple) -> dict:
    action, kind, key, version = plain
    return {action: {"flag" if kind == "flags" else "segment": key, "version": version}}


# -- a method per step kind ------------------------------------------------------------------

class _Default:
    """An argument left out: the step's own default applies. Shown as that default in ``help()``."""

    __slots__ = ("shown",)

    def __init__(self, shown: Any):
        self.shown = shown

    def __repr__(self) -> str:
        return repr(self.shown)


def _written_default(param) -> Any:
    default = param.default_value()
    return None if default is None else param.form.write(default)


def _signature(kind: type[Action]) -> inspect.Signature:
    """``(self, <options>, *, at=None, after=None[, **extra])``: options by position too, unless a
    required one follows one with a default (then all are keyword-only, as for upsert)."""
    params = kind.params
    in_order = all(not later.required or earlier.required for earlier, later in zip(params, params[1:]))
    style = inspect.Parameter.POSITIONAL_OR_KEYWORD if in_order else inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for param in params:
        default = inspect.Parameter.empty if param.required else _Default(_written_default(param))
        parameters.append(inspect.Parameter(param.name, style, default=default))
    parameters += [inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=None) for key in TIMING_DOCS]
    if kind.extra is not None:
        parameters.append(inspect.Parameter(kind.extra[0], inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(parameters)


def _docstring(kind: type[Action]) -> str:
    lines = [description(kind), "", f"The ``{kind.name}:`` step; returns the builder. Parameters:", ""]
    lines += [f"- ``{param.name}``: {param.doc}" + ("" if param.required else
                                                  f" (default {_written_default(param)!r})")
              for param in kind.params]
    if kind.extra is not None:
        lines.append(f"- ``**{kind.extra[0]}``: {kind.extra[2]}")
    lines += [f"- ``{key}``: {doc}, e.g. \"2s\"" for key, doc in TIMING_DOCS.items()]
    return "\n".join(lines)


def _method(kind: type[Action]):
    """The builder method of a step kind: binds the arguments as its signature says."""
    signature = _signature(kind)
    names = [param.name for param in kind.params]
    by_position = names and signature.parameters[names[0]].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    positional = len(names) if by_position else 0
    required = [param.name for param in kind.params if param.required]
    extra = kind.extra is not None
    plain = kind.name in PLAIN_WRITES

    def add_step(self, *args, at=None, after=None, **given):
        if plain and not args and at is None and after is None and len(given) == 2:
            row = _plain_row(kind.name, given)  # the common case first: builders of 100,000 writes feel each call
            if row is not None:
                self._data["steps"].append(row)
                return self
        if args:
            if len(args) > positional:
                raise TypeError(f"{kind.name}() takes {positional} positional argument(s) but {len(args)} were given")
            for name, value in zip(names, args):
                if name in given:
                    raise TypeError(f"{kind.name}() got multiple values for argument {name!r}")
                given[name] = value
        for name in required:
            if name not in given:
                raise TypeError(f"{kind.name}() missing required argument: {name!r}")
        if not extra and not given.keys() <= kind.param_index.keys():
            unknown = sorted(given.keys() - kind.param_index.keys())[0]
            raise TypeError(f"{kind.name}() got an unexpected keyword argument {unknown!r}")
        return self._add(kind, given, at, after)

    add_step.__name__ = kind.name
    add_step.__qualname__ = f"ScenarioBuilder.{kind.name}"
    add_step.__signature__ = signature  # type: ignore[attr-defined]
    add_step.__doc__ = _docstring(kind)
    return add_step


def _add_method(kind: type[Action]) -> None:
    if kind.name in ScenarioBuilder.__dict__ and not hasattr(ScenarioBuilder.__dict__[kind.name], "__signature__"):
        raise TypeError(f"step kind {kind.name!r} would hide the builder's own method {kind.name}()")
    setattr(ScenarioBuilder, kind.name, _method(kind))


when_declared(_add_method)


def scenario(name: str, **settings: Any) -> ScenarioBuilder:
    """Start building a scenario; settings are the top-level YAML keys (store, start, listen, ...)."""
    return ScenarioBuilder(name, **settings)
