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

from ...errors import DriverError
from ...replay.clock import VirtualClock
from ...replay.play import play
from ...replay.recording import LAYOUTS, Recording
from ...replay.source import SimulatedDataSource, SourceSteps
from ...vocabulary.model import Scenario, StoreConfig
from ...vocabulary.values import ErrorInfo
from ..registry import Availability
from .process import DriverProcess


class Session:
    """One scenario on one driver: commands out, rows into the recording."""

    def __init__(self, driver: DriverProcess, recording: Recording):
        self.driver = driver
        self.recording = recording

    def call(self, command: dict) -> dict:
        return self.driver.call(command, self._row)

    def _row(self, message: dict) -> None:
        frame = message.get("row")
        layout = LAYOUTS.get(frame)
        if layout is None or "t" not in message:
            raise DriverError(f"{self.driver.name}: protocol error: a row of unknown frame {frame!r}: {message!r}")
        try:
            values = tuple(message[column] for column in layout.values)
        except KeyError as e:
            raise DriverError(f"{self.driver.name}: protocol error: a {frame} row without {e}: {message!r}") from None
        self.recording.add_at(frame, message["t"], values)


class ProtocolPort:
    """The driver's sink in the kit's terms. A write returns the sink's bool: false means a store error."""

    compares_by_value = True
    reports_records = True  # each write's reply carries the stored record before and after it

    def __init__(self, session: Session):
        self.session = session

    @staticmethod
    def _result(reply: dict) -> tuple:
        return reply["ok"], reply.get("before"), reply.get("after")

    def init(self, data):
        return self._result(self.session.call({"op": "init", "data": data}))

    def upsert(self, kind, item):
        return self._result(self.session.call({"op": "upsert", "kind": kind, "key": item["key"],
                                               "version": item["version"], "item": item}))

    def delete(self, kind, key, version):
        return self._result(self.session.call({"op": "delete", "kind": kind, "key": key, "version": version}))

    def update_status(self, state: str, error: ErrorInfo | None):
        self.session.call({"op": "status", "state": state, "error": None if error is None else error.to_data()})

    def peek(self, kind, key):
        return self.session.call({"op": "peek", "kind": kind, "key": key})["record"]


class ProtocolWorld(SourceSteps):
    """The source's steps, and the others sent to the driver."""

    def __init__(self, session: Session, source: SimulatedDataSource):
        self.session = session
        self.source = source

    def on_listen(self, action) -> None:
        self.session.call({"op": "listen", "on": action.on})

    def on_store_down(self, action) -> None:
        self.session.call({"op": "store_down", "fail": sorted(action.fail), "available": action.available,
                           "message": action.message})

    def on_store_up(self, action) -> None:
        self.session.call({"op": "store_up"})

    def on_evaluate(self, action) -> None:
        self.session.call({"op": "evaluate", "flag": action.flag, "context": action.context,
                           "default": action.default})


def store_setting(store: StoreConfig) -> dict:
    """The scenario's store as the driver takes it (``cache_ttl`` in microseconds, or ``forever``)."""
    forever = store.cache_ttl == "forever"
    return {"type": store.type, "cache_ttl": None if forever else store.cache_ttl, "forever": forever}


class DriverTarget:
    """A target whose runs happen in a driver process, reused across scenarios.

    Subclasses say how to start the driver (:meth:`command`) and whether it can
    run here (:meth:`availability`).
    """

    world = ProtocolWorld
    timeout = 60.0  # seconds a driver may take to answer one command before it counts as hung
    scenarios_per_driver = 400  # then a fresh process (a driver may leak a little per scenario)

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self._driver: DriverProcess | None = None
        atexit.register(self.stop)

    def availability(self) -> Availability:
        return Availability(True)

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
        recording = Recording(clock.read)
        driver = self.driver()
        driver.scenarios += 1
        session = Session(driver, recording)
        try:
            session.call({"op": "begin", "start": clock.now, "store": store_setting(scenario.store),
                          "outage_log_after": scenario.outage_log_after, "listen": scenario.listen})
            clock.follow(lambda micros: session.call({"op": "advance", "to": micros}))
            world = self.world(session, SimulatedDataSource(ProtocolPort(session), recording, clock))
            play(scenario, clock, recording, world)
            recording.step = len(scenario.steps)
            reply = session.call({"op": "end"})
        except DriverError as e:
            self.stop()
            e.partial = recording
            raise
        except BaseException:
            self.stop()  # the driver is mid-scenario: the next run gets a fresh one
            raise
        recording.store.extend(tuple(row) for row in reply.get("store") or ())
        recording.closed = True
        return recording
