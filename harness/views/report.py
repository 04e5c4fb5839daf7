"""Write a run's results under a folder: a summary, and every frame of every run.

Layout::

    DIR/summary.csv                      one row per scenario and target
    DIR/summary.md                       the same, as a table, with failures
    DIR/<target>/<scenario>/<frame>.csv  status, ops, changes, ..., store, timeline
    DIR/<target>/<scenario>/timeline.png the picture (when matplotlib is installed)
    DIR/index.html                       every run: result, description, picture
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from ..errors import HarnessError
from ..results.result import Result


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


def _plots_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def write_index(results: Sequence[Result], out: Path, pictures: dict[int, str]) -> None:
    """``index.html``: every scenario with its result, description and picture."""
    passed = sum(r.ok for r in results)
    items = []
    for i, r in enumerate(results):
        verdict = "ok" if r.ok else "FAILED"
        failures = "".join(f"<li>{html.escape(str(f))}</li>" for f in r.failures)
        picture = (f'<img src="{html.escape(pictures[i])}" alt="timeline of {html.escape(r.scenario.name)}" '
                   f'loading="lazy">' if i in pictures else "")
        items.append(f"""<section class="{verdict.lower()}" id="{html.escape(_slug(r.target))}-{html.escape(_slug(r.scenario.name))}">
<h2>{html.escape(r.scenario.name)} <span class="target">[{html.escape(r.target)}]</span> <span class="verdict">{verdict}</span></h2>
<p class="file">{html.escape(r.scenario.file or "")}</p>
<p>{html.escape(r.scenario.description)}</p>
{f'<ul class="failures">{failures}</ul>' if failures else ""}
{picture}
</section>""")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scenario report</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }}
section {{ border-top: 1px solid #ddd; padding: 0.5em 0 1.5em; }}
h2 {{ font-size: 1.1em; margin-bottom: 0.2em; }}
.target {{ color: #666; font-weight: normal; }}
.verdict {{ font-size: 0.8em; padding: 0.1em 0.5em; border-radius: 0.3em; background: #a1d99b; }}
.failed .verdict {{ background: #fc9272; }}
.file {{ color: #888; font-size: 0.8em; margin: 0; }}
img {{ max-width: 100%; }}
</style></head>
<body>
<h1>Scenario report</h1>
<p>{passed} of {len(results)} runs met their expectations.</p>
{"".join(items)}
</body></html>
"""
    (out / "index.html").write_text(page, encoding="utf-8")


def write_report(results: Sequence[Result], out: Path, fmt: str = "csv", plots: bool = True) -> None:
    """Write the summary, every frame of every result and (with matplotlib) a picture
    of each, plus ``index.html``, under ``out``."""
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
    folders: list[Path] = []
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
        folders.append(folder)
    pictures: dict[int, str] = {}
    if plots and _plots_available():
        from .plot import save, timeline
        for i, (r, folder) in enumerate(zip(results, folders)):
            figure = timeline(r)
            save(figure, str(folder / "timeline.png"))
            pictures[i] = (folder / "timeline.png").relative_to(out).as_posix()
    write_index(results, out, pictures)
