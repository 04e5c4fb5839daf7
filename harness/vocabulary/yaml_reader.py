"""Read one YAML document into plain data, noting the line of every key and item.

The data is built from the parser's event stream (libyaml's C parser when
PyYAML has it), without recursion, so no input can make it recurse, hang or
blow up. Every problem becomes a :class:`~harness.errors.ScenarioError` that
names the file and line:

- YAML 1.2 booleans only (``true``/``false``): a flag's ``on:`` key stays a
  string; dates stay text;
- keys must be text (``1: a`` and ``? [a]`` are refused) and appear once;
- merge keys (``<<: *base``) work as in YAML 1.1;
- an alias may not refer to the collection it sits in (``&a [*a]``), and
  aliases may add at most :data:`ALIAS_BUDGET` values in all (alias bombs);
- nesting deeper than :data:`MAX_DEPTH` is refused;
- an explicit tag that cannot be applied (``!!float x``) or is unknown
  (``!python/object``) is refused at its line.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import yaml
import yaml.cyaml
from yaml.constructor import SafeConstructor
from yaml.events import (AliasEvent, CollectionStartEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent,
                         ScalarEvent, SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
from yaml.nodes import ScalarNode

from ..errors import ScenarioError

KeyPath = tuple  # a path into the data: ("steps", 3, "upsert", "version")

MAX_DEPTH = 64
ALIAS_BUDGET = 100_000

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS = {"tag:yaml.org,2002:" + t for t in ("null", "bool", "int", "float", "str", "timestamp", "binary")}


class _Resolver(yaml.resolver.Resolver):
    """PyYAML's resolver with YAML 1.2 booleans and dates left as strings."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

