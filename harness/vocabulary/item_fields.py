"""Items as scenarios give them: the :class:`Item`, and the fields its spec may hold.

A spec holds fields of the SDKs' flag and segment JSON (read from their own
models: the Python SDK's ``ldclient/impl/model/feature_flag.py`` and
``segment.py``, the Go SDK's ``ldmodel/model_unmarshal.go``) and the kit's
shorthands (``prerequisites: [f1]``, ``segments: [s1]``; see ``items.py``).
Every spec, in an ``init`` or an ``upsert``, from YAML or from Python, is
checked against :data:`FLAG_FIELDS` or :data:`SEGMENT_FIELDS`: an unknown
field is named (with a "did you mean"), and a value the SDKs would refuse
(``on: 'yes'``, ``rules: notalist``, ``salt: 5``) is refused here rather than
ending a run on one target and not another. The item's key is not a field: it
is given by ``flag:``/``segment:`` or by its name under ``init:``.

The same tables make the JSON Schema's ``flag_spec`` and ``segment_spec``
(see ``schema.py``), so an editor shows each field's description.

Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ..errors import ScenarioError
from .values import KINDS, MAX_VERSION, check, check_json, check_key, check_version, is_version, plain_copy


@dataclass(frozen=True)
class Shape:
    """What one field's value must be: in words, as JSON Schema, and as a test."""

    what: str
    schema: dict
    accepts: Callable[[Any], bool]


def _whole(value: Any) -> bool:
    return type(value) is int and -MAX_VERSION <= value <= MAX_VERSION


def _key(value: Any) -> bool:
    return type(value) is str and value != ""


def _prerequisite(value: Any) -> bool:
    if type(value) is dict:
        return _key(value.get("key")) and _whole(value.get("variation", 0))
    return _key(value)


WHOLE_SCHEMA = {"type": "integer", "minimum": -MAX_VERSION, "maximum": MAX_VERSION}
BOOLEAN = Shape("true or false", {"type": "boolean"}, lambda v: type(v) is bool)
TEXT = Shape("text", {"type": "string"}, lambda v: type(v) is str)
WHOLE = Shape("a whole number", WHOLE_SCHEMA, _whole)
WHOLE_OR_NULL = Shape("a whole number or null", {**WHOLE_SCHEMA, "type": ["integer", "null"]},
                      lambda v: v is None or _whole(v))
NUMBER_OR_NULL = Shape("a number or null", {"type": ["number", "null"]},
                       lambda v: v is None or (type(v) in (int, float)))
OBJECT = Shape("a mapping", {"type": "object"}, lambda v: type(v) is dict)
OBJECTS = Shape("a list of mappings", {"type": "array", "items": {"type": "object"}},
                lambda v: type(v) is list and all(type(i) is dict for i in v))
LIST = Shape("a list", {"type": "array"}, lambda v: type(v) is list)
TEXTS = Shape("a list of text", {"type": "array", "items": {"type": "string"}},
              lambda v: type(v) is list and all(type(i) is str for i in v))
KEYS = Shape("a list of keys", {"$ref": "#/$defs/keys"}, lambda v: type(v) is list and all(map(_key, v)))
PREREQUISITES = Shape(
    "a list of flag keys or {key, variation} mappings",
    {"type": "array", "items": {"if": {"type": "string"}, "then": {"minLength": 1},
                                "else": {"type": "object", "required": ["key"],
                                         "properties": {"key": {"$ref": "#/$defs/key"}, "variation": WHOLE_SCHEMA}}}},
    lambda v: type(v) is list and all(map(_prerequisite, v)))
VERSION = Shape("a version", {"$ref": "#/$defs/version"}, is_version)

_VERSION_DOC = "the item's version: a write lands only if it is above the stored one"
_SEGMENTS_DOC = "(the kit's shorthand) adds a rule matching these segments"

#: The fields of a flag spec: (shape, description).
FLAG_FIELDS: dict[str, tuple[Shape, str]] = {
    "version": (VERSION, _VERSION_DOC),
    "on": (BOOLEAN, "targeting on (default true); a flag that is off serves offVariation"),
    "prerequisites": (PREREQUISITES, "flags that must serve a variation first: [f1] means f1 serves variation 0, "
                                     "or write {key: f1, variation: 1}"),
    "segments": (KEYS, _SEGMENTS_DOC + ", serving variation 1"),
    "salt": (TEXT, "the salt of percentage rollouts (default: the flag's key)"),
    "targets": (OBJECTS, "individual user targets: [{values: [user-1], variation: 1}]"),
    "contextTargets": (OBJECTS, "individual context targets: [{contextKind: user, values: [...], variation: 1}]"),
    "rules": (OBJECTS, "targeting rules: [{id: r1, clauses: [...], variation: 1}]"),
    "fallthrough": (OBJECT, "what a flag that is on serves when nothing matches (default {variation: 0})"),
    "offVariation": (WHOLE_OR_NULL, "the variation a flag that is off serves (default 0)"),
    "variations": (LIST, "the values the flag can serve (default [false, true])"),
    "clientSide": (BOOLEAN, "available to client-side SDKs (the older form of clientSideAvailability)"),
    "clientSideAvailability": (OBJECT, "{usingMobileKey: true, usingEnvironmentId: false}"),
    "trackEvents": (BOOLEAN, "send full events for every evaluation"),
    "trackEventsFallthrough": (BOOLEAN, "send full events for fallthrough evaluations"),
    "debugEventsUntilDate": (NUMBER_OR_NULL, "send debug events until this time (milliseconds since the epoch)"),
    "deleted": (BOOLEAN, "a tombstone"),
    "excludeFromSummaries": (BOOLEAN, "leave the flag out of summary events"),
    "samplingRatio": (WHOLE, "one in this many events is sent"),
    "migration": (OBJECT, "migration settings: {checkRatio: 1}"),
}

