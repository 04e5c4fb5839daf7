"""A target run by a driver process that speaks the protocol (docs/driver-protocol.md).

The Python side keeps every bit of scenario meaning — the simulated source's
view of the data, reconnects resending it, ``at``/``after``/``wait`` — and
sends the driver timed low-level commands: sink calls, clock moves, store
faults, evaluations, the listener on or off, and the final store. The driver
answers with rows, which become the same :class:`Recording` as in-process
targets give. The run's virtual clock moves the driver's clock (``advance``),
so the SDK's own timers fire at the same virtual instants as the kit's.

A driver for another SDK joins by subclassing :class:`DriverTarget` with its
``command()`` and ``availability()``; nothing else on the Python side changes.
"""

from __future__ import annotations

import atexit
import contextlib
from typing import Iterator

from ...replay.clock import VirtualClock
from ...replay.play import play
from ...replay.recording import Recording
from ...replay.source import SimulatedDataSource, SourceSteps
from ...vocabulary.model import CACHE_FOREVER, Scenario, StoreConfig
from ...vocabulary.values import ErrorInfo
from ..redis import redis_environment
from ..registry import Availability, store_refusal
from .process import DriverProcess
from .session import Session


class ProtocolPort:
    """The driver's sink in the kit's terms, pipelined: each call is queued on the session and
    answered with its batch (see :class:`~harness.replay.source.PendingOp`)."""

    pipelined = True

    def __init__(self, session: Session):
        self.session = session
        #: The source's reactions the driver carries out itself when ordered (see harness.replay.reactions).
        self.reacts = session.driver.reacts
        #: The frames the driver's SDK cannot fill (with no store status, the store is never seen back).
        self.unavailable = session.driver.unavailable

    def init(self, data, pending, resend=False):
        command = {"op": "init", "data": data}
        if resend:  # the source resends its view: a driver that keeps the view for a restart leaves it be
            command["resend"] = True
        self.session.send(command, pending, items=sum(len(items) for items in data.values()))

    def upsert(self, kind, item, pending):
        self.session.send({"op": "upsert", "kind": kind, "key": item["key"], "version": item["version"],
                           "item": item}, pending)

    def delete(self, kind, key, version, pending):
        self.session.send({"op": "delete", "kind": kind, "key": key, "version": version}, pending)

    def status(self, state: str, error: ErrorInfo | None, pending, if_ok=None):
        command = {"op": "status", "state": state, "error": None if error is None else error.to_data()}
        if if_ok is not None:
            command["if_ok"] = if_ok.id
        self.session.send(command, pending)

    def recovery(self, mode: str | None, after: int, made) -> None:
        """Order the driver to restart the stream itself when the store comes back (``mode``, ``after``
        microseconds later), or (``mode`` None) to stop; each sink call it then makes goes to
        ``made(message, step)``."""
        self.session.on_made = made
        self.session.send({"op": "recovery", "mode": mode, "after": after})

    def flush(self) -> None:
        self.session.flush()


class ProtocolWorld(SourceSteps):
    """The source's steps, and the others sent to the driver. With a Redis store (``network``), the
    store's faults are the kit's to make on the network, once the driver has answered every
    command before them."""

    def __init__(self, session: Session, source: SimulatedDataSource, network=None):
        self.session = session
        self.source = source
        self.network = network

    def on_listen(self, action) -> None:
        self.session.send({"op": "listen", "on": action.on})

    def on_store_down(self, action) -> None:
        if self.network is not None:
            self.session.flush()
            self.network.set_down(True)
            self.source.store_faults(True, answers=False)  # its availability check meets the same network
            return
        self.session.send({"op": "store_down", "fail": sorted(action.fail), "available": action.available,
                           "message": action.message})
        self.source.store_faults(True, answers=action.available)

    def on_store_up(self, action) -> None:
        if self.network is not None:
            self.session.flush()
            self.network.set_down(False)
        else:
            self.session.send({"op": "store_up"})
        self.source.store_faults(False, answers=True)

    def on_evaluate(self, action) -> None:
        self.source.store_touched()
        self.session.send({"op": "evaluate", "flag": action.flag, "context": action.context,
                           "default": action.default})

    def fire_due_timers(self) -> None:
        """Have the driver fire the SDK's timers due now: ``advance`` to the present. (A driver whose
        SDK's timers run on the kit's own kind of clock needs this at each step's end, where ``play``
        fires the kit's; see ``end_step`` in :mod:`harness.replay.play`.)"""
        self.session.send({"op": "advance", "to": self.source.clock.now})

    def final_store(self) -> list:
        """Ends the scenario on the driver; its reply holds the store."""
        return self.session.call({"op": "end"})["store"]


