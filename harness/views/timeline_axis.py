"""The x axis of a timeline picture: where each observation of a recording goes.

Two modes. ``"steps"`` (the default) gives each scenario step an equal slot
and spreads what happened inside it in order, so nothing that happened at one
instant hides behind anything else; its ticks carry the virtual time at which
each step began. ``"time"`` puts observations at virtual seconds since the
start.
"""

from __future__ import annotations

from typing import Sequence

from ..replay.recording import LAYOUTS, Recording
from ..vocabulary.durations import format_duration


class TimelineAxis:
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
        """Where one observation (a row as a dict) goes."""
        if self.mode == "steps":
            return self.slot[row["seq"]]
        return (row["t"] - self.start) / 1e6

    def step_x(self, step: int) -> float:
        """Where step ``step`` begins."""
        if self.mode == "steps":
            return float(step)
        times = self.recording.step_times
        return (times[step] - self.start) / 1e6 if step < len(times) else self.hi

    def intervals(self, rows: list[dict], value) -> list[tuple[float, float, object]]:
        """[(x0, x1, value(row))] from rows that each start a new interval (the last runs to the end)."""
        out = []
        for row, nxt in zip(rows, rows[1:] + [None]):
            x0 = self.x(row) if row["step"] >= 0 or self.mode == "time" else self.lo
            x1 = self.x(nxt) if nxt is not None else self.hi
            out.append((x0, x1, value(row)))
        return out

    def decorate(self, ax) -> None:
        """Limits, ticks and label of the bottom lane's x axis (matplotlib Axes)."""
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