#: The fields of a segment spec: (shape, description).
SEGMENT_FIELDS: dict[str, tuple[Shape, str]] = {
    "version": (VERSION, _VERSION_DOC),
    "included": (TEXTS, "user keys in the segment"),
    "excluded": (TEXTS, "user keys kept out of the segment"),
    "includedContexts": (OBJECTS, "contexts in the segment: [{contextKind: org, values: [...]}]"),
    "excludedContexts": (OBJECTS, "contexts kept out of the segment"),
    "segments": (KEYS, _SEGMENTS_DOC),
    "rules": (OBJECTS, "segment rules: [{id: r1, clauses: [...]}]"),
    "salt": (TEXT, "the salt of weighted rules (default: the segment's key)"),
    "unbounded": (BOOLEAN, "a big segment"),
    "unboundedContextKind": (TEXT, "the context kind of a big segment"),
    "generation": (WHOLE_OR_NULL, "a big segment's generation"),
    "deleted": (BOOLEAN, "a tombstone"),
}

FIELDS = {"flags": FLAG_FIELDS, "segments": SEGMENT_FIELDS}
NOUN = {"flags": "flag", "segments": "segment"}


def _unknown(kind: str, key: str, name: str) -> str:
    fields = FIELDS[kind]
    message = f"unknown field {name!r} in {NOUN[kind]} {key!r}"
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    if close:
        return f"{message}, did you mean {close[0]!r}?"
    other = "segments" if kind == "flags" else "flags"
    if name in FIELDS[other]:
        return f"{message}: {name!r} is a {NOUN[other]} field"
    if name == "key":
        return f"{message}: an item's key is given by flag: or segment: (or its name under init:)"
    return f"{message}; a {NOUN[kind]}'s fields are: {', '.join(fields)}"


def check_spec(kind: str, key: str, spec: Mapping[str, Any]) -> None:
    """Refuse a spec the SDKs could not read: an unknown field, a value of the wrong
    shape, a version out of range, a value that is not JSON. Keys name the field."""
    check("version" in spec, f"{NOUN[kind]} {key!r} needs a version", "version")
    check_version(spec["version"], "version")
    fields = FIELDS[kind]
    for name, value in spec.items():
        known = fields.get(name) if type(name) is str else None
        if known is None:  # the message (a "did you mean" search) only when it is needed
            raise ScenarioError(_unknown(kind, key, str(name)), key=str(name))
        shape = known[0]
        if not shape.accepts(value):
            raise ScenarioError(f"{name} must be {shape.what}, not {value!r}", key=name)
        check_json(value, name, f"{name} of {NOUN[kind]} {key!r}")


#: Not a field, but named by the checks rather than by the schema's "unknown key".
_KEY_SCHEMA = {"description": "not in a spec: an item's key is given by flag: or segment: (or its name under init:)"}


def spec_schema(kind: str) -> dict:
    """The JSON Schema of a flag or segment spec, with a description of each field."""
    properties = {name: {**shape.schema, "description": doc} for name, (shape, doc) in FIELDS[kind].items()}
    return {"type": "object", "required": ["version"], "additionalProperties": False,
            "description": f"A {NOUN[kind]}: the kit fills in every field not given (see the README).",
            "properties": {**properties, "key": _KEY_SCHEMA}}


def any_spec_properties() -> dict:
    """Every field a flag or a segment spec may hold (an upsert names its kind beside them)."""
    properties: dict = {"key": _KEY_SCHEMA}
    for kind in KINDS:
        for name, (shape, doc) in FIELDS[kind].items():
            if name in properties:
                if properties[name]["description"] != doc:
                    properties[name] = {**shape.schema, "description": f"flag: {properties[name]['description']}; "
                                                                       f"segment: {doc}"}
            else:
                properties[name] = {**shape.schema, "description": doc}
    return properties


@dataclass(frozen=True, slots=True)
class Item:
    """A flag or segment as a scenario gives it: a short spec that ``items.py``
    expands into the SDK's real JSON. ``spec`` holds every field the author wrote
    (``version`` included), checked by :func:`check_spec`."""

    kind: str
    key: str
    spec: Mapping[str, Any]
    #: The SDK's JSON for this item, made on first use by ``items.item_json``.
    json_cache: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        spec = self.spec
        version = spec.get("version") if type(spec) is dict and len(spec) == 1 else None
        if type(version) is int and 0 <= version <= MAX_VERSION and self.kind in KINDS and type(self.key) is str \
                and self.key:
            object.__setattr__(self, "spec", {"version": version})  # the common case, checked quickly
            return
        check(self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}", "kind")
        check_key(self.key, "an item key", "key")
        check(isinstance(spec, Mapping), f"the spec of {self.key!r} must be a mapping, not {spec!r}")
        check_spec(self.kind, self.key, spec)
        object.__setattr__(self, "spec", plain_copy(dict(spec)))

    @property
    def version(self) -> int:
        return self.spec["version"]
