"""The ``sdk`` target: a real ``LDClient`` with the simulated source plugged in.

The client is built with ``Config(update_processor_class=...)`` and events off,
so the SDK's FDv1 data system wires the real ``DataSourceUpdateSinkImpl`` over
its store wrapper, status providers and flag tracker, and hands the sink to
the source as ``config.data_source_update_sink``. The recorder listens where a
user would: the data source and data store status providers and the flag
tracker; ``evaluate`` goes through ``variation_detail``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Iterator

from ldclient.client import LDClient
from ldclient.config import Config
from ldclient.context import Context
from ldclient.interfaces import DataSourceErrorInfo, DataSourceErrorKind, DataSourceState, DataSourceStatus
from ldclient.versioned_data_kind import FEATURES, SEGMENTS

from ...replay.clock import VirtualClock
from ...replay.play import play
from ...replay.recording import Recording, seconds_to_micros
from ...replay.source import SimulatedDataSource, SinkRaised, SourceSteps, into_sink
from ...vocabulary.model import ErrorInfo, Listen, Scenario, StoreConfig, StoreDown
from .door import STORE_RECOVERY, sync_sdk
from .sandbox import sdk_sandbox
from .stores import KIND_BY_NAME, Faults, FaultyMemoryStore, MemoryStore, make_store

SDK_KEY = "harness-simulated-sdk-key"


def sdk_error(error: ErrorInfo | None) -> DataSourceErrorInfo | None:
    """The SDK's error info for a scenario's error, stamped with the (virtual) time."""
    if error is None:
        return None
    return DataSourceErrorInfo(DataSourceErrorKind[error.kind], error.status_code, time.time(), error.message)


class SdkPort:
    """The SDK's sink, spoken to in the kit's terms."""

    def __init__(self, sink, peeker):
        self.sink = sink
        self.peek = peeker.peek  # by the kit's kind names
        self.compares_by_value = getattr(peeker, "compares_by_value", False)  # a fresh record a read

    # Calls a sink method (see into_sink); the async port also runs the coroutine it returns.
    _call = staticmethod(into_sink)

    def init(self, data):
        self._call(self.sink.init, {KIND_BY_NAME[kind]: items for kind, items in data.items()})

    def upsert(self, kind, item):
        self._call(self.sink.upsert, KIND_BY_NAME[kind], item)

    def delete(self, kind, key, version):
        self._call(self.sink.delete, KIND_BY_NAME[kind], key, version)

    def status(self, state: str, error: ErrorInfo | None):
        into_sink(self.sink.update_status, DataSourceState[state], sdk_error(error))


def log_task_failure(label: str, error: BaseException) -> None:
    """What the SDK's RepeatingTask logs when its callback raises."""
    sync_sdk().task_log.exception("Unexpected exception on worker thread: %s" % error)


def record_status(recording: Recording, status: DataSourceStatus) -> None:
    error = status.error
    recording.status(
        status.state.name,
        seconds_to_micros(status.since),
        None if error is None else (error.kind.name, error.status_code, error.message,
                                    seconds_to_micros(error.time)))


def reason_of(detail) -> str:
    reason = detail.reason or {}
    kind = reason.get("kind", "UNKNOWN")
    return f"ERROR:{reason.get('errorKind')}" if kind == "ERROR" else kind


class _LogCapture(logging.Handler):
    def __init__(self, recording: Recording):
        super().__init__(logging.INFO)
        self.recording = recording
        self.muted = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.muted:
            self.recording.log(record.levelname, record.getMessage())

    @contextlib.contextmanager
    def mute(self) -> Iterator[None]:
        self.muted = True
        try:
            yield
        finally:
            self.muted = False


@contextlib.contextmanager
def capture_sdk_logs(recording: Recording) -> Iterator[_LogCapture]:
    """Record the SDK's log lines (INFO and up) instead of printing them."""
    logger = logging.getLogger("ldclient")
    handler = _LogCapture(recording)
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


