"""An asyncio event loop on the kit's virtual clock, for the ``sdk-async`` target.

Its time is the virtual clock: every ``loop.call_at`` is mirrored onto the clock, so asyncio timers
fire in time order with the kit's own. It never waits for time: a loop that would have to sleep
raises :class:`~harness.errors.VirtualTimeError`.

It does wait for sockets, which is what a real Redis needs (the SDK's async Redis store talks
through ``redis.asyncio``, on asyncio streams): while a coroutine awaits bytes from a socket, or a
connection or a write is under way, the loop blocks on the socket in real time, and before it hands
control back to the kit it lets every such exchange finish. Virtual time stands still meanwhile, so
a reply that took 0.1 ms or 100 ms gives the same timeline.
"""

from __future__ import annotations

import asyncio
import select
import selectors

from ...errors import VirtualTimeError
from ...replay.clock import VirtualClock

SOCKET_PATIENCE = 30.0  # real seconds a socket may take to answer before the run fails


def _stream_waiting(reader_handle) -> bool:
    """Whether a coroutine awaits bytes on the socket this reader callback serves (an asyncio
    stream's ``StreamReader`` with a pending waiter)."""
    transport = getattr(getattr(reader_handle, "_callback", None), "__self__", None)
    stream = getattr(getattr(transport, "_protocol", None), "_stream_reader", None)
    waiter = getattr(stream, "_waiter", None)
    return waiter is not None and not waiter.done()


class _NeverWaitSelector(selectors.DefaultSelector):
    """A selector that never waits for time, and waits for a socket only while one is awaited."""

    loop: "VirtualEventLoop"

    def select(self, timeout=None):
        if timeout is not None and timeout <= 0:
            return super().select(0)
        if any(self.loop.sockets_in_flight()):
            events = super().select(SOCKET_PATIENCE)
            if events:
                return events
            raise VirtualTimeError(f"a socket gave no answer in {SOCKET_PATIENCE:g} real seconds")
        raise VirtualTimeError("the event loop would wait in real time: a coroutine awaits something "
                               "that only the passing of time can bring")


class VirtualEventLoop(asyncio.SelectorEventLoop):
    """An asyncio loop on virtual time that never sleeps, and waits only for sockets under way."""

    def __init__(self, clock: VirtualClock):
        selector = _NeverWaitSelector()
        super().__init__(selector)
        selector.loop = self
        self.clock = clock

    def time(self) -> float:
        # Seconds since the clock started: small numbers keep the loop's
        # 1 ns resolution meaningful (near 1.7e9 a float steps by 2.4e-7).
        return self.clock.elapsed / 1_000_000

    def call_at(self, when, callback, *args, context=None):
        handle = super().call_at(when, callback, *args, context=context)
        self.clock.call_at(self.clock.start + round(when * 1_000_000), self.pump, "asyncio timer")
        return handle

    def run_until_complete(self, future):
        # Inside Jupyter (or any async caller) another loop is already running on
        # this thread; step it aside while the virtual loop runs, then put it back.
        outer = asyncio._get_running_loop()
        asyncio._set_running_loop(None)
        try:
            result = super().run_until_complete(future)
            self._settle()
            return result
        finally:
            asyncio._set_running_loop(outer)

    def pump(self) -> None:
        """Run what is ready now (timers due included), and let the socket exchanges it starts finish."""
        if not self.is_running():
            self.run_until_complete(asyncio.sleep(0))

    def sockets_in_flight(self) -> tuple[list, list]:
        """The sockets an exchange is under way on: (awaited for reading, connecting or writing)."""
        reading, writing = [], []
        for key in self._selector.get_map().values():
            if key.fd == self._ssock.fileno():
                continue
            reader, writer = key.data
            if writer is not None:
                writing.append(key.fd)
            if reader is not None and _stream_waiting(reader):
                reading.append(key.fd)
        return reading, writing

    def _settle(self) -> None:
        """Run the loop until no socket exchange is under way and nothing it woke is left to run: a
        background task's reply (an availability check's, say) lands before virtual time moves on,
        never at a real instant."""
        while True:
            reading, writing = self.sockets_in_flight()
            if reading or writing:
                if not any(select.select(reading, writing, [], SOCKET_PATIENCE)[:2]):
                    raise VirtualTimeError(f"a socket gave no answer in {SOCKET_PATIENCE:g} real seconds")
            elif not self._ready:
                return
            super().run_until_complete(asyncio.sleep(0))
