"""The scenario vocabulary as small frozen dataclasses that check themselves.

Pure: no YAML, no pandas, no SDK. A :class:`Scenario` is a name, a few
settings, a tuple of :class:`Step` (an action plus optional timing) and an
:class:`Expectations` block. The loader (``loader.py``) and the builder
(``builder.py``) both produce these, so YAML and Python share one vocabulary.

Every action knows how to write itself back as its YAML form
(:meth:`Action.to_data`), which is how failures print replayable steps.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, Mapping

from .durations import format_duration
from .errors import ScenarioError

STATES = ("INITIALIZING", "VALID", "INTERRUPTED", "OFF")
ERROR_KINDS = ("UNKNOWN", "NETWORK_ERROR", "ERROR_RESPONSE", "INVALID_DATA", "STORE_ERROR")
KINDS = ("flags", "segments")
STORE_OPS = ("init", "upsert", "delete", "get", "all")
OUTCOMES = ("applied", "ignored", "error")
DATA_OPS = ("init", "upsert", "delete")
DEFAULT_START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _check(condition: bool, message: str, key: str | None = None) -> None:
    if not condition:
        raise ScenarioError(message, key=key)


def _check_version(version: object, key: str) -> None:
    _check(isinstance(version, int) and not isinstance(version, bool),
           f"version must be a whole number, not {version!r}", key)
    _check(version >= 0, f"version must not be negative, got {version}", key)  # type: ignore[operator]


def _check_key(value: object, what: str, key: str) -> None:
    _check(isinstance(value, str) and value != "", f"{what} must be a non-empty string, not {value!r}", key)


# --------------------------------------------------------------------------- items

@dataclass(frozen=True)
class Item:
    """A flag or segment as a scenario gives it: a short spec that ``items.py``
    expands into the SDK's real JSON. ``spec`` holds every key the author wrote
    (``version`` included)."""

    kind: str
    key: str
    spec: Mapping[str, Any]

    def __post_init__(self):
        _check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}", "kind")
        _check_key(self.key, "an item key", "key")
        _check(isinstance(self.spec, Mapping), f"the spec of {self.key!r} must be a mapping", self.key)
        _check("version" in self.spec, f"{self.key!r} needs a version", f"{self.key}.version")
        _check_version(self.spec["version"], f"{self.key}.version")
        for ref in ("prerequisites", "segments", "included"):
            refs = self.spec.get(ref)
            if refs is not None:
                _check(isinstance(refs, list), f"{ref} must be a list", f"{self.key}.{ref}")
        object.__setattr__(self, "spec", copy.deepcopy(dict(self.spec)))

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
        _check(self.kind in ERROR_KINDS,
               f"error kind must be one of {', '.join(ERROR_KINDS)}, not {self.kind!r}", "kind")
        _check(isinstance(self.status_code, int) and not isinstance(self.status_code, bool)
               and self.status_code >= 0, f"status_code must be a whole number >= 0, not {self.status_code!r}",
               "status_code")
        _check(isinstance(self.message, str), f"message must be a string, not {self.message!r}", "message")

    def to_data(self) -> dict:
        data: dict = {"kind": self.kind}
        if self.status_code:
            data["status_code"] = self.status_code
        if self.message:
            data["message"] = self.message
        return data


# --------------------------------------------------------------------------- actions

class Action:
    """One thing a step does. ``name`` is its word in the YAML vocabulary."""

    name: ClassVar[str]

    def to_data(self) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Init(Action):
    """Replace the store's whole contents (``sink.init``)."""

    name: ClassVar[str] = "init"
    flags: tuple[Item, ...] = ()
    segments: tuple[Item, ...] = ()

    def __post_init__(self):
        for kind, items in (("flags", self.flags), ("segments", self.segments)):
            keys = [i.key for i in items]
            _check(len(keys) == len(set(keys)), f"duplicate keys in init {kind}", kind)
            _check(all(i.kind == kind for i in items), f"init {kind} holds an item of another kind", kind)

    def to_data(self) -> dict:
        data: dict = {}
        if self.flags or not self.segments:
            data["flags"] = {i.key: dict(i.spec) for i in self.flags}
        if self.segments:
            data["segments"] = {i.key: dict(i.spec) for i in self.segments}
        return data


@dataclass(frozen=True)
class Upsert(Action):
    """Write one item if its version is higher than the stored one (``sink.upsert``)."""

    name: ClassVar[str] = "upsert"
    item: Item

    def to_data(self) -> dict:
        head = {"flag" if self.item.kind == "flags" else "segment": self.item.key}
        return {**head, **self.item.spec}


