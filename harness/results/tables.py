"""Tidy tables: one table a frame across many runs, each row naming its run.

A report writes ten of these (``harness run --out DIR`` puts them under
``DIR/frames/``) instead of ten files a run: ``status``, ``ops``, ``changes``,
``store_status``, ``evaluations``, ``logs``, ``store``, ``timeline``,
``violations`` and ``verdicts``. Each has the frame's own columns after
``scenario``, ``file`` and ``target``, with the dtypes of a run's frames
(:mod:`.frames`).

They are built column-wise: every run's rows are joined column by column and
each column becomes one Series, once. Building a DataFrame a run and
concatenating them cost about 20 ms a run, most of a report's time.

    import harness
    from harness.results.tables import tables
    runs = [harness.run(path, target) for target in ("sdk", "contract")]
    tables(runs)["ops"]          # scenario, file, target, seq, step, t, op, kind, key, ...
"""

from __future__ import annotations

import json
from typing import Sequence

import numpy as np
import pandas as pd

from ..bulk import gc_paused
from ..replay.recording import LAYOUTS, STORE
from . import frames
from .result import Result

RUN_COLUMNS = ("scenario", "file", "target")
NAMES = Result.FRAME_NAMES


def _run_columns(results: Sequence[Result], counts: Sequence[int]) -> dict[str, pd.Series]:
    """The run-naming columns, each run's values repeated once a row."""
    values = {"scenario": [r.scenario.name for r in results], "file": [r.scenario.file for r in results],
              "target": [r.target for r in results]}
    return {name: pd.Series(np.repeat(np.array(column, dtype=object), counts), dtype="string")
            for name, column in values.items()}


def _joined(parts: list[list[tuple]], width: int) -> list[list]:
    """Rows of several runs as ``width`` columns (lists), run after run."""
    columns: list[list] = [[] for _ in range(width)]
    for rows in parts:
        if rows:
            for column, values in zip(columns, zip(*rows)):
                column.extend(values)
    return columns


def observation_table(results: Sequence[Result], name: str) -> pd.DataFrame:
    """Frame ``name`` (``status``, ``ops``, ...) of every run, one after another."""
    parts = [r.recording.rows[name] for r in results]
    frame = frames.columns_frame(name, _joined(parts, len(LAYOUTS[name].columns)))
    return _named(results, [len(rows) for rows in parts], frame)


def store_table(results: Sequence[Result]) -> pd.DataFrame:
    parts = [r.recording.store for r in results]
    return _named(results, [len(rows) for rows in parts], frames.store_columns_frame(_joined(parts, len(STORE))))


def timeline_table(results: Sequence[Result]) -> pd.DataFrame:
    parts = [frames.timeline_columns(r.recording) for r in results]
    joined = {name: np.concatenate([part[name] for part in parts]) if parts else np.zeros(0, dtype=np.int64)
              for name in ("seq", "step", "t", "frame", "detail")}
    if not parts:
        joined["frame"], joined["detail"] = np.zeros(0, dtype=np.int8), np.zeros(0, dtype=object)
    return _named(results, [len(part["seq"]) for part in parts], frames.timeline_columns_frame(joined))


def violations_table(results: Sequence[Result]) -> pd.DataFrame:
    found = [[x for v in r.checker_verdicts for x in v.violations] for r in results]
    flat = [x for run in found for x in run]
    return _named(results, [len(run) for run in found], pd.DataFrame({
        "checker": pd.Series([x.checker for x in flat], dtype="string"),
        "step": pd.Series([x.step for x in flat], dtype="int64"),
        "message": pd.Series([x.message for x in flat], dtype="string"),
    }))


def verdicts_table(results: Sequence[Result]) -> pd.DataFrame:
    flat = [v for r in results for v in r.checker_verdicts]
    return _named(results, [len(r.checker_verdicts) for r in results], pd.DataFrame({
        "checker": pd.Series([v.checker for v in flat], dtype="string"),
        "verdict": pd.Series([v.verdict for v in flat],
                             dtype=pd.CategoricalDtype(["holds", "violated", "cannot tell"])),
        "violations": pd.Series([len(v.violations) for v in flat], dtype="int64"),
    }))


def _named(results: Sequence[Result], counts: Sequence[int], frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the run-naming columns in front."""
    named = pd.DataFrame(_run_columns(results, counts))
    return pd.concat([named, frame], axis=1) if len(frame.columns) else named


def tables(results: Sequence[Result]) -> dict[str, pd.DataFrame]:
    """Every frame of every run, one table a frame (the names of :attr:`Result.FRAME_NAMES`)."""
    results = list(results)
    with gc_paused():
        made = {name: observation_table(results, name) for name in LAYOUTS}
        made["store"] = store_table(results)
        made["timeline"] = timeline_table(results)
        made["violations"] = violations_table(results)
        made["verdicts"] = verdicts_table(results)
    return {name: made[name] for name in NAMES}


def for_files(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a file holds it: a column of mixed Python values (an evaluation's ``value``) as JSON
    text, so CSV and Parquet write it alike (Parquet holds one type a column)."""
    mixed = [name for name, dtype in table.dtypes.items() if dtype == object]
    if not mixed:
        return table
    return table.assign(**{name: pd.Series([json.dumps(v, sort_keys=True, default=str) for v in table[name]],
                                           dtype="string", index=table.index) for name in mixed})
