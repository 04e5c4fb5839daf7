"""Timeline pictures of results (matplotlib, no pyplot state).

:func:`timeline` returns a Figure with lanes sharing one x axis: data source
state as coloured bands with error markers, store availability (outages shaded
across every lane), sink operations by outcome, stored version per item as step
lines, flag change events, evaluations and log lines (:mod:`.lanes`).

The x axis is either ``"steps"`` (default: each scenario step gets an equal
slot, what happened inside it spread in order, ticks labelled with the virtual
time at which the step began) or ``"time"`` (virtual seconds since the start);
see :mod:`.timeline_axis`.

Pictures are deterministic: :func:`save` fixes the SVG hash salt and drops
date metadata, so the same result gives the same bytes (:mod:`.picture_files`).
The public face of this module is :mod:`harness.plot`.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from matplotlib.figure import Figure

from ..replay.recording import OPS, Recording
from ..results.result import Result
from .lanes import LANE_HEIGHTS, LANES, OUTAGE_COLOUR, item_label, lanes_for, legend_columns, legend_handles, outages
from .picture_files import save, to_bytes
from .timeline_axis import TimelineAxis

__all__ = ["TimelineFigure", "draw", "save", "set_cursor", "timeline", "to_bytes"]


def draw(fig_or_subfig, result: Result, axis_mode: str = "steps", cursor: int | None = None,
         margins: dict | None = None, label: str | None = None) -> list:
    """Draw one result's lanes into a figure or subfigure; returns the axes.
    ``margins``: the lanes' left, right, top and bottom, as fractions of the (sub)figure;
    ``label``: what the title calls the run (default: its target)."""
    recording = result.recording
    axis = TimelineAxis(recording, axis_mode, [step.action.name for step in result.scenario.steps])
    lanes = lanes_for(recording)
    axes = fig_or_subfig.subplots(len(lanes), 1, sharex=True, squeeze=False,
                                  gridspec_kw={"height_ratios": [LANE_HEIGHTS[n] for n in lanes], "hspace": 0.08,
                                               **(margins or {})})[:, 0]
    shaded = outages(recording, axis)
    for ax, name in zip(axes, lanes):
        for x0, x1 in shaded:
            ax.axvspan(x0, x1, color=OUTAGE_COLOUR, alpha=0.35, lw=0, zorder=0)
        if axis.end_step <= 300:  # one grid line per step, while they stay apart
            ax.vlines([axis.step_x(step) for step in range(1, axis.end_step)], 0, 1,
                      transform=ax.get_xaxis_transform(), color="#f0f0f0", lw=0.6, zorder=0)
        LANES[name](ax, recording, axis)
        ax.tick_params(axis="x", labelsize=7)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axis.decorate(axes[-1])
    for ax in axes[:-1]:  # the lanes above the last share its x axis: no ticks to work out or draw
        ax.xaxis.set_visible(False)
    fig_or_subfig.suptitle(f"{result.scenario.name} [{label or result.target}]" + ("" if result.ok else "  — FAILED"),
                           fontsize=10, x=0.01, y=0.995, ha="left", va="top")
    if cursor is not None:
        set_cursor(axes, axis, cursor)
    return list(axes)


def set_cursor(axes: Sequence, axis_or_result, step: int) -> None:
    """Draw (or move) a vertical cursor at the end of ``step`` on every lane."""
    axis = (axis_or_result if isinstance(axis_or_result, TimelineAxis)
            else TimelineAxis(axis_or_result.recording, "steps"))
    x = axis.step_x(step + 1) if step + 1 < axis.end_step else axis.hi
    for ax in axes:
        line = getattr(ax, "_harness_cursor", None)
        if line is None:
            ax._harness_cursor = ax.axvline(x, color="#000000", lw=1.2, ls="--", zorder=5)
        else:
            line.set_xdata([x, x])


class TimelineFigure(Figure):
    """A Figure that Jupyter shows as a picture wherever it is the cell's value (no magic needed)."""

    def _repr_png_(self) -> bytes:
        return to_bytes(self, "png")


# Margins in inches, laid out by hand: matplotlib's constrained layout measures every
# text of every lane and cost a report a third of its drawing time. Text at 7-8 pt
# is about 0.06 in a character.
CHAR = 0.062
TOP, BOTTOM, LEGEND = 0.32, 0.62, 0.32


def lined_items(recording: Recording) -> set[tuple[str, str]]:
    """The items the version lane draws a line for (the entries of its legend)."""
    items = {(r[OPS.kind], r[OPS.key]) for r in recording.rows["ops"]
             if r[OPS.key] is not None and r[OPS.outcome] != "error"}
    return items.union(*([(kind, key) for kind, key, _ in versions] for versions in recording.init_versions.values()))


def _label_chars(recording: Recording) -> tuple[int, int, int]:
    """(longest y tick label, longest key, items with a line in the version lane) in characters,
    for the margins."""
    keys = [item_label(r[OPS.kind], r[OPS.key]) for r in recording.rows["ops"] if r[OPS.key] is not None]
    keys += [item_label(kind, key) for versions in recording.init_versions.values() for kind, key, _ in versions]
    keys += [row[-1] for row in recording.rows["changes"]]
    keys += [row[3] for row in recording.rows["evaluations"]]
    longest_key = max(map(len, keys), default=2)
    return max(longest_key, 7), longest_key, len(lined_items(recording))  # 7: "warning", the longest log level


def timeline(results: Result | Iterable[Result], axis: str = "steps", width: float = 11.0,
             labels: Sequence[str] | None = None) -> Figure:
    """A figure of one result, or of several stacked (targets, or runs, to compare); ``labels`` name
    each in its title (default: its target)."""
    results = [results] if isinstance(results, Result) else list(results)
    labels = list(labels) if labels is not None else [None] * len(results)
    heights = [sum(LANE_HEIGHTS[n] for n in lanes_for(r.recording)) + TOP + BOTTOM for r in results]
    chars = [_label_chars(r.recording) for r in results]
    left = 0.15 + CHAR * (len("evaluations") + max(c[0] for c in chars)) + 0.1
    columns = max(legend_columns(c[2]) for c in chars)  # the version lane's legend, outside on the right
    right = 0.2 + columns * (0.45 + CHAR * max(c[1] for c in chars))
    heights[-1] += LEGEND  # the legend goes under the last stack
    fig = TimelineFigure(figsize=(width, sum(heights)))
    subfigs = fig.subfigures(len(results), 1, height_ratios=heights, hspace=0, squeeze=False)[:, 0]
    for index, (sub, result, height, label) in enumerate(zip(subfigs, results, heights, labels)):
        bottom = BOTTOM + (LEGEND if index == len(results) - 1 else 0)
        draw(sub, result, axis, margins={"left": left / width, "right": 1 - right / width,
                                         "top": 1 - TOP / height, "bottom": bottom / height}, label=label)
    fig.legend(handles=legend_handles(), loc="center", bbox_to_anchor=(0.5, LEGEND / 2 / sum(heights)), ncol=10,
               fontsize=7, frameon=False)
    return fig
