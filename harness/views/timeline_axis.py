"""The x axis of a timeline picture: where each observation of a recording goes.

Two modes. ``"steps"`` (the default) gives each scenario step an equal slot;
its tick is the moment the step acts, labelled with the virtual time then
where the clock moved on since the last tick. Everything a step causes at that
moment sits on its tick, so one step has one x on every target drawn together,
whatever else each target recorded. What happens later in virtual time goes as
far along the slot as its time is along the gap to the next step: a reconnect
that a ``wait: 10s`` fires after 2 s sits a fifth of the way along (scaled by
0.9, so the last moment of a wait stays clear of the next step's tick). What
the clock fired while a step's ``at``/``after`` moved it sits just before the
step's tick. Set-up sits at -0.5. ``"time"`` puts observations at virtual
seconds since the start.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Sequence

from ..replay.recording import LAYOUTS, Recording
from ..vocabulary.durations import format_duration

SETUP_X = -0.5
ALONG = 0.9     # how far along its slot the last moment of a step's own time goes
BEFORE = 0.45   # how far before its tick the first moment of a step's at/after goes


class TimelineAxis:
    """Where each observation goes on the x axis."""

    def __init__(self, recording: Recording, mode: str, step_kinds: Sequence[str] = (), end: int | None = None):
        """``end``: when the run ended (microseconds), when it may be later than its last row (a last
        ``wait`` that recorded nothing)."""
        self.mode = mode
        self.recording = recording
        self.step_kinds = list(step_kinds)
        self.start = recording.start
        self.times = recording.step_times
        self.end_step = max(len(self.times), 1)
        last = max([row[layout.t] for layout in LAYOUTS.values() for row in recording.rows[layout.frame]]
                   + list(self.times[-1:]) + [self.start, end or 0])
        self.end_time = last
        if mode == "steps":
            self.lo, self.hi = -1.0, float(self.end_step)
        else:
            self.lo, self.hi = 0.0, max((last - self.start) / 1e6 * 1.05, 1.0)

    def step_kind(self, step: int) -> str | None:
        """The kind of scenario step ``step`` (``init``, ``wait``, ...), if known."""
        return self.step_kinds[step] if 0 <= step < len(self.step_kinds) else None

    def x(self, row: dict) -> float:
        """Where one observation (a row as a dict) goes."""
        return self.at(row["step"], row["t"])

    def at(self, step: int, t: int) -> float:
        """Where something that happened at virtual time ``t`` (microseconds) during ``step`` goes."""
        if self.mode != "steps":
            return (t - self.start) / 1e6
        if step < 0 or step >= len(self.times):
            return SETUP_X if step < 0 else float(step)
        acts = self.times[step]
        if t > acts:  # later in the step: a wait's timers
            until = self.times[step + 1] if step + 1 < len(self.times) else self.end_time
            return step + ALONG * (t - acts) / (until - acts) if until > acts else float(step)
        if t < acts:  # while its at/after moved the clock
            since = self.times[step - 1] if step > 0 else self.start
            return step - BEFORE * (acts - t) / (acts - since) if acts > since else float(step)
        return float(step)

    def time_x(self, t: int) -> float:
        """Where virtual time ``t`` goes when no step is known: on the tick of the first step acting
        then, else along the slot of the last step before it."""
        first = bisect_left(self.times, t)
        if first < len(self.times) and self.times[first] == t:  # fired as the clock reached a step's moment
            return self.at(first, t)
        step = first - 1
        return self.at(step, t) if step >= 0 else (SETUP_X if self.mode == "steps" else (t - self.start) / 1e6)

    def step_x(self, step: int) -> float:
        """Where step ``step`` acts (its tick)."""
        if self.mode == "steps":
            return float(step)
        return (self.times[step] - self.start) / 1e6 if step < len(self.times) else self.hi

    def end_of_step_x(self, step: int) -> float:
        """Just after everything step ``step`` caused (-1: set-up), before the next step's tick."""
        if step + 1 >= len(self.times):
            return self.hi
        if self.mode == "steps":
            return step + 0.95
        return self.step_x(step + 1) - 1e-9

    def intervals(self, rows: list[dict], value) -> list[tuple[float, float, object]]:
        """[(x0, x1, value(row))] from rows that each start a new interval (the last runs to the end)."""
        out = []
        for row, nxt in zip(rows, rows[1:] + [None]):
            x0 = self.x(row) if row["step"] >= 0 or self.mode == "time" else self.lo
            x1 = self.x(nxt) if nxt is not None else self.hi
            out.append((x0, x1, value(row)))
        return out

    def ticks(self) -> list[tuple[float, str]]:
        """(x, label) of each tick: a step and the virtual time when it acts, or whole seconds."""
        if self.mode == "steps":  # the time under a step only where it moved on since the last tick
            stride = max(1, -(-self.end_step // 12))
            ticks, shown = [], None
            for i in range(0, self.end_step, stride):
                when = format_duration(((self.times[i] - self.start) // 1000) * 1000) if i < len(self.times) else None
                ticks.append((float(i), f"{i}\n+{when}" if when is not None and when != shown else str(i)))
                shown = when if when is not None else shown
            return ticks
        from matplotlib.ticker import MaxNLocator
        return [(float(x), f"{x:g}") for x in MaxNLocator(nbins=8).tick_values(self.lo, self.hi)
                if self.lo <= x <= self.hi]

    @property
    def title(self) -> str:
        """What the x axis shows."""
        return "step (virtual time when it acts)" if self.mode == "steps" else "virtual time since start (s)"
