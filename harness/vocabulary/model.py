"""Scenario settings, expectations and the :class:`Scenario` itself.

Pure: no YAML, no pandas, no SDK. A :class:`Scenario` is a name, a few
settings, its :class:`~harness.vocabulary.step_list.Steps` (a sequence of
:class:`~harness.vocabulary.steps.Step`) and an :class:`Expectations` block.
The loader (``loader.py``) and the builder (``builder.py``) both produce
these, so YAML and Python share one vocabulary.
Every value writes itself back as its YAML form (``to_data``), which is how
failures print replayable steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Mapping

from ..errors import ScenarioError
from .durations import format_duration
from .step_list import Steps
from .item_fields import Item
from .steps import (STEP_KINDS, Action, Delete, Disconnect, Evaluate, Init, Listen, Reconnect, Status, Step, Stop,
                    StoreDown, StoreUp, Upsert, Wait)
from .values import (DATA_OPS, DEFAULT_START, EARLIEST_TIME, ERROR_KINDS, KINDS, LATEST_TIME, OUTCOMES, STATES,
                     STORE_OPS, TIME_RANGE_WHY, ErrorInfo, check, check_key, check_micros, is_version, is_whole,
                     target_family)

# The whole vocabulary, from one module: the steps and values are re-exported here.
__all__ = ["STEP_KINDS", "Action", "Delete", "Disconnect", "Evaluate", "Init", "Listen", "Reconnect", "Status",
           "Step", "Stop", "StoreDown", "StoreUp", "Upsert", "Wait", "DATA_OPS", "DEFAULT_START", "ERROR_KINDS",
           "KINDS", "EARLIEST_TIME", "LATEST_TIME", "OUTCOMES", "STATES", "STORE_OPS", "ErrorInfo", "Item",
           "CACHE_FOREVER", "STORE_TYPES", "StoreConfig", "STORE_RECOVERY", "SourceConfig", "Expectations", "Scenario",
           "Steps"]


STORE_TYPES = ("memory", "persistent", "python", "go", "redis")
CACHED_STORE_TYPES = ("persistent", "python", "go", "redis")  # a store behind the SDK's persistent-store wrapper


@dataclass(frozen=True)
class StoreConfig:
    """Where the SDK keeps its data:

    - ``memory``: the SDK's in-memory store;
    - ``persistent``: a fault-injectable core over a dict behind the SDK's own persistent-store wrapper;
    - ``python``: a user's ``FeatureStoreCore``, ``core: "module:callable"`` (the callable makes a
      fresh core for each run), behind the SDK's wrapper (the ``sdk`` targets only);
    - ``go``: a user's ``PersistentDataStore``, ``core: "./folder:Function"`` or
      ``"module@version:Function"``, built into the Go driver, behind the SDK's wrapper (the ``go`` targets);
    - ``redis``: the SDK's own Redis integration against a real ``redis-server`` the kit starts,
      keys under ``prefix`` (``None``: the SDK's default, ``launchdarkly``).

    ``cache_ttl`` (all but ``memory``) in microseconds: ``None`` is the SDK's default, ``0`` turns the
    cache off, and :data:`CACHE_FOREVER` is an infinite cache (Go's ``CacheForever``).
    ``tombstones`` (``persistent`` only) is the form the core keeps a deleted item in, of the two the Go
    and Node store interfaces allow: ``serialized`` (the serialized placeholder the SDK hands over, with
    ``deleted: true``) or ``flag`` (only a version and a deleted flag, no serialized item)."""

    type: str = "memory"
    cache_ttl: int | str | None = None
    core: str | None = None
    prefix: str | None = None
    tombstones: str = "serialized"

    def __post_init__(self):
        check(self.type in STORE_TYPES, f"store must be one of {', '.join(STORE_TYPES)}, not {self.type!r}",
              "store")
        check(self.cache_ttl is None or self.type in CACHED_STORE_TYPES,
              f"cache_ttl applies to a {', '.join(CACHED_STORE_TYPES)} store only", "store.cache_ttl")
        check(self.cache_ttl is None or self.cache_ttl == CACHE_FOREVER or (is_whole(self.cache_ttl)
                                                                           and self.cache_ttl >= 0),
              f"cache_ttl must be a duration or {CACHE_FOREVER!r}", "store.cache_ttl")
        if is_whole(self.cache_ttl):
            check_micros(self.cache_ttl, "store.cache_ttl", "cache_ttl")
        check((self.core is not None) == (self.type in CORE_PATTERNS),
              "a python or go store names its core (core: \"module:callable\" or \"./folder:Function\"), and "
              "only those have one", "store.core")
        if self.core is not None:
            pattern, form = CORE_PATTERNS[self.type]
            check(isinstance(self.core, str) and re.fullmatch(pattern, self.core) is not None,
                  f"a {self.type} store's core must be {form}, not {self.core!r}", "store.core")
        check(self.prefix is None or self.type == "redis", "prefix applies to a redis store only", "store.prefix")
        if self.prefix is not None:
            check(isinstance(self.prefix, str) and self.prefix != "" and not any(c.isspace() for c in self.prefix),
                  f"prefix must be a non-empty string without spaces, not {self.prefix!r}", "store.prefix")
        check(self.tombstones in TOMBSTONE_FORMS,
              f"tombstones must be one of {', '.join(TOMBSTONE_FORMS)}, not {self.tombstones!r}", "store.tombstones")
        check(self.tombstones == TOMBSTONE_FORMS[0] or self.type == "persistent",
              "tombstones applies to a persistent store only", "store.tombstones")

    @property
    def finite_ttl(self) -> int:
        """The TTL in microseconds when it is finite, else 0."""
        return self.cache_ttl if is_whole(self.cache_ttl) else 0  # type: ignore[return-value]

    @property
    def cached(self) -> bool:
        """Whether the SDK's persistent-store wrapper (and its cache settings) stands in front of it."""
        return self.type in CACHED_STORE_TYPES

    def to_data(self) -> Any:
        if self.cache_ttl is None and self.core is None and self.prefix is None and \
                self.tombstones == TOMBSTONE_FORMS[0]:
            return self.type
        data: dict[str, Any] = {"type": self.type}
        if self.cache_ttl is not None:
            data["cache_ttl"] = self.cache_ttl if self.cache_ttl == CACHE_FOREVER else format_duration(
                self.cache_ttl)  # type: ignore[arg-type]
        if self.core is not None:
            data["core"] = self.core
        if self.prefix is not None:
            data["prefix"] = self.prefix
        if self.tombstones != TOMBSTONE_FORMS[0]:
            data["tombstones"] = self.tombstones
        return data


# What a streaming source does when its store comes back (a store status row available after an
# unavailable one): see SourceConfig. The targets' defaults are their SDKs' own (``store_recovery``).
STORE_RECOVERY = ("nothing", "restart", "restart_if_stale")
DEFAULT_RESTART_AFTER = 1_000_000  # Go's default initial reconnect delay, without its jitter


@dataclass(frozen=True)
class SourceConfig:
    """How the simulated data source reacts where the SDKs' own streaming sources differ.

    ``on_store_recovery``: what the source does when the SDK reports its store available again after an
    outage (a store status row available after an unavailable one):

    - ``nothing``: goes on as before (the Python SDK's and Node's FDv1 streaming sources);
    - ``restart``: restarts the stream whatever the store says, ``restart_after`` later;
    - ``restart_if_stale``: restarts the stream only when the store says it may have missed updates
      (``stale``, Go's ``NeedsRefresh``; Go's streaming source, and the contract);
    - ``None`` (the default): what the target's SDK's own streaming source does (its ``store_recovery``).

    A restart is what Go's ``stream.Restart()`` is to the source: no status report of its own, then,
    ``restart_after`` later, a new connection whose first message is the server's whole current data
    (one ``init``), then VALID if the init landed. See :mod:`harness.replay.reactions`."""

    on_store_recovery: str | None = None
    restart_after: int = DEFAULT_RESTART_AFTER

    def __post_init__(self):
        check(self.on_store_recovery is None or self.on_store_recovery in STORE_RECOVERY,
              f"on_store_recovery must be one of {', '.join(STORE_RECOVERY)}, not {self.on_store_recovery!r}",
              "source.on_store_recovery")
        check_micros(self.restart_after, "source.restart_after", "restart_after")
        check(self.restart_after > 0, "restart_after must be longer than 0s (a stream reconnects after a delay)",
              "source.restart_after")

    def resolved(self, sdk_default: str) -> "SourceConfig":
        """These settings with ``on_store_recovery`` filled in from a target's own default."""
        return self if self.on_store_recovery is not None else SourceConfig(sdk_default, self.restart_after)

    def to_data(self) -> dict:
        data: dict[str, Any] = {}
        if self.on_store_recovery is not None:
            data["on_store_recovery"] = self.on_store_recovery
        if self.restart_after != DEFAULT_RESTART_AFTER:
            data["restart_after"] = format_duration(self.restart_after)
        return data


CORE_PATTERN = r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*"
# a Go store: a local folder (./x, ../x, /x) or a module path at a version, then an exported function
GO_CORE_PATTERN = r"(\.{1,2}/|/)?[^\s:@]+(@v[0-9][\w.+\-]*)?:[A-Z]\w*"
CORE_PATTERNS = {"python": (CORE_PATTERN, '"module:callable" (such as "my_stores:make_core")'),
                 "go": (GO_CORE_PATTERN, '"./folder:Function" or "module@version:Function" '
                                         '(such as "./mystore:New")')}
GIVEN_CORES: dict = {}  # "module:name" -> the object, for cores handed to the builder as objects


def given_core(core) -> str:
    """The ``"module:name"`` of a core handed over as the class or function itself (the builder's
    ``store={"type": "python", "core": MyCore}``), kept so that it is found by that name even where the
    module cannot be imported again (a class defined in a notebook, a REPL or an exec'd snippet)."""
    spec = f"{core.__module__}:{core.__qualname__}"
    GIVEN_CORES[spec] = core
    return spec


STORE_EXPECT_WORDS = ("deleted", "absent")
CACHE_FOREVER = "forever"
TOMBSTONE_FORMS = ("serialized", "flag")  # the first is the default


@dataclass(frozen=True)
class Expectations:
    """What a run must show. Every field is optional (``None``: not checked).

    - ``status``: states of the status rows, initial one included;
    - ``final_status``: (state, error_kind or None);
    - ``store``: {kind: {key: version | "deleted" | "absent"}} for the keys named;
    - ``changes``: flag change event keys in order;
    - ``outcomes``: outcomes of the data ops (init/upsert/delete) in order;
    - ``store_status``: the ``available`` value of each store status row, initial one included;
    - ``stale``: the ``stale`` value (the SDK's "needs refresh") of each store status row;
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
    stale: tuple[bool, ...] | None = None
    targets: Mapping[str, "Expectations"] = field(default_factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = ("status", "final_status", "store", "changes", "outcomes",
                                        "store_status", "evaluations", "logs", "since", "error_kinds",
                                        "reasons", "violations", "op_errors", "logs_absent", "stale")

    def __post_init__(self):
        for s in self.status or ():
            check(s in STATES, f"unknown state {s!r}", "expect.status")
        if self.final_status is not None:
            state, kind = self.final_status
            check(state in STATES, f"unknown state {state!r}", "expect.final_status")
            check(kind is None or kind in ERROR_KINDS, f"unknown error kind {kind!r}", "expect.final_status")
        for k in self.error_kinds or ():
            check(k is None or k in ERROR_KINDS, f"unknown error kind {k!r}", "expect.error_kinds")
        for o in self.outcomes or ():
            check(o in OUTCOMES, f"unknown outcome {o!r}; use {', '.join(OUTCOMES)}", "expect.outcomes")
        for kind, entries in (self.store or {}).items():
            check(kind in KINDS, f"unknown store kind {kind!r}", f"expect.store.{kind}")
            for key, want in entries.items():
                ok = is_version(want) or (isinstance(want, str) and want in STORE_EXPECT_WORDS)
                check(ok, f"expected a version (0 to 2**53 - 1), 'deleted' or 'absent', not {want!r}",
                      f"expect.store.{kind}.{key}")

    def for_target(self, target: str) -> "Expectations":
        """These expectations with the target's overrides applied (a release's, else its target's:
        ``sdk@9.10.0`` takes those written for ``sdk``)."""
        override = self.targets.get(target, self.targets.get(target_family(target)))
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
    steps: Steps = ()  # type: ignore[assignment]  # any sequence of steps given becomes Steps
    description: str = ""
    start: datetime = DEFAULT_START
    seed: int = 0
    store: StoreConfig = field(default_factory=StoreConfig)
    listen: bool = True
    expect: Expectations = field(default_factory=Expectations)
    outage_log_after: int = 60_000_000
    source: SourceConfig = field(default_factory=SourceConfig)  # last: earlier fields keep their positions
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def __post_init__(self):
        check_key(self.name, "a scenario name", "name")
        check(isinstance(self.start, datetime) and self.start.tzinfo is not None,
               "start must be a time with a zone, e.g. 2024-01-01T00:00:00Z", "start")
        check(isinstance(self.seed, int) and not isinstance(self.seed, bool), "seed must be a whole number", "seed")
        check(isinstance(self.listen, bool), "listen must be true or false", "listen")
        check(isinstance(self.source, SourceConfig), "source must be a mapping such as {on_store_recovery: restart}",
              "source")
        check_micros(self.outage_log_after, "outage_log_after", "outage_log_after")
        if not isinstance(self.steps, Steps):
            object.__setattr__(self, "steps", Steps(self.steps))
        self._check_clock_range()
        self._check_expected_keys()
        self._check_network_faults()

    @cached_property
    def action_kinds(self) -> frozenset[type[Action]]:
        """The kinds of action among the steps (a target may leave out what no step asks for)."""
        return self.steps.action_kinds()

    def known_keys(self) -> dict[str, set[str]]:
        """Keys of every flag and segment that a step writes or deletes."""
        known: dict[str, set[str]] = {kind: set() for kind in KINDS}
        for kind, key in self.steps.writes():
            known[kind].add(key)
        return known

    def _check_clock_range(self) -> None:
        """Every instant the run can reach, timers included, must lie from EARLIEST_TIME to
        LATEST_TIME: what every target and every frame can hold."""
        span = f"{EARLIEST_TIME.date().isoformat()} to {LATEST_TIME.date().isoformat()} UTC"
        check(EARLIEST_TIME <= self.start < LATEST_TIME,
              f"start must lie from {span} ({TIME_RANGE_WHY}), not {self.start.isoformat()}", "start")
        limit = (LATEST_TIME - self.start) // timedelta(microseconds=1)
        timers = self.outage_log_after + self.store.finite_ttl + self.source.restart_after
        check(timers < limit, f"outage_log_after, cache_ttl and restart_after reach past {LATEST_TIME.year}, the latest time the "
                              f"virtual clock may reach ({TIME_RANGE_WHY})", "outage_log_after")
        elapsed, last = 0, limit - timers
        for index, step in self.steps.kept_as_steps():  # a plain write kept as a row takes no time
            if step.at is not None and step.at > elapsed:
                elapsed = step.at
            if step.after is not None:
                elapsed += step.after
            elapsed += step.action.extent()
            if elapsed >= last:
                raise ScenarioError(f"the steps run the virtual clock past {LATEST_TIME.year}, the latest time it "
                                    f"may reach ({TIME_RANGE_WHY}; start {self.start.isoformat()})",
                                    key=f"steps[{index}]")

    def _check_network_faults(self) -> None:
        """A Redis store's outage is a real network fault: every operation fails, and so does the
        availability check (a Redis store has no answer of its own), with the client's own error."""
        if self.store.type != "redis" or StoreDown not in self.action_kinds:
            return
        for index, step in enumerate(self.steps):
            action = step.action
            if isinstance(action, StoreDown) and (action.fail != frozenset(STORE_OPS) or action.available):
                raise ScenarioError("a redis store goes down as its network does: every operation fails and "
                                    "its availability check fails too; leave out fail and available",
                                    key=f"steps[{index}].store_down")

    def _check_expected_keys(self) -> None:
        if not any(e.store or e.changes for e in (self.expect, *self.expect.targets.values())):
            return
        known = self.known_keys()
        for label, expect in [("expect", self.expect)] + [
                (f"expect.targets.{t}", e) for t, e in self.expect.targets.items()]:
            for kind, entries in (expect.store or {}).items():
                for key in entries:
                    check(key in known[kind], f"no step writes {kind[:-1]} {key!r}", f"{label}.store.{kind}.{key}")
            for key in expect.changes or ():
                check(key in known["flags"], f"no step writes flag {key!r}", f"{label}.changes")

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
        if self.source != SourceConfig():
            data["source"] = self.source.to_data()
        if not self.listen:
            data["listen"] = False
        if self.outage_log_after != 60_000_000:
            data["outage_log_after"] = format_duration(self.outage_log_after)
        data["steps"] = [s.to_data() for s in self.steps]
        expect = self.expect.to_data()
        if expect:
            data["expect"] = expect
        return data
