"""Virtual time: whole microseconds and a queue of timers. Pure: no threads, no I/O.

:meth:`VirtualClock.advance_to` fires due timers in time order (ties in the
order they were scheduled), moving the clock to each one's due time first.
Whoever owns the clock may pass ``on_move`` to show the time to code under
test; :mod:`harness.replay.freeze` does that with freezegun.
"""

from __future__ import annotations

import heapq
import itertools
from datetime import datetime, timedelta, timezone
from typing import Callable

from ..errors import VirtualTimeError
from .interrupts import check_interrupt

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_FIRINGS_PER_ADVANCE = 1_000_000


def to_micros(moment: datetime) -> int:
    """Whole microseconds since the epoch (exact; no float)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class Timer:
    """A scheduled callback. ``cancel()`` stops it from firing."""

    __slots__ = ("due", "order", "callback", "label", "cancelled")

    def __init__(self, due: int, order: int, callback: Callable[[], None], label: str):
        self.due = due
        self.order = order
        self.callback = callback
        self.label = label
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: "Timer") -> bool:
        return (self.due, self.order) < (other.due, other.order)

    def __repr__(self) -> str:
        return f"Timer({self.label!r}, due={self.due})"


class VirtualClock:
    """Virtual time in microseconds since the epoch, with a timer queue.

    ``on_move`` is called with the new time (microseconds) whenever the clock
    moves; the runner uses it to move the frozen wall clock.
    """

    def __init__(self, start: datetime, on_move: Callable[[int], None] | None = None):
        self._now = to_micros(start)
        self._start = self._now
        self._queue: list[Timer] = []
        self._order = itertools.count()
        self._on_move = on_move
        self._followers: list[Callable[[int], None]] = []
        if on_move is not None:
            on_move(self._now)

    @property
    def now(self) -> int:
        """Microseconds since the epoch."""
        return self._now

    def read(self) -> int:
        """:attr:`now` as a function, for a recording that reads it for every row."""
        return self._now

    @property
    def start(self) -> int:
        return self._start

    @property
    def elapsed(self) -> int:
        """Microseconds since the clock started."""
        return self._now - self._start

    def pending(self) -> list[Timer]:
        """Timers not yet fired nor cancelled, in firing order."""
        return sorted(t for t in self._queue if not t.cancelled)

    def next_due(self) -> int | None:
        """When the next timer is due (None: none is pending)."""
        queue = self._queue
        while queue and queue[0].cancelled:
            heapq.heappop(queue)
        return queue[0].due if queue else None

    def call_at(self, due: int, callback: Callable[[], None], label: str = "timer") -> Timer:
        timer = Timer(max(due, self._now), next(self._order), callback, label)
        heapq.heappush(self._queue, timer)
        return timer

    def call_later(self, delay: int, callback: Callable[[], None], label: str = "timer") -> Timer:
        return self.call_at(self._now + max(0, delay), callback, label)

    def follow(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(micros)`` after every move, before a timer due then fires (an
        out-of-process target moves its own clock this way)."""
        self._followers.append(callback)

    def _move(self, micros: int) -> None:
        if micros != self._now:
            self._now = micros
            if self._on_move is not None:
                self._on_move(micros)
            for follower in self._followers:
                follower(micros)

    def advance_to(self, target: int) -> None:
        """Fire every timer due at or before ``target`` in order, then stop at ``target``."""
        if target < self._now:
            raise VirtualTimeError(f"the virtual clock cannot go back ({target} < {self._now})")
        fired = 0
        while self._queue and self._queue[0].due <= target:
            check_interrupt()  # a safe point: a Ctrl-C stops the run between timers
            timer = heapq.heappop(self._queue)
            if timer.cancelled:
                continue
            fired += 1
            if fired > MAX_FIRINGS_PER_ADVANCE:
                raise VirtualTimeError(f"more than {MAX_FIRINGS_PER_ADVANCE} timers fired in one advance "
                                       f"(a timer that reschedules itself with no delay?): {timer!r}")
            self._move(timer.due)
            timer.callback()
        self._move(target)

    def advance_by(self, delta: int) -> None:
        self.advance_to(self._now + delta)

    def run_due(self) -> None:
        """Fire the timers already due (scheduled with no delay)."""
        if self._queue and self._queue[0].due <= self._now:
            self.advance_to(self._now)
