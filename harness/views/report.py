"""Write a run's results under a folder: a summary, one table a frame, a picture a scenario, a page.

Layout::

    DIR/summary.csv                      one row per scenario and target
    DIR/summary.md                       the same, as a table, with failures
    DIR/frames/<frame>.csv               one table a frame across every run (status, ops, changes,
                                         store_status, evaluations, logs, store, timeline, violations,
                                         verdicts), with scenario, file and target columns
                                         (.parquet with --format parquet)
    DIR/pictures/<scenario>.svg          one picture a scenario, its targets stacked (with matplotlib)
    DIR/matrix.csv                       when the runs span releases of a target: one row a run, with
    DIR/pictures/matrix.png              its behaviour (see ``runs/matrix.py``), and its picture
    DIR/index.html                       a matrix of scenario by target, the releases' changes, the known
                                         differences, and a section per scenario (see ``report_page.py``)

``results.pickle`` (what ``harness merge`` reads) is written beside them by the command line.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import pandas as pd

from ..results.result import Result
from ..results.tables import for_files, tables
from ..runs.diff import where_they_part
from ..runs.matrix import FAILED, MatrixReport, behaviour_digest, matrix_frame, spans_releases
from .extras import installed, need
from .progress import QUIET, Progress
from .report_page import by_scenario, render, section_ids

FRAMES = "frames"


def sees_no_status(result: Result) -> bool:
    """The target has no data source status to report (Node's FDv1 client)."""
    return "status" in result.recording.unavailable


def status_cells(result: Result) -> tuple[str, str]:
    """A summary row's status changes and final state, as a person reads them."""
    if sees_no_status(result):
        return "n/a", "not available"
    return str(result.status_changes), str(result.final_state)


def summary_frame(results: Sequence[Result]) -> pd.DataFrame:
    return pd.DataFrame({
        "scenario": pd.Series([r.scenario.name for r in results], dtype="string"),
        "file": pd.Series([r.scenario.file for r in results], dtype="string"),
        "target": pd.Series([r.target for r in results], dtype="string"),
        "ok": pd.Series([r.ok for r in results], dtype="bool"),
        "status_changes": pd.Series([None if sees_no_status(r) else r.status_changes for r in results],
                                    dtype="Int64"),
        "final_state": pd.Series([r.final_state for r in results], dtype="string"),
        "failures": pd.Series(["; ".join(map(str, r.failures)) for r in results], dtype="string"),
    })


def _write(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        need("pyarrow", "--format parquet")
        frame.to_parquet(path.with_suffix(".parquet"), index=False)
    else:
        frame.to_csv(path.with_suffix(".csv"), index=False)


def pictures_skipped() -> str | None:
    """Why a report cannot draw its pictures here (None when it can)."""
    if installed("matplotlib"):
        return None
    return "pictures skipped: matplotlib is not installed (the 'viz' extra: pip install 'ld-sink-harness[viz]')"


def _plots_available() -> bool:
    return pictures_skipped() is None


@contextmanager
def picture_pool(jobs: int | None = None) -> Iterator[Executor | None]:
    """Worker processes that draw a report's pictures, one scenario each (None: draw here).

    Start it before the runs: the drawing code is imported while the scenarios
    replay. ``jobs`` defaults to the machine's cores; 1 draws in this process.
    """
    jobs = jobs or os.cpu_count() or 1
    if jobs < 2 or not _plots_available():
        yield None
        return
    context = _worker_context()
    pool = ProcessPoolExecutor(jobs, mp_context=context)
    for _ in range(jobs):  # a pool starts its workers only as work comes: start them now
        pool.submit(_warm)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _worker_context():
    """How a picture worker starts. A fork of this process where that is safe (Linux, and no other
    thread here whose locks a fork would copy held): it has the kit imported already, and imports
    only matplotlib while the scenarios replay. Else a fork server, a fresh interpreter that imports
    the drawing code once and forks each worker (where there is none, as on Windows, a fresh
    interpreter a worker)."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__.rsplit(".", 1)[0] + ".plot"])
        return context
    return multiprocessing.get_context("spawn")


def _warm() -> None:
    from . import plot  # noqa: F401  (matplotlib, once a worker; a fork server's workers have it already)


def _draw_picture(runs: list[Result], path: str, labels: list[str] | None = None) -> str:
    """One scenario's picture, its targets stacked (runs in a worker process)."""
    from .plot import save, timeline
    figure = timeline(runs, labels=labels, parting=where_they_part)
    save(figure, path)
    return path


def alike(runs: Sequence[Result]) -> tuple[list[Result], list[str]]:
    """One run for each group of runs that behave alike (the frames a diff compares, and the same
    verdict), with a label naming the group's targets: a matrix of 40 releases draws a timeline or
    two, not 40. A run whose driver failed stands alone."""
    groups: dict[object, list[Result]] = {}
    for run in runs:
        key = (behaviour_digest(run), run.ok) if run.driver_failure is None else id(run)
        groups.setdefault(key, []).append(run)
    return [group[0] for group in groups.values()], [group_label([r.target for r in group]) for group in groups.values()]


def group_label(targets: Sequence[str]) -> str:
    """``sdk@9.1.0…9.17.0 (26), go`` for a group of targets: one entry a target, its releases as a span."""
    releases: dict[str, list[str]] = {}
    for target in targets:
        family, _, release = target.partition("@")
        releases.setdefault(family, []).append(release)
    parts = []
    for family, found in releases.items():
        named = [r for r in found if r]
        if not named:
            parts.append(family)
        elif len(named) == 1:
            parts.append(f"{family}@{named[0]}")
        else:
            parts.append(f"{family}@{named[0]}…{named[-1]} ({len(named)})")
    return ", ".join(parts)


def write_report(results: Sequence[Result], out: Path, fmt: str = "csv", plots: bool = True,
                 pool: Executor | None = None, progress: Progress = QUIET) -> int:
    """Write the summary, one table a frame across every result and (with matplotlib) a picture
    of each scenario, plus ``index.html``, under ``out``; returns how many pictures were drawn.
    Pictures are drawn in ``pool`` when given (see :func:`picture_pool`); each phase shows on
    ``progress``, which also says why pictures were skipped."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summary_frame(results)
    summary.to_csv(out / "summary.csv", index=False)
    lines = ["# Scenario report", "", "| scenario | target | result | status changes | final state |",
             "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.scenario.name} | {r.target} | {'ok' if r.ok else 'FAILED'} | "
                     f"{status_cells(r)[0]} | {status_cells(r)[1]} |")
    for r in results:
        if not r.ok:
            lines += ["", f"## {r.scenario.name} [{r.target}]", "", "```", r.report(), "```"]
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    skipped = pictures_skipped() if plots else None
    if skipped:
        progress.say(skipped)
    pictures: dict[str, str] = {}
    drawing = []
    if plots and not skipped:
        groups = by_scenario(results)
        ids = section_ids(groups)
        (out / "pictures").mkdir(exist_ok=True)
        for scenario, runs in groups:  # SVG: text stays text, in a third of the time a PNG takes
            pictures[ids[id(scenario)]] = f"pictures/{ids[id(scenario)]}.svg"
            drawn, labels = alike(runs)  # runs alike (contract, go, go-v6, or 30 releases) as one timeline
            drawing.append((drawn, str(out / pictures[ids[id(scenario)]]), labels))
    # the biggest first, so that no worker is left drawing a big one alone at the end
    drawing.sort(key=lambda job: -sum(len(rows) for run in job[0] for rows in run.recording.rows.values()))
    # The workers draw while this process writes the frames.
    pending = ([pool.submit(_draw_picture, runs, path, labels) for runs, path, labels in drawing]
               if pool is not None else [])
    _write_frames(results, out, fmt, progress)
    if drawing:
        _draw_pictures(drawing, pending, progress, pool)
    releases = _write_release_matrix(results, out, fmt, plots and not skipped)
    (out / "index.html").write_text(render(results, pictures, releases), encoding="utf-8")
    return len(drawing)


def _draw_pictures(drawing: list, pending: list, progress: Progress, pool: Executor | None) -> None:
    """Draw each picture here, or wait for the workers' (``pending``), showing the phase."""
    workers = f" in {pool._max_workers} worker processes" if pool is not None else ""  # type: ignore[attr-defined]
    with progress.phase("drawing pictures", len(drawing), "picture",
                        f"{len(drawing)} picture(s), one a scenario{workers}") as phase:
        if pool is None:
            for runs, path, labels in drawing:
                _draw_picture(runs, path, labels)
                phase.advance()
        for future in as_completed(pending):
            future.result()
            phase.advance()


def _write_release_matrix(results: Sequence[Result], out: Path, fmt: str, plots: bool) -> MatrixReport | None:
    """When the runs span releases of a target: matrix.csv (or .parquet) and pictures/matrix.png."""
    frame = matrix_frame(results)
    if not spans_releases(frame):
        return None
    _write(frame, out / "matrix", fmt)
    if plots:
        from .matrix_picture import matrix_picture
        (out / "pictures").mkdir(exist_ok=True)
        matrix_picture(frame, FAILED).savefig(out / "pictures" / "matrix.png")
    return MatrixReport(list(results), frame)


def _write_frames(results: Sequence[Result], out: Path, fmt: str, progress: Progress = QUIET) -> None:
    """``out/frames/<frame>.<fmt>``: one table a frame across every run (:mod:`harness.results.tables`)."""
    folder = out / FRAMES
    folder.mkdir(exist_ok=True)
    with progress.phase("writing frames", len(Result.FRAME_NAMES), "table",
                        f"{len(Result.FRAME_NAMES)} tables of {len(results)} runs") as phase:
        for name, table in tables(results).items():
            _write(for_files(table), folder / name, fmt)
            phase.advance()
