"""Timeline pictures of results (matplotlib, no pyplot state).

:func:`timeline` returns a Figure with one Axes a run, stacked. A run's lanes
(:mod:`.lanes`) share its x axis: the faults the scenario scripted (ground
truth, shaded across every lane, as Jepsen shades its nemesis windows), then
what the SDK reported: data source state, store availability, sink operations
by outcome, stored version per item, flag change events, evaluations and log
lines. The key under the picture (its legend) names every mark drawn.

The x axis is either ``"steps"`` (default: each scenario step has an equal
slot and acts at its tick, labelled with the virtual time then; one step has
one x on every run stacked) or ``"time"`` (virtual seconds since the start;
stacked runs share the range); see :mod:`.timeline_axis`.

Pictures are deterministic: :func:`save` fixes the SVG hash salt and drops
date metadata, so the same result gives the same bytes (:mod:`.picture_files`).
The public face of this module is :mod:`harness.plot`.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from .extras import need

need("matplotlib", "a timeline picture (harness.plot)")

from matplotlib.figure import Figure  # noqa: E402

from ..replay.recording import OPS, Recording  # noqa: E402
from ..results.result import Result  # noqa: E402
from ..vocabulary.steps import Wait  # noqa: E402
from .lanes import (FAULT_COLOURS, GRID_COLOUR, LANE_NAMES, LANES, MARKS, SEPARATOR_COLOUR, SHADE_ALPHA,  # noqa: E402
                    Band, Lanes, item_label, key_entries, lane_height, lanes_for, legend_columns)
from .key import Entry, draw_key, rows  # noqa: E402
from .picture_files import save, to_bytes  # noqa: E402
from .script import Fault, scripted_faults  # noqa: E402
from .timeline_axis import TimelineAxis  # noqa: E402

__all__ = ["TimelineFigure", "draw", "key_of", "labels_of", "lanes_of", "save", "set_cursor", "timeline", "to_bytes"]

# Where two stacked runs first differ: (frame, step), or None where they do not.
Parting = Callable[[Result, Result], "tuple[str, int] | None"]

# Margins in inches, laid out by hand (matplotlib's constrained layout measures every text and cost a
# report a third of its drawing time). Text at 7-8 pt is about 0.06 in a character.
CHAR = 0.062
TOP, BOTTOM = 0.3, 0.55


class TimelineFigure(Figure):
    """A Figure that Jupyter shows as a picture wherever it is the cell's value (no magic needed)."""

    def _repr_png_(self) -> bytes:
        return to_bytes(self, "png")


class Run:
    """One result laid out for drawing: its x axis, scripted faults, lanes and their heights (inches)."""

    def __init__(self, result: Result, axis_mode: str):
        self.result = result
        recording = result.recording
        kinds = [row[0] if type(row) is tuple else row.action.name for row in result.scenario.steps.rows()]
        self.axis = TimelineAxis(recording, axis_mode, kinds, end=run_end(result))
        self.faults: list[Fault] = scripted_faults(result, self.axis)
        self.lanes = lanes_for(recording, self.faults)
        self.heights = [lane_height(name, recording, self.faults) for name in self.lanes]
        self.height = sum(self.heights)


def run_end(result: Result) -> int | None:
    """When the run's last step ended: a last ``wait`` runs its whole length."""
    times, rows = result.recording.step_times, result.scenario.steps.rows()
    if not times or len(times) < len(rows) or type(rows[-1]) is tuple:
        return None
    last = rows[-1].action
    return times[-1] + last.micros if isinstance(last, Wait) else times[-1]


def draw(fig_or_subfig, result: Result, axis_mode: str = "steps", cursor: int | None = None,
         margins: dict | None = None, label: str | None = None) -> list:
    """Draw one result into a figure or subfigure; returns its axes (one).
    ``margins``: left, right, top and bottom of the lanes, as fractions of the (sub)figure;
    ``label``: what the title calls the run (default: its target)."""
    margins = {"left": 0.15, "right": 0.85, "top": 0.9, "bottom": 0.12, **(margins or {})}
    ax = fig_or_subfig.add_axes((margins["left"], margins["bottom"], margins["right"] - margins["left"],
                                 margins["top"] - margins["bottom"]))
    run = Run(result, axis_mode)
    lanes = _draw_run(ax, run, label)
    # the key under the lanes' tick labels (leave room for it with ``margins["bottom"]``)
    fig_or_subfig.harness_key = draw_key(fig_or_subfig, (0.0, 0.0), ax.transAxes, key_entries(lanes.marks),
                                         KEY_COLUMNS, KEY_COLUMN, offset=(0.0, -BOTTOM))
    if cursor is not None:
        set_cursor([ax], run.axis, cursor)
    return [ax]


