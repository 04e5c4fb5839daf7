"""Keep the SDK on virtual time for the length of one run, and undo it all after.

Inside :func:`sdk_sandbox`:

- the SDK's ``RepeatingTask`` (the store wrapper's availability poller: first
  check at once, then every 0.5 s) is replaced by :class:`VirtualRepeatingTask`,
  which schedules on the run's :class:`~harness.replay.clock.VirtualClock`;
- starting a real thread or calling ``time.sleep`` from the running thread
  raises :class:`~harness.errors.VirtualTimeError`, so a timer the kit does not
  know about fails loudly instead of running on real time.

Every patch is an ``ExitStack`` entry, so it is undone even when a step raises.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any, Callable, Iterator

from ...errors import VirtualTimeError
from ...replay.clock import VirtualClock
from .door import sync_sdk

_real_thread_start = threading.Thread.start
_real_sleep = time.sleep


class VirtualRepeatingTask:
    """Same surface as the SDK's ``RepeatingTask``, on a virtual clock.

    Bound to a clock by :func:`repeating_task_on`, with the constructor the
    SDK's own has: ``RepeatingTask(label, delays, initial_delay, fn)`` and
    ``RepeatingTask.at_interval(label, interval, initial_delay, fn)`` from
    9.18.0, ``RepeatingTask(label, interval, initial_delay, fn)`` from 9.7.2,
    ``RepeatingTask(interval, initial_delay, fn)`` before.
    """

    clock: VirtualClock
    on_error: Callable[[str, BaseException], None]
    started_tasks: list

    def __init__(self, label: str, delays: Any, initial_delay: float, callable: Callable[[], Any]):
        self.label = label
        self._delays = delays  # seconds, or a DelaySource (9.18.0 and newer) with ``next_delay``
        self._initial_delay = initial_delay
        self._action = callable
        self._started = False
        self._stopped = False
        self._timer = None

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.started_tasks.append(self)
        self._schedule(self._initial_delay)

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()

    def _schedule(self, seconds: float) -> None:
        self._timer = self.clock.call_later(round(seconds * 1_000_000), self._fire, self.label)

    def _fire(self) -> None:
        if self._stopped:
            return
        try:
            self._action()
        except Exception as e:  # the SDK's task logs and carries on; so do we
            self.on_error(self.label, e)
        if not self._stopped:
            delays = self._delays
            self._schedule(delays if isinstance(delays, (int, float)) else delays.next_delay)


class _AtInterval:
    @classmethod
    def at_interval(cls, label: str, interval: float, initial_delay: float, callable: Callable[[], Any]):
        return cls(label, interval, initial_delay, callable)


UNLABELLED = "ldclient.check-availability"  # the label later releases give the store poller


class _Unlabelled:
    def __init__(self, interval: float, initial_delay: float, callable: Callable[[], Any]):
        VirtualRepeatingTask.__init__(self, UNLABELLED, interval, initial_delay, callable)  # type: ignore[arg-type]


def repeating_task_on(clock: VirtualClock, on_error: Callable[[str, BaseException], None],
                      sdk: Any = None) -> type:
    """A :class:`VirtualRepeatingTask` class bound to this clock, with the constructor of ``sdk``'s
    (the door's :class:`~.door.SyncSdk`; the installed SDK's by default)."""
    sdk = sdk or sync_sdk()
    bases = ((_Unlabelled,) if sdk.poller_params[0] != "label" else ()) + \
        ((_AtInterval,) if sdk.poller_at_interval else ()) + (VirtualRepeatingTask,)
    return type("VirtualRepeatingTask", bases,
                {"clock": clock, "on_error": staticmethod(on_error), "started_tasks": []})


@contextlib.contextmanager
def no_real_time() -> Iterator[None]:
    """Refuse real threads and sleeps started from this thread."""
    owner = threading.get_ident()

    def guarded_start(thread, *args, **kwargs):
        if threading.get_ident() == owner:
            raise VirtualTimeError(f"the code under test tried to start a real thread ({thread.name!r}); "
                                   "a virtual-clock replacement is needed for it")
        return _real_thread_start(thread, *args, **kwargs)

    def guarded_sleep(seconds):
        if threading.get_ident() == owner:
            raise VirtualTimeError(f"the code under test tried to sleep {seconds} s in real time")
        return _real_sleep(seconds)

    try:  # patched inside the try, so that whatever cuts in is undone too
        threading.Thread.start = guarded_start  # type: ignore[method-assign]
        time.sleep = guarded_sleep
        yield
    finally:
        threading.Thread.start = _real_thread_start  # type: ignore[method-assign]
        time.sleep = _real_sleep


@contextlib.contextmanager
def sdk_sandbox(clock: VirtualClock, on_task_error: Callable[[str, BaseException], None]) -> Iterator[type]:
    """Patch the SDK onto the virtual clock; yields the bound task class."""
    fdv1 = sync_sdk().poller_module
    task_class = repeating_task_on(clock, on_task_error)
    with contextlib.ExitStack() as stack:
        stack.enter_context(no_real_time())
        stack.callback(setattr, fdv1, "RepeatingTask", fdv1.RepeatingTask)
        fdv1.RepeatingTask = task_class
        yield task_class
