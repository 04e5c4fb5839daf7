"""Build the DataFrames of a result from its recorded rows, once.

Column names and dtypes follow SPEC.md: ``seq``/``step`` int64, ``t`` and every
other time ``datetime64[ns, UTC]``, states and error kinds categorical,
status codes and versions nullable ``Int64``, text as ``string``.
"""

from __future__ import annotations

import pandas as pd

from .model import ERROR_KINDS, KINDS, OUTCOMES, STATES
from .recording import FRAMES, Recording

HEAD = ("seq", "step", "t")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
OP_NAMES = ("init", "upsert", "delete", "status")

DTYPES: dict[str, dict[str, object]] = {
    "status": {"state": pd.CategoricalDtype(STATES), "since": "time",
               "error_kind": pd.CategoricalDtype(ERROR_KINDS), "status_code": "Int64",
               "error_message": "string", "error_time": "time"},
    "ops": {"op": pd.CategoricalDtype(OP_NAMES), "kind": pd.CategoricalDtype(KINDS), "key": "string",
            "version": "Int64", "outcome": pd.CategoricalDtype(OUTCOMES), "error": "string"},
    "changes": {"key": "string"},
    "store_status": {"available": "bool", "stale": "bool"},
    "evaluations": {"flag": "string", "context": "string", "value": "object", "reason": "string"},
    "logs": {"level": pd.CategoricalDtype(LEVELS), "message": "string"},
}


def _times(values) -> pd.Series:
    micros = pd.Series(values, dtype="Int64")
    return pd.to_datetime(micros, unit="us", utc=True).astype("datetime64[ns, UTC]")


def frame(recording: Recording, name: str) -> pd.DataFrame:
    """One observation frame (``status``, ``ops``, ...)."""
    columns = HEAD + FRAMES[name]
    rows = recording.rows[name]
    raw = list(zip(*rows)) if rows else [[] for _ in columns]
    data: dict[str, pd.Series] = {
        "seq": pd.Series(raw[0], dtype="int64"),
        "step": pd.Series(raw[1], dtype="int64"),
        "t": _times(raw[2]),
    }
    for column, values in zip(FRAMES[name], raw[3:]):
        dtype = DTYPES[name][column]
        if dtype == "time":
            data[column] = _times(values)
        elif dtype == "object":
            data[column] = pd.Series(list(values), dtype="object")
        else:
            data[column] = pd.Series(list(values), dtype=dtype)  # type: ignore[arg-type]
    return pd.DataFrame(data, columns=list(columns))


def store_frame(recording: Recording) -> pd.DataFrame:
    raw = list(zip(*recording.store)) if recording.store else [[], [], [], []]
    return pd.DataFrame({
        "kind": pd.Series(raw[0], dtype=pd.CategoricalDtype(KINDS)),
        "key": pd.Series(raw[1], dtype="string"),
        "version": pd.Series(raw[2], dtype="Int64"),
        "deleted": pd.Series(raw[3], dtype="bool"),
    })


def _describe(name: str, row: list) -> str:
    values = dict(zip(FRAMES[name], row[3:]))
    if name == "status":
        text = values["state"]
        if values["error_kind"] is not None:
            text += f" (last error {values['error_kind']} {values['status_code']}: {values['error_message']})"
        return text
    if name == "ops":
        target = " ".join(str(values[k]) for k in ("kind", "key") if values[k] is not None)
        version = f" v{values['version']}" if values["version"] is not None else ""
        error = f": {values['error']}" if values["error"] else ""
        return f"{values['op']} {target}{version} -> {values['outcome']}{error}".replace("  ", " ")
    if name == "changes":
        return f"flag {values['key']} changed"
    if name == "store_status":
        return ("available" if values["available"] else "unavailable") + (" (stale)" if values["stale"] else "")
    if name == "evaluations":
        return f"{values['flag']} for {values['context']} = {values['value']!r} ({values['reason']})"
    return f"{values['level']}: {values['message']}"


def timeline_frame(recording: Recording) -> pd.DataFrame:
    """Every observation in ``seq`` order: which frame it is in and a one-line description."""
    rows = sorted((row[0], row[1], row[2], name, _describe(name, row))
                  for name in FRAMES for row in recording.rows[name])
    raw = list(zip(*rows)) if rows else [[], [], [], [], []]
    return pd.DataFrame({
        "seq": pd.Series(raw[0], dtype="int64"),
        "step": pd.Series(raw[1], dtype="int64"),
        "t": _times(raw[2]),
        "frame": pd.Series(raw[3], dtype=pd.CategoricalDtype(tuple(FRAMES))),
        "detail": pd.Series(raw[4], dtype="string"),
    })