def _draw_run(ax, run: Run, label: str | None, name_x: float = -0.12) -> Lanes:
    """A run's lanes into ``ax``, top to bottom; its scripted faults shaded across them all."""
    result, axis = run.result, run.axis
    lanes = Lanes(ax, result.recording, axis, run.faults)
    top = run.height
    bands = []
    for name, height in zip(run.lanes, run.heights):
        band = Band(name, top - height, height)
        bands.append(band)
        LANES[name](lanes, band)
        ax.text(name_x, band.middle, LANE_NAMES[name], transform=ax.get_yaxis_transform(), ha="right",
                va="center", fontsize=8)
        top -= height
    for fault in run.faults:  # ground truth across every lane
        ax.axvspan(fault.x0, fault.x1, color=FAULT_COLOURS[fault.kind], alpha=SHADE_ALPHA, lw=0, zorder=0.5)
    ax.hlines([band.y0 for band in bands[:-1]], axis.lo, axis.hi, color=SEPARATOR_COLOUR, lw=0.6, zorder=1)
    if axis.end_step <= 300:  # one grid line per step, while they stay apart
        ax.vlines([axis.step_x(step) for step in range(0, axis.end_step)], 0, run.height,
                  color=GRID_COLOUR, lw=0.6, zorder=0)
    ax.set_ylim(0, run.height)
    ax.set_xlim(axis.lo, axis.hi)
    _labels(ax, lanes.ticks, axis)
    columns = legend_columns(len(lanes.items_legend))
    if columns:  # the version lane's items, on its right
        chars = max(len(line.get_label()) for line in lanes.items_legend)
        ax.harness_items = draw_key(ax.figure, (1.0, _legend_top(bands)), ax.transAxes,
                                    [Entry(line.get_label(), {"line": line.get_color(), "ls": line.get_linestyle(),
                                                              "lw": 1.2}) for line in lanes.items_legend],
                                    columns, 0.45 + CHAR * chars, fontsize=6, offset=(0.05, 0.0))
    ax.set_title(f"{result.scenario.name} [{label or result.target}]" + ("" if result.ok else "  — FAILED"),
                 fontsize=10, loc="left", x=name_x - 0.05 if name_x < 0 else 0, ha="left", pad=4)
    ax.harness_lanes = {band.name: band for band in bands}
    return lanes


def _labels(ax, y_labels: list[tuple[float, str]], axis: TimelineAxis) -> None:
    """The axes' labels as plain texts: matplotlib's tick machinery (a Tick object, two lines and two
    texts a tick) was a third of a picture's cost. No ticks are set; the step grid marks the x ticks."""
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    left, below = ax.get_yaxis_transform(), ax.get_xaxis_transform()
    made = {"y": [ax.text(-0.004, y, text, transform=left, ha="right", va="center", fontsize=7)
                  for y, text in y_labels if text],
            "x": [ax.text(x, -0.012, text, transform=below, ha="center", va="top", fontsize=7, linespacing=1.1)
                  for x, text in axis.ticks()]}
    made["title"] = ax.annotate(axis.title, (0.5, 0), xycoords="axes fraction", xytext=(0, -24),
                                textcoords="offset points", ha="center", va="top", fontsize=8)
    ax.harness_labels = made


def _legend_top(bands: list[Band]) -> float:
    """The top of the version lane, as a fraction of the Axes' height (its item legend starts there)."""
    total = sum(b.height for b in bands)
    versions = next((b for b in bands if b.name == "versions"), bands[0])
    return (versions.y0 + versions.height) / total


def lanes_of(ax) -> dict[str, Band]:
    """The lanes drawn into a run's Axes, top to bottom: name -> :class:`~harness.views.lanes.Band`
    (its place in the Axes' y coordinates, inches from the bottom)."""
    return dict(getattr(ax, "harness_lanes", {}))


def labels_of(ax) -> dict[str, list]:
    """The texts that label a run's Axes: ``y`` (lane rows: items, flags, levels, versions), ``x`` (the
    ticks) and ``title`` (what the x axis shows)."""
    return dict(getattr(ax, "harness_labels", {}))


