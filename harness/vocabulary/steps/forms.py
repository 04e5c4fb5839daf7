"""How a step's options are written: each :class:`Form` gives the JSON Schema of
an option's value, how that value is read into the model and written back, and
a quick reading that skips the schema for the most common values.

Pure: no YAML, no pandas, no SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...errors import ScenarioError
from ..durations import format_duration, parse_duration, simple_duration
from ..item_fields import Item
from ..values import STATES, STORE_OPS, ErrorInfo, is_version

#: What :attr:`Form.quick` returns for a value it leaves to the schema.
NOT_QUICK = object()


def _as_written(value: Any, key: str) -> Any:
    return value


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Form:
    """How one option is written in a scenario.

    - ``schema``: the JSON Schema of the written value;
    - ``read(value, key)``: the model's value (raising :class:`ScenarioError` at ``key``);
    - ``write(value)``: back to the written form (``write(read(v))`` reads as ``v`` does);
    - ``quick(value)``: the model's value without the schema, or :data:`NOT_QUICK`. It
      must never accept a value the schema refuses (a test holds every form to that):
      the schema costs microseconds a step, which long scenarios feel. ``None``: no
      quick reading, every value goes through the schema.
    """

    schema: dict
    read: Callable[[Any, str], Any] = _as_written
    write: Callable[[Any], Any] = _same
    quick: Callable[[Any], Any] | None = None


def _quick_key(value: Any) -> Any:
    return value if type(value) is str and value else NOT_QUICK


def _quick_duration(value: Any) -> Any:
    micros = simple_duration(value)
    return NOT_QUICK if micros is None else micros


def _read_error(value: Any, key: str) -> ErrorInfo | None:
    try:
        return ErrorInfo.from_data(value)
    except ScenarioError as e:
        raise e.located(prefix=key) from None


KEY = Form({"$ref": "#/$defs/key"}, quick=_quick_key)
VERSION = Form({"$ref": "#/$defs/version"}, quick=lambda v: v if is_version(v) else NOT_QUICK)
STATE = Form({"$ref": "#/$defs/state"}, quick=lambda v: v if type(v) is str and v in STATES else NOT_QUICK)
BOOLEAN = Form({"type": "boolean"}, quick=lambda v: v if type(v) is bool else NOT_QUICK)
TEXT = Form({"type": "string"}, quick=lambda v: v if type(v) is str else NOT_QUICK)
DURATION = Form({"$ref": "#/$defs/duration"}, read=lambda v, key: parse_duration(v, key=key), write=format_duration,
                quick=_quick_duration)
ERROR = Form({"$ref": "#/$defs/error"}, read=_read_error, write=lambda e: None if e is None else e.to_data())
#: Any JSON value (the model checks it is JSON: no NaN or Infinity).
JSON_VALUE = Form({}, quick=_same)
STORE_OP_SET = Form({"type": "array", "items": {"enum": list(STORE_OPS)}},
                    read=lambda v, key: frozenset(v), write=lambda ops: [op for op in STORE_OPS if op in ops])


def items_of(kind: str) -> Form:
    """Flags or segments by key, each a spec (``{f1: {version: 1}}``), as a tuple of :class:`Item`."""
    spec = "flag_spec" if kind == "flags" else "segment_spec"

    def read(value: Any, key: str) -> tuple[Item, ...]:
        items = []
        for name, body in (value or {}).items():
            try:
                items.append(Item(kind, name, body))
            except ScenarioError as e:
                raise e.located(prefix=f"{key}.{name}") from None
        return tuple(items)

    return Form({"type": ["object", "null"], "additionalProperties": {"$ref": f"#/$defs/{spec}"},
                 "propertyNames": {"type": "string", "minLength": 1}},
                read=read, write=lambda items: {item.key: dict(item.spec) for item in items})