def store_setting(store: StoreConfig, redis=None) -> dict:
    """The scenario's store as the driver takes it (``cache_ttl`` in microseconds, or ``infinite``; the
    persistent core's form of a tombstone; a Go store's ``core``; for Redis, where the client connects, where the server
    itself is, and the prefix)."""
    infinite = store.cache_ttl == CACHE_FOREVER
    setting = {"type": store.type, "cache_ttl": None if infinite else store.cache_ttl, "infinite": infinite,
               "tombstones": store.tombstones}
    if store.type == "go":
        setting["core"] = store.core  # the driver checks it was built with this store
    if redis is not None:
        setting.update(host=redis.host, port=redis.client_port, peek_port=redis.server.port, prefix=store.prefix or "")
    return setting


class DriverTarget:
    """A target whose runs happen in a driver process, reused across scenarios.

    Subclasses say how to start the driver (:meth:`command`) and whether it can
    run here (:meth:`availability`).
    """

    world = ProtocolWorld
    # What the SDK's own streaming source does when its store comes back (see harness.replay.reactions);
    # a subclass for an SDK whose source restarts says so.
    store_recovery = "nothing"
    reads_wall_clock = False  # its time is the virtual clock alone (see harness.runs.runner)
    store_types: tuple[str, ...] = ("memory", "persistent")  # the store types its driver builds
    timeout = 60.0  # seconds a driver may take to answer one command before it counts as hung
    scenarios_per_driver = 400  # then a fresh process (a driver may leak a little per scenario)

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self._driver: DriverProcess | None = None
        atexit.register(self.stop)

    def availability(self) -> Availability:
        return Availability(True)

    def not_ready_for(self, scenario: Scenario) -> str:
        """Why it cannot run this scenario ("" when it can): a store type its driver does not build."""
        return store_refusal(self.name, scenario.store.type, self.store_types)

    def command(self) -> list[str]:
        """The driver's command line."""
        raise NotImplementedError

    def world_type(self) -> type:
        return self.world

    def driver(self) -> DriverProcess:
        """The running driver, started when needed."""
        driver = self._driver
        if driver is not None and (not driver.alive or driver.scenarios >= self.scenarios_per_driver):
            self.stop()
            driver = None
        if driver is None:
            driver = DriverProcess(self.command(), self.name, timeout=self.timeout)
            self._driver = driver
        return driver

    def stop(self) -> None:
        """Stop the driver process, if one runs."""
        if self._driver is not None:
            self._driver.close()
            self._driver = None

    def run(self, scenario: Scenario, clock: VirtualClock) -> Recording:
        return play(scenario, clock, lambda recording: self.open_world(scenario, clock, recording))

    @contextlib.contextmanager
    def open_world(self, scenario: Scenario, clock: VirtualClock, recording: Recording) -> Iterator[ProtocolWorld]:
        redis = None
        if scenario.store.type == "redis":
            redis = redis_environment()
            redis.begin()
            recording.scrub = redis.scrub  # error texts name the proxy's port, which differs by process
        driver = self.driver()
        driver.scenarios += 1
        recording.unavailable = driver.unavailable
        session = Session(driver, recording)
        try:
            session.send({"op": "begin", "start": clock.now, "store": store_setting(scenario.store, redis),
                          "outage_log_after": scenario.outage_log_after, "listen": scenario.listen})
            clock.follow(lambda micros: session.send({"op": "advance", "to": micros}))
            source = SimulatedDataSource(recording, clock, ProtocolPort(session),
                                         scenario.source.resolved(self.store_recovery))
            yield self.world(session, source, redis)  # its final_store() ends the scenario on the driver
            source.close()
        except BaseException:
            self.stop()  # the driver is mid-scenario (or broken): the next run gets a fresh one
            raise
