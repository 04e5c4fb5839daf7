"""The simulated source's reaction to the store coming back, as the SDKs' own streaming sources react.

What each SDK's own streaming data source does when its persistent store is
reported available again after an outage (read in each SDK's source):

- **Go** (go-server-sdk v7.14.6 and v6.2.1, every release from v6.0.0 and v7.0.0 alike:
  ``internal/datasource/streaming_data_source.go``): ``StreamProcessor.Start`` listens to the data
  store status when the store monitors it (``IsStatusMonitoringEnabled``: every persistent store);
  ``StreamProcessor.consumeStream``, on a status that is ``Available`` with ``NeedsRefresh``, logs
  "Restarting stream to refresh data after data store outage" and calls ``stream.Restart()``.
  ``NeedsRefresh`` is set unless an infinite cache has written itself back (the kit's ``stale``).
  eventsource's ``Stream.Restart`` (v1.10.0, ``stream.go``) drops the connection without
  reporting an error (so no INTERRUPTED) and connects again after its retry delay (1 s at first, with
  jitter); the server's first message on the new connection is a ``put`` of its whole current data,
  which ``consumeStream`` hands to ``Init`` and follows with ``UpdateStatus(VALID)``.
- **Python** (launchdarkly-server-sdk 9.x FDv1: ``ldclient/impl/datasource/streaming.py``,
  ``StreamingUpdateProcessor``, and ``ldclient/impl/datasource/async_streaming.py``,
  ``AsyncStreamingUpdateProcessor``): neither listens to the data store status, and the FDv1
  data systems (``ldclient/impl/datasystem/fdv1.py``, ``async_fdv1.py``) wire no listener for it:
  nothing happens. (Python's store wrapper never reports ``stale`` either.)
- **Node** (@launchdarkly/js-server-sdk-common 2.x, ``src/data_sources/StreamingProcessor.ts``,
  ``StreamingProcessor``): the FDv1 client has no data store status at all: nothing happens.

Not modelled: Go's source also restarts the stream after any failed write when its store has no
status monitoring (its in-memory store, which never fails outside the kit: "scenario 2b" in the
file's comment), reports VALID after every event it handled even when the store failed the write
("2a": the sink's INTERRUPTED is at once followed by VALID), and on a recovery that needs no
refresh marks itself initialized (``setInitializedAndNotifyClient``). The Python SDK's FDv2 data
system (not the FDv1 one the kit runs) writes its known data back to a recovered store.

The scenario's ``source.on_store_recovery`` (:class:`~harness.vocabulary.model.SourceConfig`) picks
the reaction; each target's default is its SDK's own (the target's ``store_recovery``). This module
says when to react: :class:`StoreRecovery` judges the store status rows and makes the restart from
the sink primitives (an ``init``, then a ``status`` VALID with ``if_ok``), on any target. A driver
that says it can (``reacts: [store_recovery]`` in its hello: the Go and Python drivers) is given the same rule
as a standing order instead (:class:`OrderedRestart`), and judges the rows where they happen. A
target whose SDK reports no store status (Node's FDv1 client: its hello says so) never sees the
store come back, so its source has no reaction at all.

**Seeing the store's status in time.** In process, the SDK reports each store status to the
recording as it happens, on the virtual clock, and the restart is scheduled ``restart_after`` after
it. A driver in another process answers in batches, so its rows arrive late: they are held and
judged at *looks* (every answer taken in first), and a look is made (1) whenever the kit's own store
faults change while a row that matters may be on its way (see (3)), (2) before the source's connection changes (a disconnect, a reconnect, a stop), so a
row is judged in the state the source was in at its time, and (3) every ``restart_after`` while a
recovery can come: the store answers its availability check, and it was last reported unavailable, or
it is faulty and something touched it since the last look (a write or an evaluation: the SDKs' store
wrappers find a store unavailable only when an operation on it fails, and only then start polling).
A recovery at ``t`` is then judged by ``t + restart_after``, and the restart happens at the same
virtual instant as in process. Outside those windows no look costs a round trip; a driver that takes
the standing order needs no look at all, and records the same rows (``benchmarks/bench_explore.py``
prints the round trips a generated scenario costs).
"""

from __future__ import annotations

from typing import Any, Protocol

from .clock import Timer, VirtualClock
from .recording import Recording


class Restartable(Protocol):
    """What the reaction needs of the source (:class:`~harness.replay.source.SimulatedDataSource`)."""

    recording: Recording
    clock: VirtualClock
    pipelined: bool  # its port answers in batches (and has ``flush()``)
    port: Any
    connected: bool  # its stream is up

    def restart_at(self, due: int) -> None: ...


class Ordering(Restartable, Protocol):
    """What an ordered restart needs more: a place to record the calls the driver made."""

    def made(self, message: dict, step: int) -> None: ...