@dataclass(frozen=True)
class Delete(Action):
    """Write a tombstone with this version (``sink.delete``)."""

    name: ClassVar[str] = "delete"
    kind: str
    key: str
    version: int

    def __post_init__(self):
        _check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}", "kind")
        _check_key(self.key, "a key", "key")
        _check_version(self.version, "version")

    def to_data(self) -> dict:
        return {"flag" if self.kind == "flags" else "segment": self.key, "version": self.version}


@dataclass(frozen=True)
class SetStatus(Action):
    """``sink.update_status(state, error)``."""

    name: ClassVar[str] = "status"
    state: str
    error: ErrorInfo | None = None

    def __post_init__(self):
        _check(self.state in STATES, f"state must be one of {', '.join(STATES)}, not {self.state!r}", "state")

    def to_data(self) -> Any:
        if self.error is None:
            return self.state
        return {"state": self.state, "error": self.error.to_data()}


@dataclass(frozen=True)
class StoreDown(Action):
    """Make the store fail the listed operations until ``store_up``."""

    name: ClassVar[str] = "store_down"
    fail: frozenset[str] = frozenset(STORE_OPS)
    available: bool = False
    message: str = "store unavailable"

    def __post_init__(self):
        object.__setattr__(self, "fail", frozenset(self.fail))
        bad = sorted(self.fail - set(STORE_OPS))
        _check(not bad, f"unknown store operation(s) {bad}; use {', '.join(STORE_OPS)}", "fail")
        _check(isinstance(self.available, bool), "available must be true or false", "available")
        _check(isinstance(self.message, str), "message must be a string", "message")

    def to_data(self) -> dict:
        data: dict = {}
        if self.fail != frozenset(STORE_OPS):
            data["fail"] = [op for op in STORE_OPS if op in self.fail]
        if self.available:
            data["available"] = True
        if self.message != "store unavailable":
            data["message"] = self.message
        return data


@dataclass(frozen=True)
class StoreUp(Action):
    """End every store fault."""

    name: ClassVar[str] = "store_up"

    def to_data(self) -> dict:
        return {}


@dataclass(frozen=True)
class Wait(Action):
    """Advance the virtual clock; due timers fire in time order."""

    name: ClassVar[str] = "wait"
    micros: int

    def __post_init__(self):
        _check(isinstance(self.micros, int) and self.micros >= 0, "a wait must not be negative", "wait")

    def to_data(self) -> str:
        return format_duration(self.micros)


@dataclass(frozen=True)
class Listen(Action):
    """Add (``True``) or remove (``False``) the flag change listener."""

    name: ClassVar[str] = "listen"
    on: bool

    def __post_init__(self):
        _check(isinstance(self.on, bool), "listen takes true or false", "listen")

    def to_data(self) -> bool:
        return self.on


@dataclass(frozen=True)
class Evaluate(Action):
    """Evaluate a flag for a context key through ``variation_detail``."""

    name: ClassVar[str] = "evaluate"
    flag: str
    context: str = "user-1"
    default: Any = None

    def __post_init__(self):
        _check_key(self.flag, "a flag key", "flag")
        _check_key(self.context, "a context key", "context")

    def to_data(self) -> dict:
        return {"flag": self.flag, "context": self.context, "default": self.default}


@dataclass(frozen=True)
class Disconnect(Action):
    """The stream drops: report INTERRUPTED with this error, and maybe schedule a reconnect."""

    name: ClassVar[str] = "disconnect"
    error: ErrorInfo = field(default_factory=lambda: ErrorInfo("NETWORK_ERROR", 0, "connection lost"))
    reconnect_after: int | None = None

    def __post_init__(self):
        _check(self.reconnect_after is None or self.reconnect_after >= 0,
               "reconnect_after must not be negative", "reconnect_after")

    def to_data(self) -> dict:
        data: dict = {"error": self.error.to_data()}
        if self.reconnect_after is not None:
            data["reconnect_after"] = format_duration(self.reconnect_after)
        return data


@dataclass(frozen=True)
class Reconnect(Action):
    """The stream comes back: the source resends its whole data set as one init, then VALID."""

    name: ClassVar[str] = "reconnect"

    def to_data(self) -> dict:
        return {}


@dataclass(frozen=True)
class Stop(Action):
    """The data source stops: report OFF."""

    name: ClassVar[str] = "stop"

    def to_data(self) -> dict:
        return {}


ACTIONS: tuple[type[Action], ...] = (Init, Upsert, Delete, SetStatus, StoreDown, StoreUp, Wait,
                                     Listen, Evaluate, Disconnect, Reconnect, Stop)
