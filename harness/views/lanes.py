"""The lanes of a timeline picture, one function each, their marks and the legend.

A run is drawn into one matplotlib Axes; its lanes are horizontal bands of it
(:class:`Band`), top to bottom, sharing the x axis of a
:class:`~harness.views.timeline_axis.TimelineAxis`:

- ``script``: the faults the scenario scripted (ground truth, :mod:`.script`):
  store down from ``store_down`` to ``store_up``, connection down from
  ``disconnect`` to the reconnect; the same windows are shaded across every lane;
- ``status``: the data source state the sink reported, as coloured bands, with
  error markers;
- ``store``: when the SDK reported the store unavailable;
- ``ops``: the sink operations by outcome, one row per item; a delete (a
  tombstone) is a dagger; an init is a line across the lane;
- ``versions``: the stored version per item as step lines, each item its own
  colour and dash, nudged apart where lines would overlap; a write's mark
  sits at its version on its item's line (below the line when it was older,
  on it when it had the same version);
- ``changes``: flag change events;
- ``evaluations``: evaluated values;
- ``logs``: log lines by level.

Every mark a lane draws is one of :data:`MARKS`, and the figure's key (its
legend, :mod:`.key`) lists each one drawn. :func:`lanes_for` picks the lanes that have something to show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib
from matplotlib.ticker import MaxNLocator

from ..replay.recording import OPS, Recording
from .key import Entry
from .script import CONNECTION, STORE, Fault
from .timeline_axis import TimelineAxis

STATE_COLOURS = {"INITIALIZING": "#c6dbef", "VALID": "#a1d99b", "INTERRUPTED": "#fdae6b", "OFF": "#bdbdbd"}
OUTCOME_COLOURS = {"applied": "#238b45", "ignored": "#6b6b6b", "error": "#cb181d"}
UPSERT_MARKERS = {"applied": "o", "ignored": "x", "error": "X"}
TOMBSTONE = r"$\dagger$"
FAULT_COLOURS = {STORE: "#a50f15", CONNECTION: "#8c510a"}
SHADE_ALPHA = 0.13
REPORTED_UNAVAILABLE = "#ef3b2c"
ERROR_MARK = "#7f2704"
INIT_COLOUR = "#2171b5"
CHANGE_COLOUR = "#6a51a3"
EVALUATION_COLOURS = {"served": "#08519c", "failed": "#cb181d"}
LEVEL_COLOURS = {"DEBUG": "#bdbdbd", "INFO": "#6baed6", "WARNING": "#fd8d3c", "ERROR": "#cb181d",
                 "CRITICAL": "#67000d"}
PART_COLOUR = "#e7298a"  # where stacked timelines first differ
GRID_COLOUR, SEPARATOR_COLOUR = "#f0f0f0", "#d9d9d9"  # decoration, not marks: no legend entry

# Every mark a lane draws, in legend order: key -> (legend text, how the legend draws it).
MARKS: dict[str, tuple[str, dict]] = {
    **{f"fault:{kind}": (text, {"patch": FAULT_COLOURS[kind]})
       for kind, text in ((STORE, "store down (scripted)"), (CONNECTION, "connection down (scripted)"))},
    **{f"state:{state}": (state.lower(), {"patch": colour}) for state, colour in STATE_COLOURS.items()},
    "source error": ("error reported", {"marker": "v", "color": ERROR_MARK}),
    "unavailable": ("store unavailable (reported)", {"patch": REPORTED_UNAVAILABLE}),
    "init": ("init (whole data set)", {"line": INIT_COLOUR}),
    **{f"upsert:{o}": (f"upsert {text}", {"marker": UPSERT_MARKERS[o], "color": OUTCOME_COLOURS[o]})
       for o, text in (("applied", "applied"), ("ignored", "ignored"), ("error", "failed"))},
    **{f"delete:{o}": (text, {"marker": TOMBSTONE, "color": OUTCOME_COLOURS[o]})
       for o, text in (("applied", "delete (tombstone)"), ("ignored", "delete ignored"), ("error", "delete failed"))},
    "change": ("change event", {"marker": "d", "color": CHANGE_COLOUR}),
    **{f"evaluation:{kind}": (text, {"marker": "s", "color": EVALUATION_COLOURS[kind]})
       for kind, text in (("served", "evaluation"), ("failed", "evaluation error"))},
    **{f"log:{level}": (f"log {level.lower()}", {"marker": "|", "color": colour, "mew": 2})
       for level, colour in LEVEL_COLOURS.items()},
    "part": ("timelines part here", {"marker": "*", "color": PART_COLOUR}),
}

# Lane heights in inches; a lane of rows (items, flags, levels) grows with them, up to its most.
LANE_HEIGHTS = {"script": 0.45, "status": 0.55, "store": 0.3, "ops": 0.5, "versions": 1.4, "changes": 0.4,
                "evaluations": 0.5, "logs": 0.4}
ROW_HEIGHTS = {"script": 0.0, "ops": 0.2, "changes": 0.18, "evaluations": 0.3, "logs": 0.18}
MOST = 2.4
LANE_NAMES = {"script": "script", "status": "source", "store": "store", "ops": "writes", "versions": "version",
              "changes": "changes", "evaluations": "evaluations", "logs": "logs"}

# The version lane names its lines in a legend on the right, up to this many (more is a wall of text).
LEGEND_KEYS = 16
LINE_STYLES = ("-", "--", ":", "-.")


def legend_columns(items: int) -> int:
    """Columns of the version lane's legend for this many items (0: no legend)."""
    return 1 + items // 6 if 0 < items <= LEGEND_KEYS else 0


