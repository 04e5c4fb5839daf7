"""Build the DataFrames of a result from its recorded rows, once.

The columns and their dtypes are public (README.md, "Use it"; a test checks
each frame): ``seq``/``step`` int64, ``t`` and every other time
``datetime64[ns, UTC]``, states and error kinds categorical, status codes and
versions nullable ``Int64``, text as ``string``.
"""

from __future__ import annotations

import numpy as np

import pandas as pd

from ..bulk import gc_paused
from ..replay.recording import LAYOUTS, Recording
from ..vocabulary.values import KINDS, OUTCOMES, STATES

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
OP_NAMES = ("init", "upsert", "delete", "status")

DTYPES: dict[str, dict[str, object]] = {
    "status": {"state": pd.CategoricalDtype(STATES), "since": "time",
               # text, not categorical: a missing kind then reads <NA>, as every other missing value does
               "error_kind": "string", "status_code": "Int64",
               "error_message": "string", "error_time": "time"},
    "ops": {"op": pd.CategoricalDtype(OP_NAMES), "kind": pd.CategoricalDtype(KINDS), "key": "string",
            "version": "Int64", "outcome": pd.CategoricalDtype(OUTCOMES), "error": "string",
            "stored_before": "Int64", "stored_after": "Int64", "reported": "string"},
    "changes": {"key": "string"},
    "store_status": {"available": "bool", "stale": "bool"},
    "evaluations": {"flag": "string", "context": "string", "value": "object", "reason": "string"},
    "logs": {"level": pd.CategoricalDtype(LEVELS), "message": "string"},
}


def build(maker, *args) -> pd.DataFrame:
    """``maker(*args)`` with the garbage collector paused."""
    with gc_paused():
        return maker(*args)


def _times(values) -> pd.Series:
    micros = pd.Series(values, dtype="Int64")
    return pd.to_datetime(micros, unit="us", utc=True).astype("datetime64[ns, UTC]")


def frame(recording: Recording, name: str) -> pd.DataFrame:
    """One observation frame (``status``, ``ops``, ...)."""
    rows = recording.rows[name]
    built = columns_frame(name, list(zip(*rows)) if rows else [[] for _ in LAYOUTS[name].columns])
    if name in recording.unavailable:
        built.attrs["not available"] = NOT_AVAILABLE  # empty because the target cannot fill it, not quiet
    return built


def columns_frame(name: str, raw: list) -> pd.DataFrame:
    """One observation frame from its columns (``raw``: one sequence of values a column, in the
    layout's order), each made a Series of its public dtype at once."""
    layout = LAYOUTS[name]
    data: dict[str, pd.Series] = {
        "seq": pd.Series(raw[layout.seq], dtype="int64"),
        "step": pd.Series(raw[layout.step], dtype="int64"),
        "t": _times(raw[layout.t]),
    }
    for column in layout.values:
        values = raw[layout.index(column)]
        dtype = DTYPES[name][column]
        if dtype == "time":
            data[column] = _times(values)
        elif dtype == "object":
            data[column] = pd.Series(list(values), dtype="object")
        else:
            data[column] = pd.Series(list(values), dtype=dtype)  # type: ignore[arg-type]
    return pd.DataFrame(data, columns=list(layout.columns))


NOT_AVAILABLE = "not available on this target"


def store_frame(recording: Recording) -> pd.DataFrame:
    return store_columns_frame(list(zip(*recording.store)) if recording.store else [[], [], [], []])


def store_columns_frame(raw: list) -> pd.DataFrame:
    """The final store's frame from its four columns (kind, key, version, deleted)."""
    return pd.DataFrame({
        "kind": pd.Series(raw[0], dtype=pd.CategoricalDtype(KINDS)),
        "key": pd.Series(raw[1], dtype="string"),
        "version": pd.Series(raw[2], dtype="Int64"),
        "deleted": pd.Series(raw[3], dtype="bool"),
    })


def _status_text(state, since, kind, code, message, when) -> str:
    return state if kind is None else f"{state} (last error {kind} {code}: {message})"


def _op_text(op, kind, key, version, outcome, error, stored_before, stored_after, reported) -> str:
    text = op if key is None else f"{op} {kind} {key} v{version}"
    text = text if reported is None else f"{text} {reported}"
    return f"{text} -> {outcome}: {error}" if error else f"{text} -> {outcome}"


def _store_status_text(available, stale) -> str:
    return ("available" if available else "unavailable") + (" (stale)" if stale else "")


DESCRIBE = {
    "status": _status_text,
    "ops": _op_text,
    "changes": lambda key: f"flag {key} changed",
    "store_status": _store_status_text,
    "evaluations": lambda flag, context, value, reason: f"{flag} for {context} = {value!r} ({reason})",
    "logs": lambda level, message: f"{level}: {message}",
}


def timeline_columns(recording: Recording) -> dict[str, np.ndarray]:
    """The timeline's columns in ``seq`` order, as arrays: seq, step, t (microseconds), frame (its
    code: the index of its layout in ``LAYOUTS``) and detail."""
    # Each column starts empty, so a recording with no rows gives empty columns of the right types.
    columns: dict[str, list] = {name: [np.zeros(0, dtype=np.int64)] for name in ("seq", "step", "t")}
    columns["frame"], details = [np.zeros(0, dtype=np.int8)], []
    for code, layout in enumerate(LAYOUTS.values()):
        rows = recording.rows[layout.frame]
        describe, head = DESCRIBE[layout.frame], len(layout.HEAD)
        for name, position in (("seq", layout.seq), ("step", layout.step), ("t", layout.t)):
            columns[name].append(np.fromiter((row[position] for row in rows), dtype=np.int64, count=len(rows)))
        columns["frame"].append(np.full(len(rows), code, dtype=np.int8))
        details += [describe(*row[head:]) for row in rows]
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    joined["detail"] = np.array(details, dtype=object)
    order = np.argsort(joined["seq"], kind="stable")  # seq is unique: the frames' rows interleave by it
    return {name: column[order] for name, column in joined.items()}


def timeline_columns_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """The timeline frame from :func:`timeline_columns` (of one run, or of several joined)."""
    return pd.DataFrame({
        "seq": pd.Series(columns["seq"], dtype="int64"),
        "step": pd.Series(columns["step"], dtype="int64"),
        "t": _times(columns["t"]),
        "frame": pd.Series(pd.Categorical.from_codes(columns["frame"], categories=list(LAYOUTS))),
        "detail": pd.Series(columns["detail"], dtype="string"),
    })


def timeline_frame(recording: Recording) -> pd.DataFrame:
    """Every observation in ``seq`` order: which frame it is in and a one-line description."""
    return timeline_columns_frame(timeline_columns(recording))
