"""Load scenarios from YAML (or plain data) into the model, with located errors.

YAML is read by :mod:`harness.vocabulary.yaml_reader`, which notes the line of
every key. The data is then checked against the JSON Schema (see
:mod:`harness.vocabulary.schema`) and built into the model, whose own checks
run too; every error names the file, the line and the key.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ..bulk import gc_paused
from ..errors import ScenarioError
from .durations import parse_duration
from .model import (CACHE_FOREVER, DEFAULT_RESTART_AFTER, DEFAULT_START, TOMBSTONE_FORMS, Expectations, Scenario,
                    SourceConfig, Step, StoreConfig)
from .schema import line_of, validate
from .step_list import PlainWrite, Steps
from .yaml_reader import KeyPath, dotted, read_yaml

SCENARIO_SUFFIXES = (".yaml", ".yml")


def _path_of(dotted_key: str) -> KeyPath:
    parts: list = []
    for piece in dotted_key.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        for index in ("[" + rest).split("[")[1:] if rest else ():
            number = index.rstrip("]")
            parts.append(int(number) if number.isdigit() else number)
    return tuple(parts)


parse_yaml = read_yaml


# ----------------------------------------------------------------------------- building

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
                        op_errors=seq("op_errors"), logs_absent=seq("logs_absent"), stale=seq("stale"),
                        targets=targets)


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
    if ttl is not None and ttl != CACHE_FOREVER:
        ttl = parse_duration(ttl, key="store.cache_ttl")
    return StoreConfig(value["type"], ttl, value.get("core"), value.get("prefix"),
                       value.get("tombstones", TOMBSTONE_FORMS[0]))


def _source(value: Any) -> SourceConfig:
    if value is None:
        return SourceConfig()
    after = value.get("restart_after")
    return SourceConfig(value.get("on_store_recovery"),
                        DEFAULT_RESTART_AFTER if after is None else parse_duration(after, key="source.restart_after"))


def scenario_from_data(data: Any, file: str | None = None, lines: dict[KeyPath, int] | None = None) -> Scenario:
    """Build a :class:`Scenario` from plain data (the YAML form), checking everything."""
    with gc_paused():
        return _scenario_from_data(data, file, lines)


def _scenario_from_data(data: Any, file: str | None, lines: dict[KeyPath, int] | None) -> Scenario:
    lines = lines or {}
    # Steps in their common form are read and checked without the schema (much
    # faster); the schema checks the rest, and explains every problem.
    raw = data.get("steps") if isinstance(data, dict) else None
    simple = [_read_step(step, lines.get(("steps", index)))
              for index, step in enumerate(raw)] if isinstance(raw, list) else []
    validate(data, file, lines, steps=[index for index, step in enumerate(simple) if step is None])

    def located(e: ScenarioError, path: KeyPath) -> ScenarioError:
        full = dotted(path) if not e.key else f"{dotted(path)}.{e.key}" if path else e.key
        return ScenarioError(e.message, key=full or None, file=file, line=line_of(lines, _path_of(full)))

    steps = []
    for index, step in enumerate(data["steps"]):
        if simple[index] is not None:
            steps.append(simple[index])
            continue
        try:
            steps.append(Step.from_data(step, lines.get(("steps", index))))
        except ScenarioError as e:
            raise located(e, ("steps", index)) from None
    try:
        expect = _expectations(data.get("expect"))
    except ScenarioError as e:
        raise located(e, ()) from None
    try:
        return Scenario(name=data["name"], steps=Steps(steps), description=data.get("description", ""),
                        start=_start(data.get("start")), seed=data.get("seed", 0), store=_store(data.get("store")),
                        source=_source(data.get("source")), listen=data.get("listen", True), expect=expect, file=file, line=lines.get(("name",)),
                        outage_log_after=parse_duration(data.get("outage_log_after", "1m"), key="outage_log_after"))
    except ScenarioError as e:
        raise located(e, ()) from None
    except ValueError as e:  # a start time that matched the pattern but is no real date
        raise ScenarioError(str(e), key="start", file=file, line=lines.get(("start",))) from None


def _read_step(data: Any, line: int | None) -> Step | PlainWrite | None:
    """A step in its common form as its Step, checked without the schema (a Step or a row the
    builder made is itself); None when the schema must look at it."""
    return data if type(data) is tuple else Step.from_simple_data(data, line)


def _step_as_read(path: KeyPath, value: Any, line: int) -> Any:
    """A step in its common form becomes its Step as soon as the reader has it."""
    if len(path) == 2 and path[0] == "steps":
        return _read_step(value, line) or value
    return value


def scenario_from_yaml(text: str, file: str | None = None) -> Scenario:
    """Read and check one scenario's YAML text (``file`` names it in errors)."""
    # Every key's line costs memory a long file feels, and only an error reads them:
    # note the steps' own lines, and read the file again to place an error exactly.
    data, lines = read_yaml(text, file, depth=2, finish=_step_as_read)
    try:
        return scenario_from_data(data, file, lines)
    except ScenarioError:
        data, lines = read_yaml(text, file)
        return scenario_from_data(data, file, lines)


def _not_a_file(mode: int) -> str | None:
    """What a path is when it is not a regular file (a FIFO would block the reader, a
    device such as /dev/zero would never end), else None."""
    if stat.S_ISREG(mode):
        return None
    for test, what in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return "not a regular file"


def read_scenario_text(path: str | Path) -> str:
    """The text of a scenario file. Anything but a regular file (after following
    symlinks) is refused before it is opened for reading."""
    path = Path(path)
    try:
        what = _not_a_file(os.stat(path).st_mode)
        if what is None:
            # Opened without blocking, and checked again: the path may have changed since.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as stream:
                what = _not_a_file(os.fstat(stream.fileno()).st_mode)
                if what is None:
                    return stream.read().decode("utf-8")
    except OSError as e:
        raise ScenarioError(f"cannot read the scenario: {e.strerror or e}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ScenarioError("the scenario is not UTF-8 text", file=str(path)) from None
    raise ScenarioError(f"cannot read the scenario: it is {what}, not a regular file", file=str(path))


def load_scenario(path: str | Path) -> Scenario:
    """Load and check one scenario file."""
    return scenario_from_yaml(read_scenario_text(path), str(path))


def catalogue_path() -> Path:
    """The scenario catalogue: shipped inside the package by a build, or ``scenarios/`` in a clone."""
    shipped = Path(str(resources.files("harness"))) / "catalogue"
    if shipped.is_dir():
        return shipped
    clone = Path(__file__).resolve().parents[2] / "scenarios"
    if clone.is_dir():
        return clone
    raise ScenarioError("the scenario catalogue is not installed with this copy of the kit")


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