class StoreRecovery:
    """Watches the store status the SDK reports, and restarts ``source``'s stream when ``mode``
    (``restart``, or ``restart_if_stale``) says so, ``delay`` microseconds after the recovery."""

    def __init__(self, source: Ordering, mode: str, delay: int):
        self.source = source
        self.mode = mode
        self.delay = delay
        self.down = False      # the last store status judged said unavailable
        self.faulted = False   # one of the kit's store faults is on
        self.answers = True    # the store answers its availability check
        self.touched = False   # an operation reached the faulty store since the last look
        self._held: list[tuple[int, bool, bool]] = []  # a pipelined port's rows, until the next look
        self._next_look: Timer | None = None
        source.recording.on_store_status = self.seen

    def seen(self, t: int, available: bool, stale: bool) -> None:
        """A store status row, at virtual time ``t`` (the recording calls this)."""
        if self.source.pipelined:
            self._held.append((t, available, stale))
        else:
            self._judge(t, available, stale)

    def _judge(self, t: int, available: bool, stale: bool) -> None:
        recovered = available and self.down
        self.down = not available
        if recovered and (self.mode == "restart" or stale):
            self.source.restart_at(t + self.delay)

    # -- a pipelined port: judged at looks -------------------------------------------------

    def store_faults(self, faulted: bool, answers: bool) -> None:
        """The kit's store faults changed: ``faulted`` (a store_down is on), and whether the store
        ``answers`` its availability check (a pipelined world says so; see the module's docstring)."""
        if self._owes_rows():
            self.look()
        else:
            self._judge_held()
        self.faulted, self.answers = faulted, answers
        self._watch()

    def touch(self) -> None:
        """A write or an evaluation is on its way to the store (a pipelined port's world says so): while
        the store is faulty, it may fail and make the SDK report the store unavailable."""
        if self.faulted and not self.touched:
            self.touched = True
            self._watch()

    def settle(self) -> None:
        """Judge every row up to now, before the source's connection changes (a round trip only while a
        recovery can come: otherwise the rows held can hold none)."""
        if self._next_look is not None:
            self.look()

    def _owes_rows(self) -> bool:
        """Whether a store status row that matters may still be on its way: a recovery, while the
        store was last reported down, or an outage, while it is faulty and was touched since the
        last look. Otherwise the store was last seen available and nothing can have made the SDK
        think otherwise, so a change in the faults needs no round trip."""
        return self.down or (self.faulted and self.touched)

    def look(self) -> None:
        """Take in every answer the port owes, and judge the rows held."""
        if not self.source.pipelined:
            return
        self.source.port.flush()
        self._judge_held()
        self.touched = False  # what it did to the store is in the rows just judged
        self._watch()

    def _judge_held(self) -> None:
        held, self._held = self._held, []
        for row in held:
            self._judge(*row)

    def _watch(self) -> None:
        """Look again ``delay`` from now while a recovery can come; stop looking when none can."""
        watching = self.source.pipelined and self.answers and self._owes_rows()
        if watching and self._next_look is None:
            self._next_look = self.source.clock.call_later(self.delay, self._look_again, "store status look")
        elif not watching and self._next_look is not None:
            self._next_look.cancel()
            self._next_look = None

    def _look_again(self) -> None:
        self._next_look = None
        self.look()

    def connection(self, up: bool) -> None:
        """The source's stream went down or came up (``restart_at`` reads that from the source)."""

    def close(self) -> None:
        if self._next_look is not None:
            self._next_look.cancel()
            self._next_look = None


class OrderedRestart:
    """The same reaction, carried out by a driver that says it can (``reacts: [store_recovery]`` in its
    hello): the kit orders it (``recovery``: the mode and delay) while the stream is up, and orders it
    off while the stream is down; an order, or a resent ``init`` (the stream came back), replaces a
    restart already scheduled, as the source's connection changes do. The driver sees each store
    status where the SDK reports it, judges it as
    :meth:`StoreRecovery._judge` does, and makes the restart at its instant (an ``init`` of the view
    it kept from the source's own writes, then ``VALID`` if it landed), telling the kit of each call
    (a ``made`` message, recorded by ``source.made``). So no look costs a round trip."""

    def __init__(self, source: Ordering, mode: str, delay: int):
        self.source = source
        self.mode = mode
        self.delay = delay
        source.recording.on_store_status = None
        self.up: bool | None = None  # the order last sent: on (True) or off
        self.connection(source.connected)

    def connection(self, up: bool) -> None:
        if up != self.up:  # (a reconnect of a stream that is up resends its data, which the driver sees)
            self.up = up
            self.source.port.recovery(self.mode if up else None, self.delay, self.source.made)

    def store_faults(self, faulted: bool, answers: bool) -> None:
        """Nothing to do: the driver watches the store itself."""

    def touch(self) -> None:
        """Nothing to do: the driver watches the store itself."""

    def settle(self) -> None:
        """Nothing to do: the driver's order changes with the connection, in the commands' order."""

    def close(self) -> None:
        """Nothing to do: the scenario's end ends the order."""