ACTION_NAMES = tuple(a.name for a in ACTIONS)


@dataclass(frozen=True)
class Step:
    """An action, optionally preceded by moving the clock to ``at`` (since the
    start) or by ``after`` (since the previous step), both in microseconds."""

    action: Action
    at: int | None = None
    after: int | None = None
    line: int | None = field(default=None, compare=False)

    def __post_init__(self):
        _check(isinstance(self.action, Action), f"a step needs an action, not {self.action!r}")
        _check(self.at is None or self.after is None, "a step takes 'at' or 'after', not both", "at")
        for name in ("at", "after"):
            value = getattr(self, name)
            _check(value is None or (isinstance(value, int) and value >= 0), f"{name} must not be negative", name)

    def to_data(self) -> dict:
        data: dict = {self.action.name: self.action.to_data()}
        if self.at is not None:
            data["at"] = format_duration(self.at)
        if self.after is not None:
            data["after"] = format_duration(self.after)
        return data


# --------------------------------------------------------------------------- settings

@dataclass(frozen=True)
class StoreConfig:
    """``memory`` (the SDK's InMemoryFeatureStore) or ``persistent`` (a
    fault-injectable core inside the SDK's CachingStoreWrapper). ``cache_ttl``
    in microseconds; ``None`` is the SDK's default, ``0`` turns the cache off."""

    type: str = "memory"
    cache_ttl: int | None = None

    def __post_init__(self):
        _check(self.type in ("memory", "persistent"), f"store must be memory or persistent, not {self.type!r}",
               "store")
        _check(self.cache_ttl is None or self.type == "persistent", "cache_ttl applies to a persistent store only",
               "store.cache_ttl")
        _check(self.cache_ttl is None or self.cache_ttl >= 0, "cache_ttl must not be negative", "store.cache_ttl")

    def to_data(self) -> Any:
        if self.cache_ttl is None:
            return self.type
        return {"type": self.type, "cache_ttl": format_duration(self.cache_ttl)}


STORE_EXPECT_WORDS = ("deleted", "absent")