def set_cursor(axes: Sequence, axis_or_result, step: int) -> None:
    """Draw (or move) a vertical cursor just after everything ``step`` caused, on every run."""
    axis = (axis_or_result if isinstance(axis_or_result, TimelineAxis)
            else TimelineAxis(axis_or_result.recording, "steps"))
    x = axis.end_of_step_x(step)
    for ax in axes:
        line = getattr(ax, "_harness_cursor", None)
        if line is None:
            ax._harness_cursor = ax.axvline(x, color="#000000", lw=1.2, ls="--", zorder=5)
        else:
            line.set_xdata([x, x])


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
    return max(longest_key, 12), longest_key, len(lined_items(recording))  # 12: "disconnected", the longest other


def timeline(results: Result | Iterable[Result], axis: str = "steps", width: float = 11.0,
             labels: Sequence[str] | None = None, parting: Parting | None = None) -> Figure:
    """A figure of one result, or of several stacked (targets, or runs, to compare); ``labels`` name
    each in its title (default: its target). ``parting(above, below)``, where two stacked runs first
    differ as ``(frame, step)`` or None, has that place marked on both (``harness.plot`` passes
    :func:`harness.runs.diff.where_they_part`; this layer draws and compares nothing itself)."""
    results = [results] if isinstance(results, Result) else list(results)
    labels = list(labels) if labels is not None else [None] * len(results)
    runs = [Run(result, axis) for result in results]
    if axis == "time":  # stacked runs share one range of time
        lo, hi = min(r.axis.lo for r in runs), max(r.axis.hi for r in runs)
        for run in runs:
            run.axis.lo, run.axis.hi = lo, hi
    chars = [_label_chars(r.recording) for r in results]
    ticks_in = CHAR * max(c[0] for c in chars) + 0.1
    left = 0.15 + CHAR * len("evaluations") + ticks_in
    columns = max(legend_columns(c[2]) for c in chars)  # the version lane's legend, outside on the right
    right = 0.25 + columns * (0.45 + CHAR * max(c[1] for c in chars))
    blocks = [TOP + run.height + BOTTOM for run in runs]
    fig = TimelineFigure(figsize=(width, sum(blocks)))
    name_x = -ticks_in / (width - left - right)
    axes, marks = [], set()
    for run, label in zip(runs, labels):  # drawn first, placed once the legend's rows are known
        axes.append(fig.add_axes((0, 0, 1, 1)))
        marks |= _draw_run(axes[-1], run, label, name_x).marks
    if parting is not None and _mark_parting(axes, runs, parting):
        marks.add("part")
    columns = max(1, int((width - left) // KEY_COLUMN))
    key = rows(len(marks), columns) + 0.1
    height = sum(blocks) + key
    fig.set_size_inches(width, height)
    below = height
    for ax, run, block in zip(axes, runs, blocks):
        below -= block
        ax.set_position((left / width, (below + BOTTOM) / height, (width - left - right) / width, run.height / height))
    fig.harness_key = draw_key(fig, (left / width, key / height), fig.transFigure, key_entries(marks), columns,
                               KEY_COLUMN)
    return fig


# The lane of each frame a diff compares (the final store is what the version lane ends on).
PART_LANES = {"status": "status", "ops": "ops", "changes": "changes", "store_status": "store",
              "evaluations": "evaluations", "store": "versions"}


def _mark_parting(axes: list, runs: list[Run], parting: Parting) -> bool:
    """Where each stacked timeline first parts from the one above it: a mark on that frame's lane at that
    step, on both. Whether any was drawn."""
    drawn = False
    for (above_ax, above), (below_ax, below) in zip(zip(axes, runs), zip(axes[1:], runs[1:])):
        where = parting(above.result, below.result)
        if where is None:
            continue
        frame, step = where
        for ax, run in ((above_ax, above), (below_ax, below)):
            bands = lanes_of(ax)
            band = bands.get(PART_LANES[frame], bands["status"])  # a lane this run did not draw: its first
            x = run.axis.step_x(step) if step >= 0 else run.axis.at(-1, run.axis.start)
            ax.plot([x], [band.y0 + 0.8 * band.height], ls="none", ms=9, zorder=6, **MARKS["part"][1])
        drawn = True
    return drawn


KEY_COLUMNS = 6   # columns of the key under a run drawn by draw()
KEY_COLUMN = 1.8  # inches a column of the key: its longest texts ("store unavailable (reported)") fit


def key_of(figure) -> list[tuple[object, object]]:
    """The figure's key (its legend): each entry's (sample, text) artists, in order."""
    return list(getattr(figure, "harness_key", []))
