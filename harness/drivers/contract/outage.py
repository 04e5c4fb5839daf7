"""Outage logging, as Go's sink does it: an outage of the data source that lasts longer than
``log_after`` logs one ERROR line counting the errors by kind and status code."""

from __future__ import annotations

from typing import Callable

from ...replay.clock import Timer, VirtualClock
from ...vocabulary.values import ErrorInfo


def go_duration(micros: int) -> str:
    """A duration as Go's time.Duration prints it (1m0s, 30s, 500ms, 1h0m0s)."""
    if micros < 1_000_000:
        return f"{micros // 1000}ms" if micros % 1000 == 0 else f"{micros}µs"
    seconds, rest = divmod(micros, 1_000_000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    sec = f"{seconds}" + (f".{rest:06d}".rstrip("0") if rest else "") + "s"
    if hours:
        return f"{hours}h{minutes}m{sec}"
    if minutes:
        return f"{minutes}m{sec}"
    return sec


class OutageTracker:
    """Counts errors while the data source is in an outage; logs once if it lasts."""

    def __init__(self, clock: VirtualClock, log_after: int, log: Callable[[str, str], None]):
        self.clock = clock
        self.log_after = log_after
        self.log = log
        self.counts: dict[tuple[str, int], int] = {}
        self.timer: Timer | None = None
        self.in_outage = False

    def track(self, state: str, error: ErrorInfo | None) -> None:
        if self.log_after == 0:
            return
        if state == "INTERRUPTED" or error is not None or (state == "INITIALIZING" and self.in_outage):
            if not self.in_outage:
                self.in_outage = True
                self.counts = {}
                self.timer = self.clock.call_later(self.log_after, self._timed_out, "outage log")
            kind, code = (error.kind, error.status_code) if error is not None else ("UNKNOWN", 0)
            self.counts[(kind, code)] = self.counts.get((kind, code), 0) + 1
        else:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            self.in_outage = False

    def _timed_out(self) -> None:
        self.timer = None
        parts = []
        for (kind, code), count in sorted(self.counts.items()):
            label = f"{kind}({code})" if code else kind
            parts.append(f"{label} ({count} {'time' if count == 1 else 'times'})")
        self.log("ERROR", "LaunchDarkly data source outage - updates have been unavailable for at least "
                          f"{go_duration(self.log_after)} with the following errors: {', '.join(parts)}")
