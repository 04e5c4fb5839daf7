"""The step vocabulary: every step kind declared once, in :data:`STEP_KINDS`.

A step kind is a frozen dataclass registered with :func:`step_kind`. Its one
declaration says everything the kit needs to know about it:

- ``name``: its word in YAML (``upsert``) and the world handler it calls
  (``on_upsert``; see :mod:`harness.replay.play`);
- its fields, and the checks in ``__post_init__``;
- ``body_schema``: the JSON Schema of its body, from which the published
  ``scenario.schema.json`` is assembled (``python -m harness.vocabulary.schema``);
- ``from_data`` (read from YAML-shaped data) and ``to_data`` (written back,
  for replayable failure reports);
- what it writes (``writes``), the item specs it carries (``items``) and how
  far it can move the clock (``extent``), so the scenario checks need no
  per-kind code.

Pure: no YAML, no pandas, no SDK. Adding a step kind: see docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Mapping

from ..errors import ScenarioError
from .durations import format_duration, parse_duration, simple_duration
from .values import KINDS, STATES, STORE_OPS, ErrorInfo, Item, check, check_key, check_micros, check_version

STEP_KINDS: dict[str, type["Action"]] = {}
TIMING_KEYS = ("at", "after")


def step_kind(cls: type["Action"]) -> type["Action"]:
    """Class decorator: add a step kind to the vocabulary (its ``name`` must be new)."""
    name = cls.__dict__.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"{cls.__name__} needs a ClassVar 'name' that is an identifier")
    if name in STEP_KINDS or name in TIMING_KEYS:
        raise TypeError(f"step kind {name!r} is declared twice")
    if not isinstance(getattr(cls, "body_schema", None), dict):
        raise TypeError(f"step kind {name!r} needs a 'body_schema'")
    STEP_KINDS[name] = cls
    return cls


def handler_name(kind: str) -> str:
    """The world method that carries out a step kind."""
    return "on_" + kind


class Action:
    """One thing a step does. Subclasses are frozen dataclasses registered with :func:`step_kind`."""

    __slots__ = ()  # steps are many in long scenarios: no __dict__ each

    name: ClassVar[str]
    body_schema: ClassVar[dict]
    #: False for steps that :func:`harness.replay.play.play` carries out itself (``wait``).
    needs_handler: ClassVar[bool] = True

    @classmethod
    def from_data(cls, body: Any) -> "Action":
        """Build the step from its YAML body (already checked against ``body_schema``)."""
        raise NotImplementedError

    @classmethod
    def from_simple_data(cls, body: Any) -> "Action | None":
        """The step from a body in its most common form, checked here without the schema;
        ``None`` for every other body, valid or not, which the schema then checks.

        It must never accept a body that ``body_schema`` refuses: a test holds every
        kind to that. It exists because the schema costs microseconds a step, which
        long generated scenarios feel.
        """
        return None

    def to_data(self) -> Any:
        """The step's YAML body."""
        raise NotImplementedError

    def writes(self) -> Iterable[tuple[str, str]]:
        """(kind, key) of every item this step writes or deletes."""
        return ()

    def items(self) -> Iterable[Item]:
        """Every item spec this step carries."""
        return ()

    def extent(self) -> int:
        """How far (microseconds) this step itself can move the clock, at most."""
        return 0


def _target(body: Mapping) -> tuple[str, str]:
    if ("flag" in body) == ("segment" in body):
        raise ScenarioError("name exactly one of 'flag' or 'segment'", key="flag")
    return ("flags", body["flag"]) if "flag" in body else ("segments", body["segment"])


def _simple_target(body: Any) -> tuple[str, str, int] | None:
    """(kind, key, version) of a body that is just ``{flag|segment: key, version: n}``, else None."""
    if type(body) is not dict or len(body) != 2:
        return None
    version = body.get("version")
    key = body.get("flag")
    kind = "flags"
    if key is None:
        key, kind = body.get("segment"), "segments"
    if type(version) is int and version >= 0 and type(key) is str and key:
        return kind, key, version
    return None


