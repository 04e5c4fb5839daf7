"""Virtual time: a clock with a timer queue, shown to the SDK through freezegun.

Two pieces:

- :class:`VirtualClock` keeps the time as whole microseconds and a queue of
  timers. :meth:`VirtualClock.advance_to` fires due timers in time order
  (ties in the order they were scheduled), moving the clock to each one's due
  time first. Nothing here runs on a thread.
- :func:`virtual_time` holds one freezegun freeze for as long as it is
  entered, and the clock moves that frozen time. Starting a freeze costs
  milliseconds once pandas is loaded (freezegun walks every module); moving a
  frozen clock costs microseconds. So a batch of scenarios enters
  :func:`virtual_time` once and every run inside it reuses the freeze. It is
  a context manager, a decorator, and (via the pytest plugin) a fixture::

      with harness.virtual_time():
          results = [harness.run(s) for s in scenarios]   # one freeze for all
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

import freezegun
import freezegun.api

from .errors import VirtualTimeError

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_FIRINGS_PER_ADVANCE = 1_000_000


def to_micros(moment: datetime) -> int:
    """Whole microseconds since the epoch (exact; no float)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def real_perf_counter() -> float:
    """The real ``time.perf_counter``, even inside a freeze (for benchmarks and progress)."""
    return freezegun.api.real_perf_counter()  # looked up at call time: freezegun rewrites module globals


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
        if on_move is not None:
            on_move(self._now)

    @property
    def now(self) -> int:
        """Microseconds since the epoch."""
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

    def call_at(self, due: int, callback: Callable[[], None], label: str = "timer") -> Timer:
        timer = Timer(max(due, self._now), next(self._order), callback, label)
        heapq.heappush(self._queue, timer)
        return timer

    def call_later(self, delay: int, callback: Callable[[], None], label: str = "timer") -> Timer:
        return self.call_at(self._now + max(0, delay), callback, label)

    def _move(self, micros: int) -> None:
        if micros != self._now:
            self._now = micros
            if self._on_move is not None:
                self._on_move(micros)

    def advance_to(self, target: int) -> None:
        """Fire every timer due at or before ``target`` in order, then stop at ``target``."""
        if target < self._now:
            raise VirtualTimeError(f"the virtual clock cannot go back ({target} < {self._now})")
        fired = 0
        while self._queue and self._queue[0].due <= target:
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
        self.advance_to(self._now)


# ----------------------------------------------------------------------------- freezegun

class _Freeze:
    """One process-wide freezegun freeze, shared by nested users."""

    depth = 0
    freezer = None
    factory = None
    last_micros: int | None = None


# tqdm measures progress in real time; freezegun leaves modules on this list alone.
_NOT_FROZEN = ["tqdm"]


def _enter() -> None:
    if _Freeze.depth == 0:
        freezer = freezegun.freeze_time(datetime(2000, 1, 1), tick=False, ignore=list(_NOT_FROZEN))
        _Freeze.factory = freezer.start()
        _Freeze.freezer = freezer
        _Freeze.last_micros = None
    _Freeze.depth += 1


def _exit() -> None:
    _Freeze.depth -= 1
    if _Freeze.depth == 0:
        freezer, _Freeze.freezer, _Freeze.factory = _Freeze.freezer, None, None
        freezer.stop()


def move_frozen_time(micros: int) -> None:
    """Set the frozen wall clock (``time.time``, ``time.monotonic``, ``datetime.now``)."""
    if _Freeze.factory is None:
        raise VirtualTimeError("the virtual clock moved outside harness.virtual_time()")
    if micros != _Freeze.last_micros:
        _Freeze.factory.move_to(from_micros(micros).replace(tzinfo=None))
        _Freeze.last_micros = micros


def is_frozen() -> bool:
    return _Freeze.depth > 0


class virtual_time(contextlib.ContextDecorator):
    """Hold one freeze for everything inside (context manager or decorator).

    Runs inside reuse it instead of paying for a freeze each. Nesting is fine;
    the freeze ends when the outermost one exits.
    """

    def __enter__(self) -> "virtual_time":
        _enter()
        return self

    def __exit__(self, *exc) -> None:
        _exit()


@contextlib.contextmanager
def frozen_clock(start: datetime) -> Iterator[VirtualClock]:
    """A :class:`VirtualClock` whose moves drive the frozen wall clock."""
    with virtual_time():
        yield VirtualClock(start, on_move=move_frozen_time)
