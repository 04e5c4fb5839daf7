"""The release matrix as a picture: scenarios against releases, coloured by behaviour.

One row a scenario, one column a target release (grouped by target, oldest
first). A cell's colour is its behaviour (the letter is written in it, with a
star when the run did not meet the scenario's expectations); a failed run is
grey and hatched. A thick line between two cells of one row
marks a change: the release on its right behaves differently from the one on
its left. Deterministic: the same matrix draws the same picture.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

# Behaviour colours: the first (usually the newest's equal) light, the others distinct.
PALETTE = ("#cfe3f3", "#f6c48a", "#b6dba8", "#e5a5c4", "#c9b8e6", "#f2e394", "#a9d8d4", "#e8b4a4")
FAILED_COLOUR = "#d9d9d9"
CHANGE_COLOUR = "#c0392b"


def _columns(frame: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(target, release) in the order run, each once."""
    seen: dict[tuple[str, str | None], None] = {}
    for target, release in zip(frame["target"], frame["release"]):
        seen.setdefault((str(target), None if release is None or str(release) == "<NA>" else str(release)), None)
    return list(seen)


def matrix_picture(frame: pd.DataFrame, failed: str) -> Figure:
    """The picture of a matrix's ``frame``; ``failed`` is the behaviour of a failed run."""
    columns = _columns(frame)
    scenarios = list(dict.fromkeys(frame["scenario"].astype(str)))
    cell: dict[tuple[str, tuple[str, str | None]], str] = {}
    unmet: set[tuple[str, tuple[str, str | None]]] = set()  # runs that did not meet their expectations
    for row in frame.itertuples():
        release = None if row.release is None or str(row.release) == "<NA>" else str(row.release)
        cell[(str(row.scenario), (str(row.target), release))] = str(row.behaviour)
        if not row.ok:
            unmet.add((str(row.scenario), (str(row.target), release)))
    label_width = max([len(s) for s in scenarios] + [10]) * 0.075
    width = min(40.0, label_width + 0.42 * len(columns) + 1.5)
    height = 1.6 + 0.3 * len(scenarios)
    fig = Figure(figsize=(width, height), dpi=100)
    ax = fig.add_axes((label_width / width, 1.2 / height, 1 - (label_width + 0.4) / width, 1 - 1.5 / height))
    behaviours = sorted({b for b in cell.values() if b != failed}, key=lambda b: (len(b), b))
    colour = {b: PALETTE[i % len(PALETTE)] for i, b in enumerate(behaviours)}
    for y, scenario in enumerate(scenarios):
        previous = None
        for x, column in enumerate(columns):
            behaviour = cell.get((scenario, column))
            if behaviour is None:
                previous = None
                continue
            is_failed = behaviour == failed
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor=FAILED_COLOUR if is_failed else colour[behaviour],
                                   edgecolor="white", hatch="//" if is_failed else None, linewidth=0.8))
            if not is_failed:
                star = "*" if (scenario, column) in unmet else ""
                ax.text(x + 0.5, y + 0.5, behaviour + star, ha="center", va="center", fontsize=7)
            same_target = previous is not None and previous[0][0] == column[0] and column[1] is not None
            if same_target and not is_failed and previous[1] != failed and previous[1] != behaviour:
                ax.plot([x, x], [y, y + 1], color=CHANGE_COLOUR, linewidth=2.5, solid_capstyle="butt")
            previous = (column, behaviour)
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(scenarios), 0)
    ax.set_xticks([x + 0.5 for x in range(len(columns))])
    ax.set_xticklabels([release or target for target, release in columns], rotation=90, fontsize=7)
    ax.set_yticks([y + 0.5 for y in range(len(scenarios))])
    ax.set_yticklabels(scenarios, fontsize=7)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    # Target names over their groups of columns.
    start = 0
    for index in range(1, len(columns) + 1):
        if index == len(columns) or columns[index][0] != columns[start][0]:
            ax.text((start + index) / 2, -0.3, columns[start][0], ha="center", va="bottom", fontsize=8,
                    fontweight="bold")
            if index < len(columns):
                ax.axvline(index, color="black", linewidth=1)
            start = index
    handles = [Patch(facecolor=colour[b], label=f"behaviour {b}") for b in behaviours]
    handles.append(Patch(facecolor=FAILED_COLOUR, hatch="//", label="failed run"))
    handles.append(Patch(facecolor=CHANGE_COLOUR, label="behaviour changed here"))
    if unmet:
        handles.append(Patch(facecolor="white", edgecolor="white", label="* expectations not met"))
    fig.legend(handles=handles, loc="lower left", ncol=min(len(handles), 6), fontsize=7, frameon=False)
    return fig