class SdkWorld(SourceSteps):
    """The source's steps, and the others done on a real client."""

    def __init__(self, client: LDClient, source: SimulatedDataSource, faults: Faults, recording: Recording,
                 peeker: Any):
        self.source = source
        self.client = client
        self.faults = faults
        self.recording = recording
        self.peeker = peeker
        self.listening = False

    def final_store(self) -> list[tuple[str, str, int, bool]]:
        every = self.peeker.records()
        return [(name, key, record["version"], bool(record.get("deleted", False)))
                for name, kind in (("flags", FEATURES), ("segments", SEGMENTS)) for key, record in every[kind].items()]

    def on_listen(self, action) -> None:
        if action.on and not self.listening:
            self.client.flag_tracker.add_listener(self.recording.change_event)
        elif not action.on and self.listening:
            self.client.flag_tracker.remove_listener(self.recording.change_event)
        self.listening = action.on

    def on_store_down(self, action) -> None:
        self.faults.down = action

    def on_store_up(self, action) -> None:
        self.faults.down = None

    def variation_detail(self, action):
        return self.client.variation_detail(action.flag, Context.create(action.context), action.default)

    def on_evaluate(self, action) -> None:
        try:
            detail = into_sink(self.variation_detail, action)
        except SinkRaised as e:  # the client let an exception escape: record it, do not crash the run
            cause = e.cause
            self.recording.evaluation(action.flag, action.context, None, f"RAISED:{type(cause).__name__}: {cause}")
            return
        self.recording.evaluation(action.flag, action.context, detail.value, reason_of(detail))

    def close(self) -> None:
        if self.listening:
            self.client.flag_tracker.remove_listener(self.recording.change_event)
            self.listening = False


def watch_status(client, recording: Recording, stack: contextlib.ExitStack) -> None:
    """Record the initial statuses, then listen where a user would (removed on exit)."""
    record_status(recording, client.data_source_status_provider.status)
    store_status = client.data_store_status_provider.status
    recording.store_status(store_status.available, store_status.stale)
    status_provider = client.data_source_status_provider
    status_listener = lambda status: record_status(recording, status)  # noqa: E731
    status_provider.add_listener(status_listener)
    stack.callback(status_provider.remove_listener, status_listener)
    store_provider = client.data_store_status_provider
    store_listener = lambda status: recording.store_status(status.available, status.stale)  # noqa: E731
    store_provider.add_listener(store_listener)
    stack.callback(store_provider.remove_listener, store_listener)


class UpdateProcessor:
    """The simulated source as the SDK sees a data source (``update_processor_class``): the steps
    drive it, so starting does nothing, and stopping (``LDClient.close()``) cancels a pending reconnect."""

    def __init__(self, source: SimulatedDataSource):
        self.source = source

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.source.close()

    def initialized(self) -> bool:
        return self.source.initialized


def run(scenario: Scenario, clock: VirtualClock) -> Recording:
    """Replay a scenario through the SDK's real ``LDClient`` (FDv1): the ``sdk`` target's run."""
    return play(scenario, clock, lambda recording: open_world(scenario, clock, recording))


@contextlib.contextmanager
def open_world(scenario: Scenario, clock: VirtualClock, recording: Recording) -> Iterator[SdkWorld]:
    """A real client over the scenario's store, its data source the simulated one; closed after."""
    # A store no step takes down needs no fault check on every operation.
    memory_store = FaultyMemoryStore if StoreDown in scenario.action_kinds else MemoryStore
    source = SimulatedDataSource(recording, clock, settings=scenario.source.resolved(STORE_RECOVERY))
    with open_client(scenario.store, clock, recording, source, scenario.listen, memory_store) as world:
        yield world


@contextlib.contextmanager
def open_client(store_config: StoreConfig, clock: VirtualClock, recording: Recording, source: Any, listen: bool,
                memory_store: type = FaultyMemoryStore) -> Iterator[SdkWorld]:
    """A real client over a store of that setting, on the virtual clock, whose data source hands the
    SDK's sink to ``source`` (``source.attach(port, ready)``, as :class:`SimulatedDataSource` takes
    it); closed after. The in-process run and the Python driver (:mod:`.driver`) share it."""
    store, faults, peeker = make_store(store_config, memory_store)
    recording.scrub = getattr(peeker, "scrub", None)

    def data_source(config: Config, _store: Any, ready) -> UpdateProcessor:
        source.attach(SdkPort(config.data_source_update_sink, peeker), ready)
        return UpdateProcessor(source)

    with contextlib.ExitStack() as stack:
        logs = stack.enter_context(capture_sdk_logs(recording))
        stack.enter_context(sdk_sandbox(clock, log_task_failure))
        config = Config(SDK_KEY, send_events=False, diagnostic_opt_out=True,
                        update_processor_class=data_source, feature_store=store)
        with logs.mute():
            # start_wait=0, as the steps drive the source: the client's start-up lines
            # ("not yet initialized") describe the kit's wiring, not the scenario.
            client = LDClient(config, start_wait=0)
        stack.callback(client.close)
        watch_status(client, recording, stack)
        world = SdkWorld(client, source, faults, recording, peeker)
        stack.callback(world.close)
        if listen:
            world.on_listen(Listen(True))
        yield world