def _target_data(kind: str, key: str) -> dict:
    return {"flag" if kind == "flags" else "segment": key}


class EmptyAction(Action):
    """A step kind whose body is empty (``stop: {}``)."""

    __slots__ = ()

    body_schema: ClassVar[dict] = {"$ref": "#/$defs/empty"}

    @classmethod
    def from_data(cls, body):
        return cls()

    @classmethod
    def from_simple_data(cls, body):
        return cls() if body is None or body == {} else None

    def to_data(self) -> dict:
        return {}


@step_kind
@dataclass(frozen=True, slots=True)
class Init(Action):
    """Replace the store's whole contents (``sink.init``)."""

    name: ClassVar[str] = "init"
    body_schema: ClassVar[dict] = {
        "type": "object", "additionalProperties": False,
        "properties": {kind: {"type": ["object", "null"], "additionalProperties": {"$ref": f"#/$defs/{spec}"},
                              "propertyNames": {"type": "string", "minLength": 1}}
                       for kind, spec in (("flags", "flag_spec"), ("segments", "segment_spec"))}}
    flags: tuple[Item, ...] = ()
    segments: tuple[Item, ...] = ()

    def __post_init__(self):
        for kind, items in (("flags", self.flags), ("segments", self.segments)):
            keys = [i.key for i in items]
            check(len(keys) == len(set(keys)), f"duplicate keys in init {kind}", kind)
            check(all(i.kind == kind for i in items), f"init {kind} holds an item of another kind", kind)

    @classmethod
    def from_data(cls, body):
        return cls(*(tuple(Item(kind, key, spec) for key, spec in (body.get(kind) or {}).items())
                     for kind in KINDS))

    def to_data(self) -> dict:
        data: dict = {}
        if self.flags or not self.segments:
            data["flags"] = {i.key: dict(i.spec) for i in self.flags}
        if self.segments:
            data["segments"] = {i.key: dict(i.spec) for i in self.segments}
        return data

    def writes(self):
        return [(i.kind, i.key) for i in self.flags + self.segments]

    def items(self):
        return self.flags + self.segments


@step_kind
@dataclass(frozen=True, slots=True)
class Upsert(Action):
    """Write one item if its version is higher than the stored one (``sink.upsert``)."""

    name: ClassVar[str] = "upsert"
    body_schema: ClassVar[dict] = {
        "type": "object", "required": ["version"],
        "properties": {"flag": {"$ref": "#/$defs/key"}, "segment": {"$ref": "#/$defs/key"},
                       "version": {"$ref": "#/$defs/version"},
                       "prerequisites": {"$ref": "#/$defs/flag_spec/properties/prerequisites"},
                       "segments": {"$ref": "#/$defs/keys"}, "included": {"$ref": "#/$defs/keys"}}}
    item: Item

    @classmethod
    def from_data(cls, body):
        kind, key = _target(body)
        return cls(Item(kind, key, {k: v for k, v in body.items() if k not in ("flag", "segment")}))

    @classmethod
    def from_simple_data(cls, body):
        simple = _simple_target(body)
        return None if simple is None else cls(Item(simple[0], simple[1], {"version": simple[2]}))

    def to_data(self) -> dict:
        return {**_target_data(self.item.kind, self.item.key), **self.item.spec}

    def writes(self):
        return [(self.item.kind, self.item.key)]

    def items(self):
        return (self.item,)


@step_kind
@dataclass(frozen=True, slots=True)
class Delete(Action):
    """Write a tombstone with this version (``sink.delete``)."""

    name: ClassVar[str] = "delete"
    body_schema: ClassVar[dict] = {
        "type": "object", "required": ["version"], "additionalProperties": False,
        "properties": {"flag": {"$ref": "#/$defs/key"}, "segment": {"$ref": "#/$defs/key"},
                       "version": {"$ref": "#/$defs/version"}}}
    kind: str
    key: str
    version: int

    def __post_init__(self):
        check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}", "kind")
        check_key(self.key, "a key", "key")
        check_version(self.version, "version")

    @classmethod
    def from_data(cls, body):
        kind, key = _target(body)
        return cls(kind, key, body["version"])

    @classmethod
    def from_simple_data(cls, body):
        simple = _simple_target(body)
        return None if simple is None else cls(*simple)

    def to_data(self) -> dict:
        return {**_target_data(self.kind, self.key), "version": self.version}

    def writes(self):
        return [(self.kind, self.key)]


