"""Load scenarios from YAML (or plain data) into the model, with located errors.

YAML is read with a safe loader that builds no objects, reads only
``true``/``false`` as booleans (so a flag's ``on:`` key stays a string) and
keeps dates as text. While reading, every key's line is noted, so an error —
from the JSON Schema (``scenario.schema.json``, published for editors) or from
the model's own checks — names the file, the line and the key.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from .durations import parse_duration
from .items import item_json
from .errors import ScenarioError
from .model import (ACTION_NAMES, DEFAULT_START, Delete, Disconnect, ErrorInfo, Evaluate, Expectations, Init,
                    Item, Listen, Reconnect, Scenario, SetStatus, Step, Stop, StoreConfig, StoreDown, StoreUp,
                    Upsert, Wait)

SCENARIO_SUFFIXES = (".yaml", ".yml")
Path_ = tuple  # a path into the data: ("steps", 3, "upsert", "version")


# ----------------------------------------------------------------------------- YAML

class _SafeLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and dates left as strings."""


_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _line_index(loader: _SafeLoader, node: yaml.Node, file: str | None) -> dict[Path_, int]:
    """Line (1-based) of every key and item, by path; raises on duplicate keys."""
    lines: dict[Path_, int] = {(): node.start_mark.line + 1}
    stack: list[tuple[Path_, yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set = set()
            for key_node, value_node in current.value:
                key = loader.construct_object(key_node, deep=True)
                if key in seen:
                    raise ScenarioError(f"duplicate key {key!r}", key=_dotted(path + (key,)), file=file,
                                        line=key_node.start_mark.line + 1)
                seen.add(key)
                lines[path + (key,)] = key_node.start_mark.line + 1
                stack.append((path + (key,), value_node))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[path + (index,)] = item.start_mark.line + 1
                stack.append((path + (index,), item))
    return lines


def parse_yaml(text: str, file: str | None = None) -> tuple[Any, dict[Path_, int]]:
    """(data, line index) of one YAML document."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError("the file is empty", file=file, line=1)
        lines = _line_index(loader, node, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise ScenarioError(f"not valid YAML: {e.problem or e.context}", file=file,
                            line=None if mark is None else mark.line + 1) from None
    except yaml.YAMLError as e:
        raise ScenarioError(f"not valid YAML: {e}", file=file) from None
    finally:
        loader.dispose()
    return data, lines


# ----------------------------------------------------------------------------- paths

def _dotted(path: Iterable) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _path_of(dotted: str) -> Path_:
    parts: list = []
    for piece in dotted.split("."):
        match = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", piece)
        if not match:
            parts.append(piece)
            continue
        if match.group(1):
            parts.append(match.group(1))
        parts += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return tuple(parts)


def _line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    path = tuple(path)
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


# ----------------------------------------------------------------------------- schema

@lru_cache(maxsize=1)
def schema() -> dict:
    """The scenario format as a JSON Schema (also at ``harness/scenario.schema.json``)."""
    return json.loads(resources.files("harness").joinpath("scenario.schema.json").read_text())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def _schema_error(error: jsonschema.ValidationError) -> tuple[Path_, str]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in error.instance if k not in allowed)
        if extra:
            key = extra[0]
            if path and path[0] == "steps" and len(path) == 2:
                return path + (key,), f"unknown step {key!r}; steps are: {', '.join(ACTION_NAMES)}"
            hint = f"; expected one of: {', '.join(sorted(allowed))}" if allowed else ""
            return path + (key,), f"unknown key {key!r}{hint}"
    if error.validator == "required":
        return path, error.message.replace("is a required property", "is required")
    if error.validator == "enum":
        return path, f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern" and "ms|s|m|h" in str(error.validator_value):
        return path, f"bad duration {error.instance!r}: write a number and one unit of ms, s, m or h (e.g. '250ms')"
    return path, error.message


def validate(data: Any, file: str | None = None, lines: dict[Path_, int] | None = None) -> None:
    """Check ``data`` against the JSON Schema; raise for the first problem (by line)."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise ScenarioError("a scenario must be a mapping with name and steps", file=file, line=1)
    errors = [_schema_error(e) for e in _validator().iter_errors(data)]
    if not errors:
        return
    errors.sort(key=lambda e: (_line_of(lines, e[0]) or 0, len(e[0]), e[1]))
    path, message = errors[0]
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    raise ScenarioError(message + more, key=_dotted(path) or None, file=file, line=_line_of(lines, path))


# ----------------------------------------------------------------------------- building

def _error(data: dict | None) -> ErrorInfo | None:
    if data is None:
        return None
    return ErrorInfo(data.get("kind", "UNKNOWN"), data.get("status_code", 0), data.get("message", ""))


def _items(kind: str, specs: dict | None) -> tuple[Item, ...]:
    return tuple(Item(kind, key, spec) for key, spec in (specs or {}).items())


def _target_of(body: dict) -> tuple[str, str]:
    if ("flag" in body) == ("segment" in body):
        raise ScenarioError("name exactly one of 'flag' or 'segment'", key="flag")
    return ("flags", body["flag"]) if "flag" in body else ("segments", body["segment"])


def _action(name: str, body: Any):
    if name == "init":
        return Init(_items("flags", body.get("flags")), _items("segments", body.get("segments")))
    if name == "upsert":
        kind, key = _target_of(body)
        spec = {k: v for k, v in body.items() if k not in ("flag", "segment")}
        return Upsert(Item(kind, key, spec))
    if name == "delete":
        kind, key = _target_of(body)
        return Delete(kind, key, body["version"])
    if name == "status":
        if isinstance(body, str):
            return SetStatus(body)
        return SetStatus(body["state"], _error(body.get("error")))
    if name == "store_down":
        body = body or {}
        return StoreDown(frozenset(body.get("fail", StoreDown.__dataclass_fields__["fail"].default)),
                         body.get("available", False), body.get("message", "store unavailable"))
    if name == "store_up":
        return StoreUp()
    if name == "wait":
        return Wait(parse_duration(body))
    if name == "listen":
        return Listen(body)
    if name == "evaluate":
        return Evaluate(body["flag"], body.get("context", "user-1"), body.get("default"))
    if name == "disconnect":
        body = body or {}
        after = body.get("reconnect_after")
        error = _error(body.get("error")) or Disconnect.__dataclass_fields__["error"].default_factory()
        return Disconnect(error, None if after is None else parse_duration(after))
    if name == "reconnect":
        return Reconnect()
    if name == "stop":
        return Stop()
    raise ScenarioError(f"unknown step {name!r}; steps are: {', '.join(ACTION_NAMES)}", key=name)


def _step(data: dict, line: int | None) -> Step:
    actions = [k for k in data if k not in ("at", "after")]
    if len(actions) != 1:
        raise ScenarioError(f"a step holds exactly one action, found {len(actions)}: {', '.join(actions) or 'none'}")
    name = actions[0]
    try:
        action = _action(name, data[name])
    except ScenarioError as e:
        raise e.located(prefix=name) from None
    timing = {k: parse_duration(data[k], key=k) for k in ("at", "after") if k in data}
    return Step(action, line=line, **timing)


def _final_status(value: Any) -> tuple[str, str | None] | None:
    if value is None or isinstance(value, str):
        return None if value is None else (value, None)
    return (value["state"], value.get("error_kind"))


def _expectations(data: dict | None, *, with_targets: bool = True) -> Expectations:
    data = data or {}

    def seq(name: str):
        value = data.get(name)
        return None if value is None else tuple(value)

    targets = {}
    if with_targets:
        targets = {name: _expectations(body, with_targets=False) for name, body in (data.get("targets") or {}).items()}
    return Expectations(status=seq("status"), final_status=_final_status(data.get("final_status")),
                        store=data.get("store"), changes=seq("changes"), outcomes=seq("outcomes"),
                        store_status=seq("store_status"), evaluations=seq("evaluations"), logs=seq("logs"),
                        since=None if data.get("since") is None else tuple(
                            parse_duration(d, key=f"expect.since[{i}]") for i, d in enumerate(data["since"])),
                        error_kinds=seq("error_kinds"), reasons=seq("reasons"), violations=seq("violations"),
                        op_errors=seq("op_errors"), logs_absent=seq("logs_absent"), targets=targets)


def _start(text: str | None) -> datetime:
    if text is None:
        return DEFAULT_START
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _store(value: Any) -> StoreConfig:
    if value is None:
        return StoreConfig()
    if isinstance(value, str):
        return StoreConfig(value)
    ttl = value.get("cache_ttl")
    return StoreConfig(value["type"], None if ttl is None else parse_duration(ttl, key="store.cache_ttl"))


def scenario_from_data(data: Any, file: str | None = None, lines: dict[Path_, int] | None = None) -> Scenario:
    """Build a :class:`Scenario` from plain data (the YAML form), checking everything."""
    lines = lines or {}
    validate(data, file, lines)

    def located(e: ScenarioError, path: Path_) -> ScenarioError:
        full = _dotted(path) if not e.key else f"{_dotted(path)}.{e.key}" if path else e.key
        return ScenarioError(e.message, key=full or None, file=file, line=_line_of(lines, _path_of(full)))

    steps = []
    for index, step in enumerate(data["steps"]):
        try:
            steps.append(_step(step, lines.get(("steps", index))))
        except ScenarioError as e:
            raise located(e, ("steps", index)) from None
    try:
        expect = _expectations(data.get("expect"))
    except ScenarioError as e:
        raise located(e, ()) from None
    for step in steps:  # expand every item's JSON now, once, rather than during the run
        action = step.action
        for item in (action.flags + action.segments if isinstance(action, Init) else
                     (action.item,) if isinstance(action, Upsert) else ()):
            item_json(item)
    try:
        return Scenario(name=data["name"], steps=tuple(steps), description=data.get("description", ""),
                        start=_start(data.get("start")), seed=data.get("seed", 0), store=_store(data.get("store")),
                        listen=data.get("listen", True), expect=expect, file=file, line=lines.get(("name",)),
                        outage_log_after=parse_duration(data.get("outage_log_after", "1m"), key="outage_log_after"))
    except ScenarioError as e:
        raise located(e, ()) from None
    except ValueError as e:  # a start time that matched the pattern but is no real date
        raise ScenarioError(str(e), key="start", file=file, line=lines.get(("start",))) from None


def scenario_from_yaml(text: str, file: str | None = None) -> Scenario:
    data, lines = parse_yaml(text, file)
    return scenario_from_data(data, file, lines)


def load_scenario(path: str | Path) -> Scenario:
    """Load and check one scenario file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"cannot read the scenario: {e.strerror or e}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("the scenario is not UTF-8 text", file=str(path)) from None
    return scenario_from_yaml(text, str(path))


def scenario_files(path: Path) -> list[Path]:
    """The scenario files in ``path`` (a file, or a folder searched recursively, sorted)."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file())
    if not path.exists():
        raise ScenarioError("no such file or folder", file=str(path))
    return [path]


def load_path(path: str | Path) -> list[Scenario]:
    """Every scenario in a file or folder."""
    return [load_scenario(p) for p in scenario_files(Path(path))]