@dataclass(frozen=True)
class Expectations:
    """What a run must show. Every field is optional (``None``: not checked).

    - ``status``: states of the status rows, initial one included;
    - ``final_status``: (state, error_kind or None);
    - ``store``: {kind: {key: version | "deleted" | "absent"}} for the keys named;
    - ``changes``: flag change event keys in order;
    - ``outcomes``: outcomes of the data ops (init/upsert/delete) in order;
    - ``store_status``: the ``available`` value of each store status row, initial one included;
    - ``evaluations``: the value of each evaluation in order;
    - ``logs``: text that must appear in some log message, each;
    - ``since``: each status row's ``since``, in microseconds after the start;
    - ``error_kinds``: each status row's last error kind (None for no error);
    - ``reasons``: the reason of each evaluation (``FALLTHROUGH``, ``ERROR:FLAG_NOT_FOUND``, ...);
    - ``violations``: the invariant checkers expected to report a violation
      (checked always: when not given, none is expected);
    - ``op_errors``: the error message of each operation that failed, in order;
    - ``logs_absent``: text that must appear in no log message;
    - ``targets``: per-target overrides of the fields above.
    """

    status: tuple[str, ...] | None = None
    final_status: tuple[str, str | None] | None = None
    store: Mapping[str, Mapping[str, Any]] | None = None
    changes: tuple[str, ...] | None = None
    outcomes: tuple[str, ...] | None = None
    store_status: tuple[bool, ...] | None = None
    evaluations: tuple[Any, ...] | None = None
    logs: tuple[str, ...] | None = None
    since: tuple[int, ...] | None = None
    error_kinds: tuple[str | None, ...] | None = None
    reasons: tuple[str, ...] | None = None
    violations: tuple[str, ...] | None = None
    op_errors: tuple[str, ...] | None = None
    logs_absent: tuple[str, ...] | None = None
    targets: Mapping[str, "Expectations"] = field(default_factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = ("status", "final_status", "store", "changes", "outcomes",
                                        "store_status", "evaluations", "logs", "since", "error_kinds",
                                        "reasons", "violations", "op_errors", "logs_absent")

    def __post_init__(self):
        for s in self.status or ():
            _check(s in STATES, f"unknown state {s!r}", "expect.status")
        if self.final_status is not None:
            state, kind = self.final_status
            _check(state in STATES, f"unknown state {state!r}", "expect.final_status")
            _check(kind is None or kind in ERROR_KINDS, f"unknown error kind {kind!r}", "expect.final_status")
        for k in self.error_kinds or ():
            _check(k is None or k in ERROR_KINDS, f"unknown error kind {k!r}", "expect.error_kinds")
        for o in self.outcomes or ():
            _check(o in OUTCOMES, f"unknown outcome {o!r}; use {', '.join(OUTCOMES)}", "expect.outcomes")
        for kind, entries in (self.store or {}).items():
            _check(kind in KINDS, f"unknown store kind {kind!r}", f"expect.store.{kind}")
            for key, want in entries.items():
                ok = (isinstance(want, int) and not isinstance(want, bool) and want >= 0) or want in STORE_EXPECT_WORDS
                _check(ok, f"expected a version, 'deleted' or 'absent', not {want!r}", f"expect.store.{kind}.{key}")

    def for_target(self, target: str) -> "Expectations":
        """These expectations with the target's overrides applied."""
        override = self.targets.get(target)
        if override is None:
            return self
        merged = {f: getattr(override, f) if getattr(override, f) is not None else getattr(self, f)
                  for f in self.FIELDS}
        return Expectations(**merged)

    def to_data(self) -> dict:
        data: dict = {}
        for f in self.FIELDS:
            value = getattr(self, f)
            if value is None:
                continue
            if f == "final_status":
                state, kind = value
                value = state if kind is None else {"state": state, "error_kind": kind}
            elif f == "store":
                value = {k: dict(v) for k, v in value.items()}
            elif f == "since":
                value = [format_duration(v) for v in value]
            else:
                value = list(value)
            data[f] = value
        if self.targets:
            data["targets"] = {t: e.to_data() for t, e in self.targets.items()}
        return data


@dataclass(frozen=True)
class Scenario:
    """A named, self-checking script of steps and what they must produce."""

    name: str
    steps: tuple[Step, ...] = ()
    description: str = ""
    start: datetime = DEFAULT_START
    seed: int = 0
    store: StoreConfig = field(default_factory=StoreConfig)
    listen: bool = True
    expect: Expectations = field(default_factory=Expectations)
    outage_log_after: int = 60_000_000
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def __post_init__(self):
        _check_key(self.name, "a scenario name", "name")
        _check(isinstance(self.start, datetime) and self.start.tzinfo is not None,
               "start must be a time with a zone, e.g. 2024-01-01T00:00:00Z", "start")
        _check(isinstance(self.seed, int) and not isinstance(self.seed, bool), "seed must be a whole number", "seed")
        _check(isinstance(self.listen, bool), "listen must be true or false", "listen")
        _check(isinstance(self.outage_log_after, int) and self.outage_log_after >= 0,
               "outage_log_after must not be negative", "outage_log_after")
        object.__setattr__(self, "steps", tuple(self.steps))
        for i, step in enumerate(self.steps):
            _check(isinstance(step, Step), f"step {i} is not a Step", f"steps[{i}]")
        self._check_expected_keys()

    def known_keys(self) -> dict[str, set[str]]:
        """Keys of every flag and segment that a step writes or deletes."""
        known: dict[str, set[str]] = {"flags": set(), "segments": set()}
        for step in self.steps:
            a = step.action
            if isinstance(a, Init):
                for item in a.flags + a.segments:
                    known[item.kind].add(item.key)
            elif isinstance(a, Upsert):
                known[a.item.kind].add(a.item.key)
            elif isinstance(a, Delete):
                known[a.kind].add(a.key)
        return known

    def _check_expected_keys(self) -> None:
        known = self.known_keys()
        for label, expect in [("expect", self.expect)] + [
                (f"expect.targets.{t}", e) for t, e in self.expect.targets.items()]:
            for kind, entries in (expect.store or {}).items():
                for key in entries:
                    _check(key in known[kind], f"no step writes {kind[:-1]} {key!r}", f"{label}.store.{kind}.{key}")
            for key in expect.changes or ():
                _check(key in known["flags"], f"no step writes flag {key!r}", f"{label}.changes")

    def to_data(self) -> dict:
        """The scenario in its YAML form (see ``render.py``)."""
        data: dict = {"name": self.name}
        if self.description:
            data["description"] = self.description
        if self.start != DEFAULT_START:
            data["start"] = self.start.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
        if self.seed:
            data["seed"] = self.seed
        if self.store != StoreConfig():
            data["store"] = self.store.to_data()
        if not self.listen:
            data["listen"] = False
        if self.outage_log_after != 60_000_000:
            data["outage_log_after"] = format_duration(self.outage_log_after)
        data["steps"] = [s.to_data() for s in self.steps]
        expect = self.expect.to_data()
        if expect:
            data["expect"] = expect
        return data
