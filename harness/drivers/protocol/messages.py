"""What a driver may send, checked field by field (docs/driver-protocol.md).

A driver is another program, so everything it sends is checked before the kit
uses it: a row's frame, time and columns, a reply's fields. A message that
breaks the protocol raises :class:`Malformed` with what was wrong; the session
turns it into a failed run naming the driver.
"""

from __future__ import annotations

from typing import Any, Callable

from ...replay.clock import to_micros
from ...replay.recording import LAYOUTS
from ...vocabulary.values import ERROR_KINDS, KINDS, LATEST_TIME, STATES

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LATEST_MICROS = to_micros(LATEST_TIME)
MAX_INT = 2 ** 53 - 1  # JSON numbers every driver's language reads exactly


class Malformed(Exception):
    """A message that breaks the protocol; the text says how."""


def _whole(value: Any, low: int = 0, high: int = MAX_INT) -> bool:
    return type(value) is int and low <= value <= high


def time_field(value: Any) -> bool:
    return _whole(value, 0, LATEST_MICROS)


def _text(value: Any) -> bool:
    return type(value) is str


def _or_null(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _one_of(words: tuple) -> Callable[[Any], bool]:
    return lambda value: type(value) is str and value in words


def _boolean(value: Any) -> bool:
    return type(value) is bool


# frame -> column -> (check, what it must be)
ROW_FIELDS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "status": {
        "state": (_one_of(STATES), f"one of {', '.join(STATES)}"),
        "since": (time_field, "a time (whole microseconds since the epoch)"),
        "error_kind": (_or_null(_one_of(ERROR_KINDS)), f"null or one of {', '.join(ERROR_KINDS)}"),
        "status_code": (_or_null(lambda v: _whole(v, 0, 999)), "null or a whole number from 0 to 999"),
        "error_message": (_or_null(_text), "null or a string"),
        "error_time": (_or_null(time_field), "null or a time"),
    },
    "store_status": {"available": (_boolean, "true or false"), "stale": (_boolean, "true or false")},
    "changes": {"key": (lambda v: _text(v) and v != "", "a non-empty string")},
    "logs": {"level": (_one_of(LEVELS), f"one of {', '.join(LEVELS)}"), "message": (_text, "a string")},
    "evaluations": {"flag": (_text, "a string"), "context": (_text, "a string"),
                    "value": (lambda v: True, "any JSON"), "reason": (_text, "a string")},
}
assert all(tuple(columns) == LAYOUTS[frame].values for frame, columns in ROW_FIELDS.items())


def row_values(message: dict) -> tuple[str, int, tuple]:
    """(frame, t, the row's values in its layout's order) of a row message."""
    frame = message.get("row")
    fields = ROW_FIELDS.get(frame) if type(frame) is str else None
    if fields is None:
        raise Malformed(f"sent a row of unknown frame {frame!r}: {_short(message)}")
    t = message.get("t")
    if not time_field(t):
        raise Malformed(f"sent a {frame} row whose t is {t!r}, not a time (whole microseconds since the "
                        f"epoch, before {LATEST_TIME.year}): {_short(message)}")
    values = []
    for column, (check, wanted) in fields.items():
        if column not in message:
            raise Malformed(f"sent a {frame} row without {column!r}: {_short(message)}")
        value = message[column]
        if not check(value):
            raise Malformed(f"sent a {frame} row whose {column} is {value!r}, not {wanted}: {_short(message)}")
        values.append(value)
    return frame, t, tuple(values)


def _record(value: Any) -> bool:
    return value is None or (type(value) is dict and _whole(value.get("version")) and
                             type(value.get("deleted")) is bool)


def _store_row(value: Any) -> bool:
    return (type(value) is list and len(value) == 4 and value[0] in KINDS and _text(value[1]) and value[1] != ""
            and _whole(value[2]) and type(value[3]) is bool)


_OK = {"ok": (_boolean, "true or false"), "error": (_or_null(_text), "null or a string")}
_WRITE = {**_OK, "before": (_record, "null or {version, deleted}"), "after": (_record, "null or {version, deleted}"),
          "changed": (_boolean, "true or false")}
# op -> reply field -> (check, what it must be); a field the table names is required, but for "error"
REPLY_FIELDS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "init": _OK, "upsert": _WRITE, "delete": _WRITE,
    "end": {"store": (lambda v: type(v) is list and all(_store_row(r) for r in v),
                      "a list of [kind, key, version, deleted] rows")},
    "bench": {"seconds": (lambda v: type(v) in (int, float) and v >= 0, "a number of seconds")},
}
OPTIONAL = frozenset({"error"})


def check_reply(op: str, message: dict) -> dict:
    """The reply to ``op``, every field it must carry checked."""
    for field, (check, wanted) in REPLY_FIELDS.get(op, {}).items():
        if field not in message:
            if field in OPTIONAL:
                continue
            raise Malformed(f"replied to {op!r} without {field!r}: {_short(message)}")
        if not check(message[field]):
            raise Malformed(f"replied to {op!r} with {field} {message[field]!r}, not {wanted}: {_short(message)}")
    return message


def _written(value: Any) -> bool:
    return type(value) is list and all(type(w) is list and len(w) == 3 and w[0] in KINDS and _text(w[1]) and
                                       w[1] != "" and _whole(w[2]) for w in value)


# a sink call the driver made on its own (the source's restart, ordered by "recovery") -> field -> check
MADE_FIELDS: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "init": {"t": (time_field, "a time"), "ok": (_boolean, "true or false"),
             "error": (_or_null(_text), "null or a string"),
             "written": (_written, "a list of [kind, key, version]")},
    "status": {"t": (time_field, "a time"), "state": (_one_of(("VALID",)), "VALID")},
}
# fields a made message may leave out: a status that raised says so
MADE_OPTIONAL: dict[str, dict[str, tuple[Callable[[Any], bool], str]]] = {
    "status": {"ok": (_boolean, "true or false"), "error": (_or_null(_text), "null or a string")},
}


def check_made(message: dict) -> dict:
    """A ``made`` message (a sink call the driver made on its own), every field checked."""
    fields = MADE_FIELDS.get(message["made"]) if type(message["made"]) is str else None
    if fields is None:
        raise Malformed(f"made a call the kit never orders: {_short(message)}")
    optional = MADE_OPTIONAL.get(message["made"], {})
    for field, (check, wanted) in {**fields, **optional}.items():
        if field not in message:
            if field in optional:
                continue
            raise Malformed(f"made {message['made']!r} without {field!r}: {_short(message)}")
        if not check(message[field]):
            raise Malformed(f"made {message['made']!r} with {field} {message[field]!r}, not {wanted}: "
                            f"{_short(message)}")
    return message


def _short(message: Any) -> str:
    text = repr(message)
    return text if len(text) <= 300 else text[:300] + "..."