_RESOLVER = _Resolver()
_CONSTRUCTOR = SafeConstructor()
_CONSTRUCT = {tag: SafeConstructor.yaml_constructors[tag] for tag in _SCALAR_TAGS}


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """The pure-Python event source, used when PyYAML was built without libyaml."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _events(text: str):
    parser = yaml.cyaml.CParser(text) if yaml.__with_libyaml__ else _Loader(text)
    try:
        while parser.check_event():
            yield parser.get_event()
    finally:
        parser.dispose()


class _Open:
    """A collection being built: its value, where it is, and what it is waiting for."""

    __slots__ = ("value", "path", "anchor", "size", "key", "merges", "line")

    def __init__(self, value, path, anchor, line):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.size = 1
        self.key: Any = _NO_KEY
        self.merges: list = []
        self.line = line


_NO_KEY = object()


def _line(event) -> int:
    return event.start_mark.line + 1


def dotted(path) -> str:
    """``("steps", 3, "upsert")`` as ``steps[3].upsert``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Builder:
    def __init__(self, file: str | None, depth: int | None = None, finish=None):
        self.file = file
        self.finish = finish
        self.lines: dict[KeyPath, int] = {}
        self.depth = MAX_DEPTH + 1 if depth is None else depth  # note lines of paths up to this long
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, size); open ones hold None
        self.extra = 0  # values added by aliases
        self.result: Any = _NO_KEY

    def fail(self, message: str, line: int | None, path: KeyPath | None = None) -> ScenarioError:
        return ScenarioError(message, file=self.file, line=line, key=dotted(path) if path else None)

    # -- where a new value goes ------------------------------------------------------

    def _place(self, event) -> tuple[KeyPath, bool]:
        """(path of the value that starts here, whether it is a mapping key)."""
        if not self.stack:
            return (), False
        top = self.stack[-1]
        if isinstance(top.value, list):
            return top.path + (len(top.value),), False
        if top.key is _NO_KEY:
            return top.path, True
        return top.path + (top.key,), False

    def _add(self, value: Any, size: int, line: int, is_key: bool, merge: bool = False,
             noted: bool = True) -> None:
        if not self.stack:
            self.result = value
            return
        top = self.stack[-1]
        top.size += size
        noted = noted and len(top.path) < self.depth
        if isinstance(top.value, list):
            if noted:
                self.lines[top.path + (len(top.value),)] = line
            top.value.append(value)
        elif is_key:
            if merge:
                top.key = _MERGE
            elif not isinstance(value, str):
                shown = "a collection" if isinstance(value, (dict, list)) else f"{value!r}"
                raise self.fail(f"a key must be text, not {shown}" +
                                ("" if isinstance(value, (dict, list)) else f"; write it in quotes ('{value}')"),
                                line, top.path)
            elif value in top.value:
                raise self.fail(f"duplicate key {value!r}", line, top.path + (value,))
            else:
                top.key = value
            if not merge and noted:
                self.lines[top.path + (value,)] = line
        else:
            if top.key is _MERGE:
                top.merges.append((value, line))
            else:
                top.value[top.key] = value
            top.key = _NO_KEY

    # -- events ----------------------------------------------------------------------

    def scalar(self, event: ScalarEvent) -> None:
        path, is_key = self._place(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = _RESOLVER.resolve(ScalarNode, event.value, event.implicit)
        merge = is_key and tag == _MERGE
        if merge:
            value = "<<"
        elif tag not in _CONSTRUCT:
            raise self.fail(f"unknown tag {event.tag or tag!r}", _line(event), path)
        else:
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            try:
                value = _CONSTRUCT[tag](_CONSTRUCTOR, node)
            except Exception:
                short = tag.rsplit(":", 1)[-1]
                raise self.fail(f"cannot read {event.value!r} as !!{short}", _line(event), path) from None
        self._remember(event.anchor, value, 1)
        self._add(value, 1, _line(event), is_key, merge)

    def start(self, event: CollectionStartEvent) -> None:
        path, is_key = self._place(event)
        if is_key:
            raise self.fail("a key must be text, not a collection", _line(event), path)
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep", _line(event), path)
        mapping = isinstance(event, MappingStartEvent)
        if event.tag not in (None, "!", _MAP if mapping else _SEQ):
            raise self.fail(f"unsupported tag {event.tag!r} on a {'mapping' if mapping else 'list'}",
                            _line(event), path)
        if not self.stack:
            self.lines[()] = _line(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = (None, 0)
        self.stack.append(_Open({} if mapping else [], path, event.anchor, _line(event)))

    def end(self, event) -> None:
        done = self.stack.pop()
        if done.merges:
            self._merge(done)
        self._remember(done.anchor, done.value, done.size)
        value = done.value if self.finish is None else self.finish(done.path, done.value, done.line)
        self._add(value, done.size, done.line, False, noted=value is done.value)

    def _merge(self, done: _Open) -> None:
        merged: dict = {}
        for value, line in done.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail("a merge key ('<<') takes a mapping or a list of mappings", line, done.path)
                for key, item in source.items():
                    merged.setdefault(key, item)
        for key, item in merged.items():
            if key not in done.value:
                done.value[key] = item
                self.lines.setdefault(done.path + (key,), done.merges[0][1])

    def alias(self, event: AliasEvent) -> None:
        path, is_key = self._place(event)
        if event.anchor not in self.anchors:
            raise self.fail(f"unknown alias *{event.anchor}", _line(event), path)
        value, size = self.anchors[event.anchor]
        if value is None and size == 0:
            raise self.fail(f"the alias *{event.anchor} refers to a collection that contains it",
                            _line(event), path)
        self.extra += size
        if self.extra > ALIAS_BUDGET:
            raise self.fail(f"aliases expand to more than {ALIAS_BUDGET:,} values", _line(event), path)
        self._add(value, size, _line(event), is_key)

    def _remember(self, anchor: str | None, value: Any, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, max(size, 1))


def _reader_error(e: yaml.reader.ReaderError, text: str, file: str | None) -> ScenarioError:
    position = e.position if isinstance(e.position, int) else 0
    line = text.count("\n", 0, position) + 1
    char = e.character
    shown = f"{char!r}" if isinstance(char, str) else f"byte {char!r}"
    return ScenarioError(f"not valid YAML: the control character {shown} is not allowed "
                         f"(write it escaped in a double-quoted string)", file=file, line=line)


_HINTS = (
    ("found character '\\t'", "YAML indents with spaces; replace the tab with spaces"),
    ("mapping values are not allowed", "a value is indented differently from its key's siblings, or a "
                                       "'key: value' sits where a plain value was expected"),
    ("expected <block end>", "this line's indentation does not match the lines above it"),
    ("did not find expected key", "this line's indentation does not match the lines above it"),
    ("could not find expected ':'", "a key is missing its ':' (or a quote or bracket is not closed)"),
    ("found unexpected end of stream", "a quote or bracket opened above is never closed"),
    ("while parsing a flow", "a bracket ('[' or '{') opened above is not closed where expected"),
    ("while scanning a quoted scalar", "a quote opened above is never closed"),
)


def _syntax_error(e: yaml.MarkedYAMLError, text: str, file: str | None) -> ScenarioError:
    """The parser's complaint, with the line shown, a caret under the column and a plain hint."""
    lines = text.splitlines()
    mark = e.problem_mark or e.context_mark
    if mark is not None and mark.line >= len(lines) and e.context_mark is not None:
        mark = e.context_mark  # the file ended: show where the unclosed thing opened
    problem = e.problem or e.context or "not valid YAML"
    message = f"not valid YAML: {problem}"
    said = f"{e.context or ''} {e.problem or ''}"
    for words, hint in _HINTS:
        if words in said:
            message += f" (hint: {hint})"
            break
    if mark is None:
        return ScenarioError(message, file=file)
    if 0 <= mark.line < len(lines):
        shown, column = lines[mark.line], mark.column
        if "\t" in shown[: column + 1] and "(hint:" not in message:
            message += " (hint: YAML indents with spaces; replace the tab with spaces)"
        if len(shown) > 100:  # keep the caret in view on a long line
            start = max(0, column - 60)
            shown, column = shown[start:start + 100], column - start
        message += f"\n    {shown.replace(chr(9), ' ')}\n    {' ' * column}^"
    return ScenarioError(message, file=file, line=mark.line + 1)


def read_yaml(text: str, file: str | None = None, depth: int | None = None,
              finish: Callable[[KeyPath, Any, int], Any] | None = None) -> tuple[Any, dict[KeyPath, int]]:
    """(data, line of every key and list item by path) of one YAML document.

    ``depth``: note the lines of paths up to this long only (``2``: the top-level
    keys and each step), which saves time and memory on long files; the reader's
    own errors still name their line.

    ``finish(path, value, line)`` is called as each mapping or list ends and may
    return something to put in its place (which then carries its own line): a
    long file is then never held as plain data and as what it becomes at once.
    """
    builder = _Builder(file, depth, finish)
    documents = 0
    try:
        for event in _events(text):
            kind = type(event)
            if kind is ScalarEvent:
                builder.scalar(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                builder.start(event)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                builder.end(event)
            elif kind is AliasEvent:
                builder.alias(event)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise builder.fail("a scenario file holds one YAML document; found a second '---'",
                                       _line(event))
            elif kind is StreamEndEvent:
                break
    except yaml.reader.ReaderError as e:
        raise _reader_error(e, text, file) from None
    except yaml.MarkedYAMLError as e:
        raise _syntax_error(e, text, file) from None
    except yaml.YAMLError as e:
        raise ScenarioError(f"not valid YAML: {e}", file=file) from None
    if builder.result is _NO_KEY or builder.result is None:
        raise ScenarioError("the file is empty", file=file, line=1)
    builder.lines.setdefault((), 1)
    return builder.result, builder.lines