@step_kind
@dataclass(frozen=True, slots=True)
class Status(Action):
    """``sink.update_status(state, error)``."""

    name: ClassVar[str] = "status"
    body_schema: ClassVar[dict] = {
        "if": {"type": "string"}, "then": {"$ref": "#/$defs/state"},
        "else": {"type": "object", "required": ["state"], "additionalProperties": False,
                 "properties": {"state": {"$ref": "#/$defs/state"}, "error": {"$ref": "#/$defs/error"}}}}
    state: str
    error: ErrorInfo | None = None

    def __post_init__(self):
        check(self.state in STATES, f"state must be one of {', '.join(STATES)}, not {self.state!r}", "state")

    @classmethod
    def from_data(cls, body):
        if isinstance(body, str):
            return cls(body)
        return cls(body["state"], ErrorInfo.from_data(body.get("error")))

    @classmethod
    def from_simple_data(cls, body):
        return cls(body) if type(body) is str and body in STATES else None

    def to_data(self) -> Any:
        if self.error is None:
            return self.state
        return {"state": self.state, "error": self.error.to_data()}


@step_kind
@dataclass(frozen=True, slots=True)
class StoreDown(Action):
    """Make the store fail the listed operations until ``store_up``."""

    name: ClassVar[str] = "store_down"
    body_schema: ClassVar[dict] = {
        "type": ["object", "null"], "additionalProperties": False,
        "properties": {"fail": {"type": "array", "items": {"enum": list(STORE_OPS)}},
                       "available": {"type": "boolean"}, "message": {"type": "string"}}}
    fail: frozenset[str] = frozenset(STORE_OPS)
    available: bool = False
    message: str = "store unavailable"

    def __post_init__(self):
        object.__setattr__(self, "fail", frozenset(self.fail))
        bad = sorted(self.fail - set(STORE_OPS))
        check(not bad, f"unknown store operation(s) {bad}; use {', '.join(STORE_OPS)}", "fail")
        check(isinstance(self.available, bool), "available must be true or false", "available")
        check(isinstance(self.message, str), "message must be a string", "message")

    @classmethod
    def from_data(cls, body):
        body = body or {}
        return cls(frozenset(body.get("fail", STORE_OPS)), body.get("available", False),
                   body.get("message", "store unavailable"))

    def to_data(self) -> dict:
        data: dict = {}
        if self.fail != frozenset(STORE_OPS):
            data["fail"] = [op for op in STORE_OPS if op in self.fail]
        if self.available:
            data["available"] = True
        if self.message != "store unavailable":
            data["message"] = self.message
        return data


@step_kind
@dataclass(frozen=True, slots=True)
class StoreUp(EmptyAction):
    """End every store fault."""

    name: ClassVar[str] = "store_up"


@step_kind
@dataclass(frozen=True, slots=True)
class Wait(Action):
    """Advance the virtual clock; due timers fire in time order."""

    name: ClassVar[str] = "wait"
    body_schema: ClassVar[dict] = {"$ref": "#/$defs/duration"}
    needs_handler: ClassVar[bool] = False
    micros: int

    def __post_init__(self):
        check_micros(self.micros, "wait")

    @classmethod
    def from_data(cls, body):
        return cls(parse_duration(body))

    @classmethod
    def from_simple_data(cls, body):
        micros = simple_duration(body)
        return None if micros is None else cls(micros)

    def to_data(self) -> str:
        return format_duration(self.micros)

    def extent(self) -> int:
        return self.micros


