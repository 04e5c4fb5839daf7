"""The scenario format as a JSON Schema, and validation with located errors.

The published file ``scenario.schema.json`` (for editors, which show each
description on hover) is assembled from the code: each step kind's
``body_schema`` is its entry under ``$defs.step.properties`` (see
``steps/declaration.py``), the flag and segment specs come from
``item_fields.py``, and the words and ranges (states, error kinds, versions,
status codes) from ``values.py``. The top-level keys and the ``expect:``
block are written in the file itself. After changing any of these, rewrite the
file with::

    make schema

(the test suite fails until the published file matches the code).
"""

from __future__ import annotations

import copy
import difflib
import json
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import jsonschema

from ..errors import ScenarioError
from .item_fields import spec_schema
from .model import CACHE_FOREVER, CORE_PATTERN, GO_CORE_PATTERN, STORE_RECOVERY, STORE_TYPES, TOMBSTONE_FORMS
from .steps import STEP_KINDS, TIMING_DOCS
from .values import ERROR_KINDS, MAX_STATUS_CODE, MAX_VERSION, STATES, VERSION_RANGE_WHY
from .yaml_reader import KeyPath, dotted

PUBLISHED = "scenario.schema.json"


def _published() -> dict:
    return json.loads(resources.files(__package__).joinpath(PUBLISHED).read_text(encoding="utf-8"))


def _code_defs() -> dict:
    """The definitions made from the code's words, ranges and item fields."""
    return {
        "version": {"type": "integer", "minimum": 0, "maximum": MAX_VERSION,
                    "description": f"a whole number from 0 to 2**53 - 1 ({VERSION_RANGE_WHY})"},
        "state": {"enum": list(STATES)},
        "error_kind": {"enum": list(ERROR_KINDS)},
        "error": {"type": "object", "additionalProperties": False, "description": "a data source error",
                  "properties": {"kind": {"$ref": "#/$defs/error_kind", "description": "what went wrong "
                                                                                         "(default UNKNOWN)"},
                                 "status_code": {"type": "integer", "minimum": 0, "maximum": MAX_STATUS_CODE,
                                                 "description": "the HTTP status code, 0 for none"},
                                 "message": {"type": "string", "description": "what the error says"}}},
        "flag_spec": spec_schema("flags"),
        "segment_spec": spec_schema("segments"),
    }


def _store_schema() -> dict:
    """The top-level ``store`` key, from the store types the model knows."""
    types = list(STORE_TYPES)
    return {
        "description": "memory (the SDK's in-memory store), persistent (a fault-injectable core behind the SDK's "
                       "persistent-store wrapper), python (your FeatureStoreCore behind that wrapper, on the sdk "
                       "targets), go (your PersistentDataStore built into the Go driver, behind that wrapper, on "
                       "the go targets) or redis (the SDK's own Redis integration against a redis-server the kit "
                       "starts), with cache_ttl: a duration, 0s or forever, and (persistent) tombstones: serialized "
                       "or flag.",
        "if": {"type": "string"},
        "then": {"enum": types},
        "else": {
            "type": "object", "required": ["type"], "additionalProperties": False,
            "properties": {
                "type": {"enum": types},
                "cache_ttl": {"anyOf": [{"$ref": "#/$defs/duration"}, {"const": CACHE_FOREVER}],
                              "description": "how long the SDK's persistent-store wrapper caches reads: a duration, "
                                             "0s for none, or forever (infinite: Go's CacheForever)"},
                "core": {"type": "string", "pattern": f"^(?:{CORE_PATTERN}|{GO_CORE_PATTERN})$",
                         "description": "python store: the callable that makes your FeatureStoreCore, as "
                                        "\"module:callable\" (an async core for sdk-async, or a sync one it "
                                        "adapts); go store: the function that returns your PersistentDataStore, "
                                        "as \"./folder:Function\" (a local Go module) or "
                                        "\"module@version:Function\" (from the Go module proxy)"},
                "prefix": {"type": "string", "minLength": 1,
                           "description": "redis store: the prefix of every key (default: the SDK's, launchdarkly)"},
                "tombstones": {"enum": list(TOMBSTONE_FORMS),
                               "description": "persistent store: the form its core keeps a deleted item in: "
                                              "serialized (the SDK's placeholder JSON with deleted: true; the "
                                              "default) or flag (a version and a deleted flag, no serialized "
                                              "item), the two forms the Go and Node store interfaces allow"},
            },
        },
    }


def _source_schema() -> dict:
    """The top-level ``source`` key: how the simulated data source reacts where the SDKs' own differ."""
    return {
        "type": "object", "additionalProperties": False,
        "description": "how the simulated data source reacts where the SDKs' own streaming sources differ "
                       "(default: as the target's SDK's own)",
        "properties": {
            "on_store_recovery": {
                "enum": list(STORE_RECOVERY),
                "description": "when the store is reported available again after an outage: nothing (Python's "
                               "and Node's FDv1 streaming sources), restart the stream, or restart it only when "
                               "the store says it may have missed updates (restart_if_stale: Go's, on "
                               "NeedsRefresh). Default: the target's SDK's own"},
            "restart_after": {"$ref": "#/$defs/duration",
                              "description": "how long after the store's recovery the restarted stream "
                                             "connects and resends the server's data (default 1s)"},
        },
    }


