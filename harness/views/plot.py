"""Timeline pictures of results (matplotlib, no pyplot state).

``harness.plot.timeline(result)`` returns a Figure with lanes sharing one x
axis: data source state as coloured bands with error markers, store
availability (outages shaded across every lane), sink operations by outcome,
stored version per item as step lines (an ignored stale write shows as a
marker below its line), flag change events, and evaluations.

The x axis is either ``"steps"`` (default: each scenario step gets an equal
slot, what happened inside it spread in order, ticks labelled with the virtual
time at which the step began — so nothing that happened at one instant hides
behind anything else) or ``"time"`` (virtual seconds since the start).

Pictures are deterministic: :func:`save` fixes the SVG hash salt and drops
date metadata, so the same result gives the same bytes.
"""

from __future__ import annotations

import io
import os
import sys
import types
from typing import Iterable, Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..vocabulary.durations import format_duration
from ..replay.recording import LAYOUTS, OPS, Recording
from ..results.result import Result

STATE_COLOURS = {"INITIALIZING": "#c6dbef", "VALID": "#a1d99b", "INTERRUPTED": "#fdae6b", "OFF": "#bdbdbd"}
OUTCOME_STYLE = {
    "applied": {"marker": "o", "color": "#238b45"},
    "ignored": {"marker": "x", "color": "#6b6b6b"},
    "error": {"marker": "X", "color": "#cb181d"},
}
OUTAGE_COLOUR = "#fcbba1"
LANE_HEIGHTS = {"status": 0.8, "store": 0.5, "ops": 1.6, "versions": 1.6, "changes": 1.0, "evaluations": 1.0,
                "logs": 0.8}


def _rows(recording: Recording, frame: str) -> list[dict]:
    return recording.dicts(frame)