@step_kind
@dataclass(frozen=True, slots=True)
class Listen(Action):
    """Add (``True``) or remove (``False``) the flag change listener."""

    name: ClassVar[str] = "listen"
    body_schema: ClassVar[dict] = {"type": "boolean"}
    on: bool

    def __post_init__(self):
        check(isinstance(self.on, bool), "listen takes true or false", "listen")

    @classmethod
    def from_data(cls, body):
        return cls(body)

    @classmethod
    def from_simple_data(cls, body):
        return cls(body) if type(body) is bool else None

    def to_data(self) -> bool:
        return self.on


@step_kind
@dataclass(frozen=True, slots=True)
class Evaluate(Action):
    """Evaluate a flag for a context key through ``variation_detail``."""

    name: ClassVar[str] = "evaluate"
    body_schema: ClassVar[dict] = {
        "type": "object", "required": ["flag"], "additionalProperties": False,
        "properties": {"flag": {"$ref": "#/$defs/key"}, "context": {"$ref": "#/$defs/key"}, "default": {}}}
    flag: str
    context: str = "user-1"
    default: Any = None

    def __post_init__(self):
        check_key(self.flag, "a flag key", "flag")
        check_key(self.context, "a context key", "context")

    @classmethod
    def from_data(cls, body):
        return cls(body["flag"], body.get("context", "user-1"), body.get("default"))

    @classmethod
    def from_simple_data(cls, body):
        if type(body) is not dict or not body.keys() <= _EVALUATE_KEYS:
            return None
        flag, context = body.get("flag"), body.get("context", "user-1")
        if type(flag) is str and flag and type(context) is str and context:
            return cls(flag, context, body.get("default"))
        return None

    def to_data(self) -> dict:
        return {"flag": self.flag, "context": self.context, "default": self.default}


_EVALUATE_KEYS = frozenset({"flag", "context", "default"})


def _connection_lost() -> ErrorInfo:
    return ErrorInfo("NETWORK_ERROR", 0, "connection lost")


@step_kind
@dataclass(frozen=True, slots=True)
class Disconnect(Action):
    """The stream drops: report INTERRUPTED with this error, and maybe schedule a reconnect."""

    name: ClassVar[str] = "disconnect"
    body_schema: ClassVar[dict] = {
        "type": ["object", "null"], "additionalProperties": False,
        "properties": {"error": {"$ref": "#/$defs/error"}, "reconnect_after": {"$ref": "#/$defs/duration"}}}
    error: ErrorInfo = field(default_factory=_connection_lost)
    reconnect_after: int | None = None

    def __post_init__(self):
        if self.reconnect_after is not None:
            check_micros(self.reconnect_after, "reconnect_after")

    @classmethod
    def from_data(cls, body):
        body = body or {}
        after = body.get("reconnect_after")
        return cls(ErrorInfo.from_data(body.get("error")) or _connection_lost(),
                   None if after is None else parse_duration(after, key="reconnect_after"))

    def to_data(self) -> dict:
        data: dict = {"error": self.error.to_data()}
        if self.reconnect_after is not None:
            data["reconnect_after"] = format_duration(self.reconnect_after)
        return data

    def extent(self) -> int:
        return self.reconnect_after or 0


@step_kind
@dataclass(frozen=True, slots=True)
class Reconnect(EmptyAction):
    """The stream comes back: the source resends its whole data set as one init, then VALID."""

    name: ClassVar[str] = "reconnect"


@step_kind
@dataclass(frozen=True, slots=True)
class Stop(EmptyAction):
    """The data source stops: report OFF."""

    name: ClassVar[str] = "stop"


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
                check_micros(value, name)

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
        return None if action is None else cls(action, line=line, **timing)

    def to_data(self) -> dict:
        data: dict = {self.action.name: self.action.to_data()}
        if self.at is not None:
            data["at"] = format_duration(self.at)
        if self.after is not None:
            data["after"] = format_duration(self.after)
        return data
