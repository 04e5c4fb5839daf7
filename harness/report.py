"""Write a run's results under a folder: a summary, and every frame of every run.

Layout::

    DIR/summary.csv                      one row per scenario and target
    DIR/summary.md                       the same, as a table, with failures
    DIR/<target>/<scenario>/<frame>.csv  status, ops, changes, ..., store, timeline
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from .errors import HarnessError
from .result import Result


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "scenario"


def summary_frame(results: Sequence[Result]) -> pd.DataFrame:
    return pd.DataFrame({
        "scenario": pd.Series([r.scenario.name for r in results], dtype="string"),
        "file": pd.Series([r.scenario.file for r in results], dtype="string"),
        "target": pd.Series([r.target for r in results], dtype="string"),
        "ok": pd.Series([r.ok for r in results], dtype="bool"),
        "status_changes": pd.Series([r.status_changes for r in results], dtype="int64"),
        "final_state": pd.Series([r.final_state for r in results], dtype="string"),
        "failures": pd.Series(["; ".join(map(str, r.failures)) for r in results], dtype="string"),
    })


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        try:
            frame.to_parquet(path.with_suffix(".parquet"), index=False)
        except ImportError as e:
            raise HarnessError(f"--format parquet needs pyarrow installed ({e})") from None
    else:
        frame.to_csv(path.with_suffix(".csv"), index=False)


def write_report(results: Sequence[Result], out: Path, fmt: str = "csv") -> None:
    """Write the summary and every frame of every result under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summary_frame(results)
    summary.to_csv(out / "summary.csv", index=False)
    lines = ["# Scenario report", "", "| scenario | target | result | status changes | final state |",
             "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.scenario.name} | {r.target} | {'ok' if r.ok else 'FAILED'} | "
                     f"{r.status_changes} | {r.final_state} |")
    for r in results:
        if not r.ok:
            lines += ["", f"## {r.scenario.name} [{r.target}]", "", "```", r.report(), "```"]
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    used: set[Path] = set()
    for r in results:
        folder = out / _slug(r.target) / _slug(r.scenario.name)
        n = 2
        while folder in used:
            folder = out / _slug(r.target) / f"{_slug(r.scenario.name)}-{n}"
            n += 1
        used.add(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in r.frames().items():
            _write(frame, folder / name, fmt)