def item_label(kind: str, key: str) -> str:
    """How a lane names an item: a flag by its key, a segment as ``seg:key``."""
    return key if kind == "flags" else f"seg:{key}"


@dataclass
class Band:
    """One lane's share of the Axes: from ``y0`` up ``height`` inches; the lane's own coordinates
    ``lo`` .. ``hi`` are mapped onto it."""

    name: str
    y0: float
    height: float
    lo: float = 0.0
    hi: float = 1.0

    def y(self, u: float) -> float:
        return self.y0 + (u - self.lo) / (self.hi - self.lo) * self.height

    @property
    def middle(self) -> float:
        return self.y0 + self.height / 2


@dataclass
class Lanes:
    """What the lanes of one run share while they draw: the Axes, the run, its x axis, its scripted
    faults; and what they leave behind: y ticks and the marks they used (for the legend)."""

    ax: object
    recording: Recording
    axis: TimelineAxis
    faults: list[Fault]
    ticks: list[tuple[float, str]] = field(default_factory=list)
    marks: set[str] = field(default_factory=set)
    items_legend: list = field(default_factory=list)

    def rows(self, band: Band, labels: list[str]) -> dict[str, float]:
        """One row a label, top to bottom, as y positions; the labels become y ticks (every k-th when
        rows are closer than a label is tall)."""
        band.lo, band.hi = -0.7, max(len(labels), 1) - 0.3
        y = {label: band.y(len(labels) - 1 - i) for i, label in enumerate(labels)}
        stride = max(1, -(-len(labels) * 0.12 // band.height)) if labels else 1
        self.ticks += [(y[label], label if i % stride == 0 else "") for i, label in enumerate(labels)]
        return y

    def points(self, key: str, xs: list, ys: list, ms: float = 5) -> None:
        """One artist for every mark of one kind, however many (fast to draw)."""
        if xs:
            style = dict(MARKS[key][1])
            self.ax.plot(xs, ys, ls="none", ms=ms, zorder=3, **style)
            self.marks.add(key)


def _bars(lanes: Lanes, band: Band, spans: list[tuple[float, float]], colour: str, key: str,
          bottom: float = 0.15, top: float = 0.85) -> None:
    if spans:
        lanes.ax.broken_barh([(x0, x1 - x0) for x0, x1 in spans], (band.y0 + bottom * band.height,
                                                                    (top - bottom) * band.height),
                             facecolors=colour, lw=0, zorder=2)
        lanes.marks.add(key)


def script_lane(lanes: Lanes, band: Band) -> None:
    kinds = [kind for kind in (STORE, CONNECTION) if any(f.kind == kind for f in lanes.faults)]
    y = lanes.rows(band, ["store down" if kind == STORE else "disconnected" for kind in kinds])
    for kind, label in zip(kinds, y):
        half = band.height / max(len(kinds), 1) * 0.32
        spans = [(f.x0, f.x1) for f in lanes.faults if f.kind == kind]
        lanes.ax.broken_barh([(x0, x1 - x0) for x0, x1 in spans], (y[label] - half, 2 * half),
                             facecolors=FAULT_COLOURS[kind], lw=0, zorder=2)
        lanes.marks.add(f"fault:{kind}")


def status_lane(lanes: Lanes, band: Band) -> None:
    rows = lanes.recording.dicts("status")
    spans = lanes.axis.intervals(rows, lambda r: r["state"])
    lanes.ax.broken_barh([(x0, x1 - x0) for x0, x1, _ in spans], (band.y0 + 0.15 * band.height, 0.7 * band.height),
                         facecolors=[STATE_COLOURS[state] for _, _, state in spans], lw=0, zorder=2)  # one artist
    lanes.marks.update(f"state:{state}" for _, _, state in spans)
    previous, xs = None, []
    for k, row in enumerate(rows):
        error = (row["error_kind"], row["status_code"], row["error_time"])
        if row["error_kind"] is not None and error != previous:
            label = row["error_kind"] + (f" {row['status_code']}" if row["status_code"] else "")
            x = lanes.axis.x(row)
            xs.append(x)
            lanes.ax.annotate(label, (x, band.middle), xytext=(3, 5 if k % 2 else -10), textcoords="offset points",
                              fontsize=6, color=ERROR_MARK)
        previous = error
    lanes.points("source error", xs, [band.middle] * len(xs), ms=6)


def store_lane(lanes: Lanes, band: Band) -> None:
    rows = lanes.recording.dicts("store_status")
    spans = [(x0, x1) for x0, x1, ok in lanes.axis.intervals(rows, lambda r: r["available"]) if not ok]
    _bars(lanes, band, spans, REPORTED_UNAVAILABLE, "unavailable", 0.2, 0.8)


def init_label(lanes: Lanes, step: int, x: float) -> str:
    """What an init was: an ``init`` step's, the source resending its data when the connection came
    back (a ``reconnect`` step, or the end of a disconnect's window), or else the source restarting
    its stream by itself (its reaction to the store coming back, ``source.on_store_recovery``)."""
    kind = lanes.axis.step_kind(step)
    if kind == "init":
        return "init"
    if kind == "reconnect" or any(f.kind == CONNECTION and f.x1 == x for f in lanes.faults):
        return "reconnect"
    return "restart"


def ops_lane(lanes: Lanes, band: Band) -> None:
    ops = lanes.recording.dicts("ops")
    keys = sorted({(r["kind"], r["key"]) for r in ops if r["key"] is not None})
    y = lanes.rows(band, [item_label(*k) for k in keys])
    points: dict[str, tuple[list, list]] = {}
    inits: list[float] = []
    lowered = False
    for row in ops:
        x = lanes.axis.x(row)
        if row["key"] is None:
            if row["op"] == "init":
                label = init_label(lanes, row["step"], x)
                lowered = bool(inits) and x - inits[-1] < 0.6 * (lanes.axis.hi - lanes.axis.lo) / 10 and not lowered
                lanes.ax.annotate(label, (x, band.y0 + band.height), xytext=(2, -15 if lowered else -7),
                                  textcoords="offset points", fontsize=6, color=INIT_COLOUR)
                inits.append(x)
            continue
        xs, ys = points.setdefault(f"{'delete' if row['op'] == 'delete' else 'upsert'}:{row['outcome']}", ([], []))
        xs.append(x)
        ys.append(y[item_label(row["kind"], row["key"])])
    if inits:
        lanes.ax.vlines(inits, band.y0, band.y0 + band.height, color=INIT_COLOUR, lw=1, zorder=1)
        lanes.marks.add("init")
    for key, (xs, ys) in points.items():
        lanes.points(key, xs, ys, ms=11 if key.startswith("delete") else 6)  # a dagger is thin: drawn larger


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


def versions_lane(lanes: Lanes, band: Band) -> None:
    colours = matplotlib.colormaps["tab10"]
    lines = version_points(lanes.recording, lanes.axis)
    keys = sorted(lines)
    writes = [r for r in lanes.recording.dicts("ops") if r["key"] is not None]
    versions = [r["version"] for r in writes] + [v for track in lines.values() for _, v in track if v is not None]
    low, high = (min(versions), max(versions)) if versions else (0, 1)
    band.lo, band.hi = low - 0.6, high + 0.6
    # Items with the same history would hide each other: each is nudged by up to 2.5 points, its own
    # colour and dash telling it apart.
    per_version = band.height / (band.hi - band.lo)
    step = min(0.035, 0.35 * per_version / max(len(keys), 1)) / per_version if len(keys) > 1 else 0.0
    nudge = {key: (i - (len(keys) - 1) / 2) * step for i, key in enumerate(keys)}
    for i, key in enumerate(keys):
        xs = [x for x, _ in lines[key]] + [lanes.axis.hi]
        ys = [float("nan") if v is None else band.y(v + nudge[key]) for _, v in lines[key]]
        ys.append(ys[-1])
        line, = lanes.ax.plot(xs, ys, drawstyle="steps-post", color=colours(i % 10), lw=1.2, alpha=0.85,
                              ls=LINE_STYLES[(i // 10) % len(LINE_STYLES)] if len(keys) > 10 else
                              LINE_STYLES[i % len(LINE_STYLES)], label=item_label(*key), zorder=2)
        lanes.items_legend.append(line)
    points: dict[str, tuple[list, list]] = {}
    for row in writes:
        xs, ys = points.setdefault(f"{'delete' if row['op'] == 'delete' else 'upsert'}:{row['outcome']}", ([], []))
        xs.append(lanes.axis.x(row))
        ys.append(band.y(row["version"] + nudge.get((row["kind"], row["key"]), 0.0)))
    for key, (xs, ys) in points.items():
        lanes.points(key, xs, ys, ms=9 if key.startswith("delete") else 5)
    ticks = MaxNLocator(integer=True, nbins=4, min_n_ticks=1).tick_values(low, high)
    lanes.ticks += [(band.y(v), str(int(v))) for v in ticks if band.lo <= v <= band.hi]


def changes_lane(lanes: Lanes, band: Band) -> None:
    rows = lanes.recording.dicts("changes")
    y = lanes.rows(band, sorted({r["key"] for r in rows}))
    lanes.points("change", [lanes.axis.x(r) for r in rows], [y[r["key"]] for r in rows])


def evaluations_lane(lanes: Lanes, band: Band) -> None:
    rows = lanes.recording.dicts("evaluations")
    y = lanes.rows(band, sorted({r["flag"] for r in rows}))
    points: dict[str, tuple[list, list]] = {"evaluation:served": ([], []), "evaluation:failed": ([], [])}
    for k, row in enumerate(rows):
        x = lanes.axis.x(row)
        failed = row["reason"].startswith("ERROR") or row["reason"].startswith("RAISED")
        xs, ys = points["evaluation:failed" if failed else "evaluation:served"]
        xs.append(x)
        ys.append(y[row["flag"]])
        lanes.ax.annotate(repr(row["value"]), (x, y[row["flag"]]), xytext=(0, 5 if k % 2 == 0 else -10),
                          textcoords="offset points", ha="center", fontsize=6)
    for key, (xs, ys) in points.items():
        lanes.points(key, xs, ys)


def logs_lane(lanes: Lanes, band: Band) -> None:
    """Log lines as marks by level; an error line (the outage line) also carries its first words."""
    rows = lanes.recording.dicts("logs")
    y = lanes.rows(band, [level.lower() for level in LEVEL_COLOURS if any(r["level"] == level for r in rows)])
    last_label = None
    for level in LEVEL_COLOURS:
        mine = [r for r in rows if r["level"] == level]
        if mine:
            lanes.points(f"log:{level}", [lanes.axis.x(r) for r in mine], [y[level.lower()]] * len(mine), ms=8)
    for row in rows:
        x = lanes.axis.x(row)
        crowded = last_label is not None and (x - last_label) < 0.3 * (lanes.axis.hi - lanes.axis.lo)
        if row["level"] in ("ERROR", "CRITICAL") and not crowded:
            text = row["message"] if len(row["message"]) <= 40 else row["message"][:39] + "…"
            lanes.ax.annotate(text, (x, y[row["level"].lower()]), xytext=(3, 3), textcoords="offset points",
                              fontsize=6, color=LEVEL_COLOURS[row["level"]])
            last_label = x


LANES = {"script": script_lane, "status": status_lane, "store": store_lane, "ops": ops_lane,
         "versions": versions_lane, "changes": changes_lane, "evaluations": evaluations_lane, "logs": logs_lane}


def lanes_for(recording: Recording, faults: list[Fault] = ()) -> list[str]:
    """The lanes that have something to show; the status lane always (it holds the initial status)."""
    lanes = ["script"] if faults else []
    lanes.append("status")
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


def lane_height(name: str, recording: Recording, faults: list[Fault] = ()) -> float:
    """How tall a lane is drawn, in inches: its base, and a row lane's rows."""
    count = {"script": lambda: len({f.kind for f in faults}),
             "ops": lambda: len({(r[OPS.kind], r[OPS.key]) for r in recording.rows["ops"] if r[OPS.key] is not None}),
             "changes": lambda: len({row[-1] for row in recording.rows["changes"]}),
             "evaluations": lambda: len({row[3] for row in recording.rows["evaluations"]}),
             "logs": lambda: len({row[3] for row in recording.rows["logs"]})}
    if name == "versions":  # as tall as the versions it spans need, from one to many
        versions = [v for r in recording.rows["ops"] for v in (r[OPS.version], r[OPS.stored_after]) if v is not None]
        versions += [v for written in recording.init_versions.values() for _, _, v in written]
        spread = max(versions) - min(versions) if versions else 0
        return min(0.45 + 0.2 * spread, LANE_HEIGHTS[name])
    rows = count[name]() if name in count else 0
    return min(LANE_HEIGHTS[name] + ROW_HEIGHTS.get(name, 0.0) * max(rows - 1, 0), MOST)


def key_entries(marks: set[str] | None = None) -> list[Entry]:
    """The picture's key: an entry for each mark drawn (``marks``; default: every mark there is)."""
    entries = []
    for key, (text, style) in MARKS.items():
        if marks is None or key in marks:
            sized = {"ms": 9} if style.get("marker") == TOMBSTONE else {}  # a dagger is thin: drawn larger
            entries.append(Entry(text, {**style, **sized}))
    return entries
