"""The virtual clock shown to code under test through one shared freezegun freeze.

:func:`virtual_time` holds one freezegun freeze for as long as it is entered,
and a run's clock moves that frozen time. Starting a freeze costs
milliseconds once pandas is loaded (freezegun walks every module); moving a
frozen clock costs microseconds. So a batch of scenarios enters
:func:`virtual_time` once and every run inside it reuses the freeze. It is a
context manager, a decorator (of plain and ``async`` functions) and, through
the pytest plugin, a fixture::

    with harness.virtual_time():
        results = [harness.run(s) for s in scenarios]   # one freeze for all

    @harness.virtual_time()
    async def test_it(): ...
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from datetime import datetime
from typing import Iterator

import freezegun
import freezegun.api

from ..errors import VirtualTimeError
from .clock import VirtualClock, from_micros
from .interrupts import handle_interrupts, holds_interrupts, release_interrupts


def real_perf_counter() -> float:
    """The real ``time.perf_counter``, even inside a freeze (for benchmarks and progress)."""
    return freezegun.api.real_perf_counter()  # looked up at call time: freezegun rewrites module globals


class _Freeze:
    """One process-wide freezegun freeze, shared by nested users."""

    depth = 0
    freezer = None
    factory = None
    last_micros: int | None = None


# Modules freezegun leaves alone: they keep real time (tqdm measures progress in it), and
# a freeze starts faster without walking them. None of them is code under test.
_NOT_FROZEN = ["tqdm", "pandas", "numpy", "matplotlib", "PIL", "IPython", "ipywidgets", "traitlets",
               "prompt_toolkit", "pygments", "jedi", "parso", "hypothesis", "jsonschema", "referencing", "yaml"]


@holds_interrupts
def _enter() -> None:
    """Start the freeze, or join the one in place."""
    if _Freeze.depth == 0:
        freezer = freezegun.freeze_time(datetime(2000, 1, 1), tick=False, ignore=list(_NOT_FROZEN))
        _Freeze.factory = freezer.start()
        _Freeze.freezer = freezer
        _Freeze.last_micros = None
    _Freeze.depth += 1


@holds_interrupts
def _exit() -> None:
    """Leave the freeze; the last one out stops it. Leaving more often than joining does nothing."""
    if _Freeze.depth == 0:
        return
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
    the freeze ends when the outermost one exits. On an ``async def`` the
    freeze is held while the coroutine runs, not just while it is created.
    """

    # Joining and leaving hold a Ctrl-C back (see .interrupts): cut half way, freezegun would stay patched
    # with a depth of 0, and time would stand still for the rest of the process. The kit's SIGINT handler
    # stays in place while the freeze is held, so that it is there when the exit begins.

    @holds_interrupts
    def __enter__(self) -> "virtual_time":
        handle_interrupts()
        try:
            _enter()
        except BaseException:
            release_interrupts()
            raise
        return self

    @holds_interrupts
    def __exit__(self, *exc) -> None:
        try:
            _exit()
        finally:
            release_interrupts()

    def __call__(self, func):
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def frozen(*args, **kwargs):
                with self._recreate_cm():
                    return await func(*args, **kwargs)
            return frozen
        return super().__call__(func)


@contextlib.contextmanager
def frozen_clock(start: datetime) -> Iterator[VirtualClock]:
    """A :class:`VirtualClock` whose moves drive the frozen wall clock."""
    with virtual_time():
        yield VirtualClock(start, on_move=move_frozen_time)