class _Axis:
    """Where each observation goes on the x axis."""

    def __init__(self, recording: Recording, mode: str, step_kinds: Sequence[str] = ()):
        self.mode = mode
        self.recording = recording
        self.step_kinds = list(step_kinds)
        self.start = recording.start
        steps = len(recording.step_times)
        self.end_step = max(steps, 1)
        if mode == "steps":
            by_step: dict[int, list[int]] = {}
            for layout in LAYOUTS.values():
                for row in recording.rows[layout.frame]:
                    by_step.setdefault(row[layout.step], []).append(row[layout.seq])
            self.slot: dict[int, float] = {}
            for step, seqs in by_step.items():
                seqs.sort()
                for k, seq in enumerate(seqs):
                    self.slot[seq] = step + (k + 1) / (len(seqs) + 1)
            self.lo, self.hi = -1.0, float(self.end_step)
        else:
            last = max([row[layout.t] for layout in LAYOUTS.values() for row in recording.rows[layout.frame]]
                       + [self.start])
            self.lo, self.hi = 0.0, max((last - self.start) / 1e6 * 1.05, 1.0)

    def step_kind(self, step: int) -> str | None:
        """The kind of scenario step ``step`` (``init``, ``wait``, ...), if known."""
        return self.step_kinds[step] if 0 <= step < len(self.step_kinds) else None

    def x(self, row: dict) -> float:
        if self.mode == "steps":
            return self.slot[row["seq"]]
        return (row["t"] - self.start) / 1e6

    def step_x(self, step: int) -> float:
        """Where step ``step`` begins."""
        if self.mode == "steps":
            return float(step)
        times = self.recording.step_times
        return (times[step] - self.start) / 1e6 if step < len(times) else self.hi

    def decorate(self, ax) -> None:
        ax.set_xlim(self.lo, self.hi)
        if self.mode == "steps":
            count = self.end_step
            stride = max(1, -(-count // 12))
            ticks = list(range(0, count, stride))
            times = self.recording.step_times
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{i}\n+{format_duration(((times[i] - self.start) // 1000) * 1000)}"
                                if i < len(times) else str(i) for i in ticks], fontsize=7)
            ax.set_xlabel("step (virtual time at its start)", fontsize=8)
        else:
            ax.set_xlabel("virtual time since start (s)", fontsize=8)


def _intervals(rows: list[dict], axis: _Axis, value) -> list[tuple[float, float, object]]:
    """[(x0, x1, value)] from rows that each start a new interval."""
    out = []
    for row, nxt in zip(rows, rows[1:] + [None]):
        x0 = axis.x(row) if row["step"] >= 0 or axis.mode == "time" else axis.lo
        x1 = axis.x(nxt) if nxt is not None else axis.hi
        out.append((x0, x1, value(row)))
    return out


def _status_lane(ax, recording, axis) -> None:
    rows = _rows(recording, "status")
    for x0, x1, state in _intervals(rows, axis, lambda r: r["state"]):
        ax.axvspan(x0, x1, ymin=0.15, ymax=0.85, color=STATE_COLOURS[state], lw=0)
    previous = None
    for k, row in enumerate(rows):
        error = (row["error_kind"], row["status_code"], row["error_time"])
        if row["error_kind"] is not None and error != previous:
            label = row["error_kind"] + (f" {row['status_code']}" if row["status_code"] else "")
            x = axis.x(row)
            ax.plot([x], [0.5], marker="v", color="#7f2704", ms=6, zorder=3)
            ax.annotate(label, (x, 0.5), xytext=(3, 6 if k % 2 else -10), textcoords="offset points",
                        fontsize=6, color="#7f2704")
        previous = error
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    ax.set_ylabel("source", rotation=0, ha="right", va="center", fontsize=8)


def _outages(recording, axis) -> list[tuple[float, float]]:
    rows = _rows(recording, "store_status")
    return [(x0, x1) for x0, x1, ok in _intervals(rows, axis, lambda r: r["available"]) if not ok]


def _store_lane(ax, recording, axis) -> None:
    for x0, x1 in _outages(recording, axis):
        ax.axvspan(x0, x1, ymin=0.2, ymax=0.8, color="#cb181d", alpha=0.6, lw=0)
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    ax.set_ylabel("store", rotation=0, ha="right", va="center", fontsize=8)


def _item_label(kind: str, key: str) -> str:
    return key if kind == "flags" else f"seg:{key}"


def _markers(ax, points: dict[str, tuple[list, list]], ms: float) -> None:
    """One artist per outcome, however many markers (fast to draw)."""
    for outcome, (xs, ys) in points.items():
        if xs:
            ax.plot(xs, ys, ls="none", ms=ms, zorder=3, **OUTCOME_STYLE[outcome])


def _ops_lane(ax, recording, axis) -> None:
    ops = _rows(recording, "ops")
    keys = sorted({(r["kind"], r["key"]) for r in ops if r["key"] is not None})
    y = {k: i for i, k in enumerate(keys)}
    points: dict[str, tuple[list, list]] = {o: ([], []) for o in OUTCOME_STYLE}
    for row in ops:
        x = axis.x(row)
        if row["key"] is None:
            if row["op"] == "init":
                ax.axvline(x, color="#2171b5", lw=1, zorder=1)
                # an init sent while another step ran is the source resending its data: a reconnect
                label = "init" if axis.step_kind(row["step"]) == "init" else "reconnect"
                ax.annotate(label, (x, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -8),
                            textcoords="offset points", fontsize=6, color="#2171b5")
            continue
        xs, ys = points[row["outcome"]]
        xs.append(x)
        ys.append(y[(row["kind"], row["key"])])
    _markers(ax, points, 6)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels([_item_label(*k) for k in keys], fontsize=7)
    ax.set_ylim(-0.7, max(len(keys), 1) - 0.3)
    ax.set_ylabel("writes", rotation=0, ha="right", va="center", fontsize=8)


def _version_points(recording: Recording, axis: _Axis) -> dict[tuple[str, str], list[tuple[float, int | None]]]:
    """Per item, (x, stored version) wherever it is known: after each init, around each write."""
    points: dict[tuple[str, str], list[tuple[float, int | None]]] = {}
    for row in _rows(recording, "ops"):
        x = axis.x(row)
        if row["op"] == "init" and row["seq"] in recording.init_versions:
            written = {(k, key): v for k, key, v in recording.init_versions[row["seq"]]}
            for item in set(points) | set(written):
                points.setdefault(item, []).append((x, written.get(item)))
        elif row["key"] is not None and row["outcome"] != "error":
            track = points.setdefault((row["kind"], row["key"]), [])
            if row["stored_before"] is not None:
                track.append((x, row["stored_before"]))
            track.append((x, row["stored_after"]))
    return points


# The version lane names its lines in a legend on the right, up to this many (more is a wall of text).
LEGEND_KEYS = 16


def _legend_columns(items: int) -> int:
    """Columns of the version lane's legend for this many items (0: no legend)."""
    return 1 + items // 6 if 0 < items <= LEGEND_KEYS else 0


def _versions_lane(ax, recording, axis) -> None:
    colours = matplotlib.colormaps["tab10"]
    points = _version_points(recording, axis)
    keys = sorted(points)
    for i, key in enumerate(keys):
        xs = [x for x, _ in points[key]] + [axis.hi]
        ys = [float("nan") if v is None else v for _, v in points[key]]
        ys.append(ys[-1])
        ax.plot(xs, ys, drawstyle="steps-post", color=colours(i % 10), lw=1.2, alpha=0.8, label=_item_label(*key))
    points: dict[str, tuple[list, list]] = {o: ([], []) for o in OUTCOME_STYLE}
    for row in _rows(recording, "ops"):
        if row["key"] is not None:
            points[row["outcome"]][0].append(axis.x(row))
            points[row["outcome"]][1].append(row["version"])
    _markers(ax, points, 5)
    versions = [v for track in points.values() for v in track[1]] + [
        v for track in _version_points(recording, axis).values() for _, v in track if v is not None]
    if versions:
        ax.set_ylim(min(versions) - 0.6, max(versions) + 0.6)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4, min_n_ticks=1))  # versions are whole
    ax.set_ylabel("version", rotation=0, ha="right", va="center", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    if _legend_columns(len(keys)):
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=_legend_columns(len(keys)),
                  frameon=False)


def _changes_lane(ax, recording, axis) -> None:
    rows = _rows(recording, "changes")
    keys = sorted({r["key"] for r in rows})
    y = {k: i for i, k in enumerate(keys)}
    ax.plot([axis.x(r) for r in rows], [y[r["key"]] for r in rows], marker="d", color="#6a51a3", ls="none", ms=5)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels(keys, fontsize=7)
    ax.set_ylim(-0.7, max(len(keys), 1) - 0.3)
    ax.set_ylabel("changes", rotation=0, ha="right", va="center", fontsize=8)


def _evaluations_lane(ax, recording, axis) -> None:
    rows = _rows(recording, "evaluations")
    flags = sorted({r["flag"] for r in rows})
    y = {k: i for i, k in enumerate(flags)}
    for k, row in enumerate(rows):
        x = axis.x(row)
        failed = row["reason"].startswith("ERROR") or row["reason"].startswith("RAISED")
        ax.plot([x], [y[row["flag"]]], marker="s", color="#cb181d" if failed else "#08519c", ls="none", ms=5)
        ax.annotate(repr(row["value"]), (x, y[row["flag"]]), xytext=(0, 6 if k % 2 == 0 else -11),
                    textcoords="offset points", ha="center", fontsize=6)
    ax.set_yticks(range(len(flags)))
    ax.set_yticklabels(flags, fontsize=7)
    ax.set_ylim(-0.8, max(len(flags), 1) - 0.2)
    ax.set_ylabel("evaluations", rotation=0, ha="right", va="center", fontsize=8)


LEVEL_COLOURS = {"DEBUG": "#bdbdbd", "INFO": "#6baed6", "WARNING": "#fd8d3c", "ERROR": "#cb181d",
                 "CRITICAL": "#67000d"}


def _logs_lane(ax, recording, axis) -> None:
    """Log lines as marks by level; an error line (the outage line) also carries its first words."""
    rows = _rows(recording, "logs")
    levels = [level for level in LEVEL_COLOURS if any(r["level"] == level for r in rows)]
    y = {level: i for i, level in enumerate(levels)}
    last_label = None
    for row in rows:
        x = axis.x(row)
        ax.plot([x], [y[row["level"]]], marker="|", ms=9, mew=2, color=LEVEL_COLOURS[row["level"]], ls="none")
        crowded = last_label is not None and (x - last_label) < 0.3 * (axis.hi - axis.lo)
        if row["level"] in ("ERROR", "CRITICAL") and not crowded:
            text = row["message"] if len(row["message"]) <= 40 else row["message"][:39] + "…"
            ax.annotate(text, (x, y[row["level"]]), xytext=(3, 4), textcoords="offset points", fontsize=6,
                        color=LEVEL_COLOURS[row["level"]])
            last_label = x
    ax.set_yticks(range(len(levels)))
    ax.set_yticklabels([level.lower() for level in levels], fontsize=7)
    ax.set_ylim(-0.7, max(len(levels), 1) - 0.3)
    ax.set_ylabel("logs", rotation=0, ha="right", va="center", fontsize=8)


LANES = {"status": _status_lane, "store": _store_lane, "ops": _ops_lane, "versions": _versions_lane,
         "changes": _changes_lane, "evaluations": _evaluations_lane, "logs": _logs_lane}


def _lanes_for(recording: Recording) -> list[str]:
    """The lanes that have something to show; the status lane always (it holds the initial status)."""
    lanes = ["status"]
    if any(not available for available in recording.column("store_status", "available")):
        lanes.append("store")
    if any(op in ("init", "upsert", "delete") for op in recording.column("ops", "op")):
        lanes.append("ops")
    if recording.init_versions or any(row[OPS.key] is not None for row in recording.rows["ops"]):
        lanes.append("versions")
    for frame in ("changes", "evaluations", "logs"):
        if recording.rows[frame]:
            lanes.append(frame)
    return lanes


def _legend_handles() -> list:
    handles: list = [Patch(color=c, label=s.lower()) for s, c in STATE_COLOURS.items()]
    handles.append(Patch(color=OUTAGE_COLOUR, label="store unavailable"))
    handles += [Line2D([], [], ls="none", ms=6, label=o, **style) for o, style in OUTCOME_STYLE.items()]
    handles.append(Line2D([], [], ls="none", marker="d", color="#6a51a3", label="change event"))
    return handles


def draw(fig_or_subfig, result: Result, axis_mode: str = "steps", cursor: int | None = None,
         margins: dict | None = None) -> list:
    """Draw one result's lanes into a figure or subfigure; returns the axes.
    ``margins``: the lanes' left, right, top and bottom, as fractions of the (sub)figure."""
    recording = result.recording
    axis = _Axis(recording, axis_mode, [step.action.name for step in result.scenario.steps])
    lanes = _lanes_for(recording)
    axes = fig_or_subfig.subplots(len(lanes), 1, sharex=True, squeeze=False,
                                  gridspec_kw={"height_ratios": [LANE_HEIGHTS[n] for n in lanes], "hspace": 0.08,
                                               **(margins or {})})[:, 0]
    outages = _outages(recording, axis)
    for ax, name in zip(axes, lanes):
        for x0, x1 in outages:
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
    fig_or_subfig.suptitle(f"{result.scenario.name} [{result.target}]" + ("" if result.ok else "  — FAILED"),
                           fontsize=10, x=0.01, y=0.995, ha="left", va="top")
    if cursor is not None:
        set_cursor(axes, axis, cursor)
    return list(axes)


def set_cursor(axes: Sequence, axis_or_result, step: int) -> None:
    """Draw (or move) a vertical cursor at the end of ``step`` on every lane."""
    axis = axis_or_result if isinstance(axis_or_result, _Axis) else _Axis(axis_or_result.recording, "steps")
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


def _lined_items(recording: Recording) -> set[tuple[str, str]]:
    """The items the version lane draws a line for (the entries of its legend)."""
    items = {(r[OPS.kind], r[OPS.key]) for r in recording.rows["ops"]
             if r[OPS.key] is not None and r[OPS.outcome] != "error"}
    return items.union(*([(kind, key) for kind, key, _ in versions] for versions in recording.init_versions.values()))


def _label_chars(recording: Recording) -> tuple[int, int, int]:
    """(longest y tick label, longest key, items with a line in the version lane) in characters,
    for the margins."""
    keys = [_item_label(r[OPS.kind], r[OPS.key]) for r in recording.rows["ops"] if r[OPS.key] is not None]
    keys += [_item_label(kind, key) for versions in recording.init_versions.values() for kind, key, _ in versions]
    keys += [row[-1] for row in recording.rows["changes"]]
    keys += [row[3] for row in recording.rows["evaluations"]]
    longest_key = max(map(len, keys), default=2)
    return max(longest_key, 7), longest_key, len(_lined_items(recording))  # 7: "warning", the longest log level


def timeline(results: Result | Iterable[Result], axis: str = "steps", width: float = 11.0) -> Figure:
    """A figure of one result, or of several stacked (targets, or runs, to compare)."""
    results = [results] if isinstance(results, Result) else list(results)
    heights = [sum(LANE_HEIGHTS[n] for n in _lanes_for(r.recording)) + TOP + BOTTOM for r in results]
    chars = [_label_chars(r.recording) for r in results]
    left = 0.15 + CHAR * (len("evaluations") + max(c[0] for c in chars)) + 0.1
    columns = max(_legend_columns(c[2]) for c in chars)  # the version lane's legend, outside on the right
    right = 0.2 + columns * (0.45 + CHAR * max(c[1] for c in chars))
    heights[-1] += LEGEND  # the legend goes under the last stack
    fig = TimelineFigure(figsize=(width, sum(heights)))
    subfigs = fig.subfigures(len(results), 1, height_ratios=heights, hspace=0, squeeze=False)[:, 0]
    for index, (sub, result, height) in enumerate(zip(subfigs, results, heights)):
        bottom = BOTTOM + (LEGEND if index == len(results) - 1 else 0)
        draw(sub, result, axis, margins={"left": left / width, "right": 1 - right / width,
                                         "top": 1 - TOP / height, "bottom": bottom / height})
    fig.legend(handles=_legend_handles(), loc="center", bbox_to_anchor=(0.5, LEGEND / 2 / sum(heights)), ncol=10,
               fontsize=7, frameon=False)
    return fig


def save(fig: Figure, path_or_file, fmt: str | None = None) -> None:
    """Save deterministically: fixed SVG hash salt, no dates or software version.
    ``fmt`` defaults to the file name's suffix, else png."""
    if fmt is None:
        name = str(path_or_file) if isinstance(path_or_file, (str, os.PathLike)) else ""
        fmt = name.rsplit(".", 1)[-1].lower() if "." in name else "png"
    metadata = {"Date": None} if fmt in ("svg", "pdf") else {"Software": None}
    if fmt == "svg":
        metadata["Creator"] = None
    with matplotlib.rc_context({"svg.hashsalt": "harness", "svg.fonttype": "none"}):
        # PNG at zlib level 1: a fifth larger, and the report's pictures are drawn sooner
        extra = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        fig.savefig(path_or_file, format=fmt, metadata=metadata, dpi=100, **extra)


def to_bytes(fig: Figure, fmt: str = "png") -> bytes:
    buffer = io.BytesIO()
    save(fig, buffer, fmt)
    return buffer.getvalue()


class _CallableModule(types.ModuleType):
    """``harness.plot(result)`` is ``harness.plot.timeline(result)``."""

    def __call__(self, results, axis: str = "steps", width: float = 11.0) -> Figure:
        return timeline(results, axis, width)


sys.modules[__name__].__class__ = _CallableModule
