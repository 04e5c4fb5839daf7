"""Ctrl-C during a run: the run stops at its next safe point, cleaned up, instead of anywhere.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be. In
the middle of a run that can be inside freezegun's start (the clock then stays
frozen for good), inside the SDK while it holds a lock (the run's own clean-up
then waits on it forever), or between starting a driver and keeping hold of
it. So, on the main thread, while the kit's SIGINT handler is in place
(:func:`handle_interrupts` to :func:`release_interrupts`, or
:class:`handling_interrupts`), a SIGINT is judged by the code it lands in:

- inside a function marked :func:`holds_interrupts` (starting or stopping the
  freeze: short, never stuck), it waits until that function is done;
- inside a function marked :func:`defers_interrupts` (a run), it waits for the
  next *safe point*, :func:`check_interrupt` (between steps, between timers of
  the virtual clock, in a driver's read loop);
- anywhere else (a notebook's own code inside ``virtual_time``), it is
  delivered at once, as if the kit were not there.

A waiting interrupt no safe point has taken is delivered when the outermost
marked function releases the handler. *Delivered* means that the handler in
place before the kit's is called: Python's own raises ``KeyboardInterrupt``,
and a notebook's or a test runner's own handler is honoured. That handler is
put back when the last user releases it.

The code a SIGINT lands in is read from the stack of frames, not from flags set
on the way in and out: a flag is set one bytecode too late or cleared one too
early, and an interrupt in between would cut the very step it protects.

A run stuck where no safe point comes (a driver that does not answer) must
still be stoppable: a second SIGINT, once the first has waited
:data:`URGENT_AFTER` seconds, is delivered at once (though never inside a
hold). A quick double press counts as one.

Off the main thread (where no signal handler can be set), or when SIGINT is
ignored or left to the operating system, nothing changes.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from types import CodeType, FrameType
from typing import Any, Callable, TypeVar

URGENT_AFTER = 1.0  # real seconds a waiting interrupt waits before a second press cuts in

HOLD, DEFER = "hold", "defer"
_MARKED: dict[CodeType, str] = {}  # code of a marked function -> HOLD or DEFER

Handler = Callable[[int, "FrameType | None"], Any]
F = TypeVar("F", bound=Callable[..., Any])


def holds_interrupts(func: F) -> F:
    """Mark ``func``: a SIGINT that lands while it runs waits until it returns (returns ``func`` itself)."""
    _MARKED[func.__code__] = HOLD
    return func


def defers_interrupts(func: F) -> F:
    """Mark ``func``: a SIGINT that lands while it runs waits for a safe point (returns ``func`` itself)."""
    _MARKED.setdefault(func.__code__, DEFER)
    return func


def _real_seconds(monotonic: Callable[[], float] = time.monotonic) -> float:
    # Bound as a default argument: freezegun rewrites module globals that hold time.monotonic.
    return monotonic()


class _State:
    """The main thread's use of the handler (only the main thread touches this)."""

    users = 0                            # handle_interrupts() not yet released
    previous: Handler | None = None      # the handler the kit's replaced (None: it replaced none)
    pending_since: float | None = None   # when the SIGINT that waits came (real seconds)


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _protection(frame: FrameType | None) -> str | None:
    """HOLD if a hold is on the stack from ``frame`` up, else DEFER if a deferring function is, else None."""
    found = None
    while frame is not None:
        mark = _MARKED.get(frame.f_code)
        if mark == HOLD:
            return HOLD
        found = found or mark
        frame = frame.f_back
    return found


def _deliver() -> None:
    _State.pending_since = None
    previous = _State.previous
    if previous is not None:
        previous(signal.SIGINT, None)


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """The kit's handler: wait inside marked code, deliver anywhere else."""
    protection = _protection(frame if frame is not None else sys._getframe(1))
    now = _real_seconds()
    if protection is None:
        _deliver()
    elif _State.pending_since is None:
        _State.pending_since = now
    elif protection == DEFER and now - _State.pending_since >= URGENT_AFTER:
        _deliver()


def interrupt_pending() -> bool:
    """Whether a SIGINT is waiting to be delivered."""
    return _State.pending_since is not None


def check_interrupt() -> None:
    """A safe point: deliver a waiting SIGINT (with Python's handler, raise ``KeyboardInterrupt``).

    Costs one attribute test when nothing waits. Does nothing inside a hold or off the main thread.
    """
    if _State.pending_since is not None and _on_main_thread() and _protection(sys._getframe(1)) != HOLD:
        _deliver()


def handle_interrupts() -> None:
    """Put the kit's SIGINT handler in place until the matching :func:`release_interrupts` (counted).

    Call it from a marked function, before the work it protects: a SIGINT that
    comes before the handler is in place is raised there, with nothing to undo.
    """
    if not _on_main_thread():
        return
    if _State.users == 0:
        _State.pending_since = None  # nothing can wait with the handler away: a stale mark
        previous = signal.getsignal(signal.SIGINT)
        if previous is _on_sigint:  # left in place by a release cut short: honour Python's own
            previous = signal.default_int_handler
        _State.previous = previous if callable(previous) else None  # not SIG_IGN, SIG_DFL or a C handler
        if _State.previous is not None:
            signal.signal(signal.SIGINT, _on_sigint)
    _State.users += 1


def release_interrupts() -> None:
    """Undo one :func:`handle_interrupts`; the last puts the old handler back.

    Call it last thing in the marked function that handled: a waiting SIGINT is
    delivered here unless a marked function further up the stack still runs
    with the handler in place.
    """
    _release(sys._getframe(1))


def _release(caller: FrameType) -> None:
    if not _on_main_thread() or _State.users == 0:
        return
    _State.users -= 1
    previous = _State.previous
    if _State.users == 0 and previous is not None:
        signal.signal(signal.SIGINT, previous)  # from here a SIGINT goes to the old handler
    # The waiting SIGINT is this release's to deliver when no marked code is left to (nor any handler).
    if _State.pending_since is not None and (_State.users == 0 or _protection(caller.f_back) is None):
        _State.pending_since = None
        if previous is not None:
            previous(signal.SIGINT, None)


class handling_interrupts:
    """:func:`handle_interrupts` for the length of a ``with`` block, in the marked function it protects."""

    def __enter__(self) -> "handling_interrupts":
        handle_interrupts()
        return self

    def __exit__(self, *exc: object) -> None:
        _release(sys._getframe(1))


holds_interrupts(handle_interrupts)
holds_interrupts(_release)