def build_schema() -> dict:
    """The published schema with every part the code owns made from the code."""
    document = _published()
    document["$defs"].update(_code_defs())
    document["properties"]["store"] = _store_schema()
    document["properties"]["source"] = _source_schema()
    properties = {key: {"$ref": "#/$defs/duration", "description": doc} for key, doc in TIMING_DOCS.items()}
    for name, kind in STEP_KINDS.items():
        properties[name] = copy.deepcopy(kind.body_schema)
    document["$defs"]["step"]["properties"] = properties
    return document


def schema() -> dict:
    """The scenario format as a JSON Schema (also at ``harness/vocabulary/scenario.schema.json``)."""
    return copy.deepcopy(_assembled(tuple(STEP_KINDS)))


@lru_cache(maxsize=4)
def _assembled(kinds: tuple[str, ...]) -> dict:  # keyed on the registry, which may grow
    return build_schema()


def _validator() -> jsonschema.Draft202012Validator:
    return _compiled(tuple(STEP_KINDS))


@lru_cache(maxsize=4)
def _compiled(kinds: tuple[str, ...]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_assembled(kinds))


def _step_validator() -> jsonschema.Draft202012Validator:
    return _compiled_step(tuple(STEP_KINDS))


@lru_cache(maxsize=4)
def _compiled_step(kinds: tuple[str, ...]) -> jsonschema.Draft202012Validator:
    """The schema of one step, for checking steps one at a time."""
    return jsonschema.Draft202012Validator({"$ref": "#/$defs/step", "$defs": _assembled(kinds)["$defs"]})


def line_of(lines: dict[KeyPath, int], path) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f", did you mean {close[0]!r}?" if close else ""


# Missing keys are reported after every other problem: a misspelt key
# (``stepz``) explains a missing one (``steps``), and should be named first.
_RANK = {"required": 1}


def _explain(error: jsonschema.ValidationError, prefix: KeyPath = ()) -> tuple[KeyPath, str, int]:
    path = prefix + tuple(error.absolute_path)
    rank = _RANK.get(error.validator, 0)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed and not k.startswith("x-"))
        if extra:
            key = extra[0]
            if path and path[0] == "steps" and len(path) == 2:
                return (path + (key,), f"unknown step {key!r}{_did_you_mean(key, STEP_KINDS)}"
                        f"{'' if _did_you_mean(key, STEP_KINDS) else '; steps are: ' + ', '.join(STEP_KINDS)}",
                        rank)
            hint = _did_you_mean(key, allowed) or (f"; expected one of: {', '.join(sorted(allowed))}"
                                                   if allowed else "")
            return path + (key,), f"unknown key {key!r}{hint}", rank
    if error.instance is None and path and error.validator in ("type", "enum", "if", "const", "anyOf"):
        return path, f"'{path[-1]}' has no value (is the line below it indented enough?)", rank
    if error.validator == "maximum" and error.validator_value == MAX_VERSION:
        return path, f"version {error.instance} is above 2**53 - 1 ({MAX_VERSION:,}): {VERSION_RANGE_WHY}", rank
    if error.validator == "required":
        return path, error.message.replace("is a required property", "is required"), rank
    if error.validator == "enum":
        return path, f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}", rank
    if error.validator == "pattern" and "ms|s|m|h" in str(error.validator_value):
        return (path, f"bad duration {error.instance!r}: write a number and one unit of ms, s, m or h "
                      "(e.g. '250ms')", rank)
    return path, error.message, rank


MORE_SHOWN = 9  # problems shown after the first one


def validate(data: Any, file: str | None = None, lines: dict[KeyPath, int] | None = None,
             steps: Iterable[int] | None = None) -> None:
    """Check ``data`` against the schema; raise :class:`ScenarioError` for the first problem by line.

    ``steps``: check only these steps (by index) and the rest of the document,
    for a caller that has checked the other steps itself.
    """
    lines = lines or {}
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping with name and steps", file=file, line=1)
    if steps is None or not isinstance(data.get("steps"), list):
        errors = [_explain(e) for e in _validator().iter_errors(data)]
    else:
        errors = [_explain(e) for e in _validator().iter_errors({**data, "steps": []})]
        for index in steps:
            errors += [_explain(e, ("steps", index)) for e in _step_validator().iter_errors(data["steps"][index])]
    if not errors:
        return
    located = sorted((rank, line_of(lines, path) or 0, len(path), message, path)
                     for path, message, rank in errors)
    _, line, _, message, path = located[0]
    # The others, in the file's order, each once; a file full of mistakes shows the first few. Those
    # in the same step (or top-level key) as the first are left out: mostly its consequences (a
    # misspelt key also leaves a required one missing, a mis-indented line makes a step of its own).
    scope = tuple(path[:2] if path[:1] == ("steps",) else path[:1])
    others = sorted({(other_line or None, dotted(other_path) or None, other_message)
                     for _, other_line, _, other_message, other_path in located[1:]
                     if not scope or tuple(other_path[:len(scope)]) != scope},
                    key=lambda problem: (problem[0] or 0, problem[1] or "", problem[2]))
    also = tuple(others[:MORE_SHOWN])
    if len(others) > MORE_SHOWN:
        also += ((None, None, f"... and {len(others) - MORE_SHOWN} more problem(s)"),)
    raise ScenarioError(message, key=dotted(path) or None, file=file, line=line or None, also=also)


def main() -> None:
    """Rewrite the published schema file from the registry."""
    target = Path(__file__).with_name(PUBLISHED)
    target.write_text(json.dumps(build_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)

