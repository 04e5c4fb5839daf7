"""The lanes of a timeline picture, one function each, and their colours.

A lane draws one kind of observation of a recording into one matplotlib Axes,
placed by a :class:`~harness.views.timeline_axis.TimelineAxis`:

- ``status``: the data source state as coloured bands, with error markers;
- ``store``: store outages;
- ``ops``: sink operations by outcome, one row per item (an init as a line);
- ``versions``: the stored version per item as step lines (an ignored stale
  write shows as a marker below its line);
- ``changes``: flag change events;
- ``evaluations``: evaluated values;
- ``logs``: log lines by level.

:func:`lanes_for` picks the lanes that have something to show.
"""

from __future__ import annotations

import matplotlib
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..replay.recording import OPS, Recording
from .timeline_axis import TimelineAxis

STATE_COLOURS = {"INITIALIZING": "#c6dbef", "VALID": "#a1d99b", "INTERRUPTED": "#fdae6b", "OFF": "#bdbdbd"}
OUTCOME_STYLE = {
    "applied": {"marker": "o", "color": "#238b45"},
    "ignored": {"marker": "x", "color": "#6b6b6b"},
    "error": {"marker": "X", "color": "#cb181d"},
}
OUTAGE_COLOUR = "#fcbba1"
LEVEL_COLOURS = {"DEBUG": "#bdbdbd", "INFO": "#6baed6", "WARNING": "#fd8d3c", "ERROR": "#cb181d",
                 "CRITICAL": "#67000d"}
LANE_HEIGHTS = {"status": 0.8, "store": 0.5, "ops": 1.6, "versions": 1.6, "changes": 1.0, "evaluations": 1.0,
                "logs": 0.8}

# The version lane names its lines in a legend on the right, up to this many (more is a wall of text).
LEGEND_KEYS = 16


def legend_columns(items: int) -> int:
    """Columns of the version lane's legend for this many items (0: no legend)."""
    return 1 + items // 6 if 0 < items <= LEGEND_KEYS else 0


def item_label(kind: str, key: str) -> str:
    """How a lane names an item: a flag by its key, a segment as ``seg:key``."""
    return key if kind == "flags" else f"seg:{key}"


def outages(recording: Recording, axis: TimelineAxis) -> list[tuple[float, float]]:
    """[(x0, x1)] of each time the store was unavailable."""
    rows = recording.dicts("store_status")
    return [(x0, x1) for x0, x1, ok in axis.intervals(rows, lambda r: r["available"]) if not ok]


def version_points(recording: Recording, axis: TimelineAxis) -> dict[tuple[str, str], list[tuple[float, int | None]]]:
    """Per item, (x, stored version) wherever it is known: after each init, around each write."""
    points: dict[tuple[str, str], list[tuple[float, int | None]]] = {}
    for row in recording.dicts("ops"):
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


def _markers(ax, points: dict[str, tuple[list, list]], ms: float) -> None:
    """One artist per outcome, however many markers (fast to draw)."""
    for outcome, (xs, ys) in points.items():
        if xs:
            ax.plot(xs, ys, ls="none", ms=ms, zorder=3, **OUTCOME_STYLE[outcome])


def status_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    rows = recording.dicts("status")
    for x0, x1, state in axis.intervals(rows, lambda r: r["state"]):
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


def store_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    for x0, x1 in outages(recording, axis):
        ax.axvspan(x0, x1, ymin=0.2, ymax=0.8, color="#cb181d", alpha=0.6, lw=0)
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    ax.set_ylabel("store", rotation=0, ha="right", va="center", fontsize=8)


def ops_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    ops = recording.dicts("ops")
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
    ax.set_yticklabels([item_label(*k) for k in keys], fontsize=7)
    ax.set_ylim(-0.7, max(len(keys), 1) - 0.3)
    ax.set_ylabel("writes", rotation=0, ha="right", va="center", fontsize=8)


def versions_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    colours = matplotlib.colormaps["tab10"]
    lines = version_points(recording, axis)
    keys = sorted(lines)
    for i, key in enumerate(keys):
        xs = [x for x, _ in lines[key]] + [axis.hi]
        ys = [float("nan") if v is None else v for _, v in lines[key]]
        ys.append(ys[-1])
        ax.plot(xs, ys, drawstyle="steps-post", color=colours(i % 10), lw=1.2, alpha=0.8, label=item_label(*key))
    points: dict[str, tuple[list, list]] = {o: ([], []) for o in OUTCOME_STYLE}
    for row in recording.dicts("ops"):
        if row["key"] is not None:
            points[row["outcome"]][0].append(axis.x(row))
            points[row["outcome"]][1].append(row["version"])
    _markers(ax, points, 5)
    versions = [v for track in points.values() for v in track[1]] + [
        v for track in version_points(recording, axis).values() for _, v in track if v is not None]
    if versions:
        ax.set_ylim(min(versions) - 0.6, max(versions) + 0.6)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4, min_n_ticks=1))  # versions are whole
    ax.set_ylabel("version", rotation=0, ha="right", va="center", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    if legend_columns(len(keys)):
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), ncol=legend_columns(len(keys)),
                  frameon=False)


def changes_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    rows = recording.dicts("changes")
    keys = sorted({r["key"] for r in rows})
    y = {k: i for i, k in enumerate(keys)}
    ax.plot([axis.x(r) for r in rows], [y[r["key"]] for r in rows], marker="d", color="#6a51a3", ls="none", ms=5)
    ax.set_yticks(range(len(keys)))
    ax.set_yticklabels(keys, fontsize=7)
    ax.set_ylim(-0.7, max(len(keys), 1) - 0.3)
    ax.set_ylabel("changes", rotation=0, ha="right", va="center", fontsize=8)


def evaluations_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    rows = recording.dicts("evaluations")
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


def logs_lane(ax, recording: Recording, axis: TimelineAxis) -> None:
    """Log lines as marks by level; an error line (the outage line) also carries its first words."""
    rows = recording.dicts("logs")
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


LANES = {"status": status_lane, "store": store_lane, "ops": ops_lane, "versions": versions_lane,
         "changes": changes_lane, "evaluations": evaluations_lane, "logs": logs_lane}


def lanes_for(recording: Recording) -> list[str]:
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


def legend_handles() -> list:
    """The figure's legend: states, outages, outcomes and change events."""
    handles: list = [Patch(color=c, label=s.lower()) for s, c in STATE_COLOURS.items()]
    handles.append(Patch(color=OUTAGE_COLOUR, label="store unavailable"))
    handles += [Line2D([], [], ls="none", ms=6, label=o, **style) for o, style in OUTCOME_STYLE.items()]
    handles.append(Line2D([], [], ls="none", marker="d", color="#6a51a3", label="change event"))
    return handles
