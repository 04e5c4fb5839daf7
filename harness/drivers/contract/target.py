"""The ``contract`` target: the scenario replayed on the contract model (no SDK). Pure."""

from __future__ import annotations

import contextlib
from typing import Iterator

from ...replay.clock import VirtualClock
from .model import ContractSink, DataSourceStatus
from .store import ModelStore
from .evaluation import evaluate
from ...replay.faults import Faults
from ...vocabulary.model import ErrorInfo, Scenario
from ...replay.recording import Recording
from ...replay.source import SimulatedDataSource, SourceSteps
from ...replay.play import play
from ..registry import Availability, store_refusal


class ContractPort:
    """The model sink in the kit's terms; reports failure by returning False."""

    def __init__(self, sink: ContractSink, store: ModelStore):
        self.sink = sink
        self.store = store

    def init(self, data):
        return self.sink.init(data)

    def upsert(self, kind, item):
        return self.sink.upsert(kind, item)

    def delete(self, kind, key, version):
        return self.sink.delete(kind, key, version)

    def status(self, state: str, error: ErrorInfo | None):
        self.sink.update_status(state, error)

    def peek(self, kind, key):
        return self.store.peek(kind, key)


class ContractWorld(SourceSteps):
    """The source's steps, and the others done on the model."""

    def __init__(self, sink: ContractSink, store: ModelStore, source: SimulatedDataSource, faults: Faults,
                 recording: Recording):
        self.source = source
        self.sink = sink
        self.store = store
        self.faults = faults
        self.recording = recording

    def on_listen(self, action) -> None:
        self.sink.listening = action.on

    def on_store_down(self, action) -> None:
        self.faults.down = action

    def on_store_up(self, action) -> None:
        self.faults.down = None

    def final_store(self):
        return [(kind, key, record["version"], bool(record.get("deleted", False)))
                for kind in ("flags", "segments") for key, record in self.store.data[kind].items()]

    def on_evaluate(self, action) -> None:
        if not self.store.is_initialized():
            value, reason = action.default, "ERROR:CLIENT_NOT_READY"
        else:
            value, reason = evaluate(self.store.get, action.flag, action.context, action.default)
        self.recording.evaluation(action.flag, action.context, value, reason)


def record_status(recording: Recording, status: DataSourceStatus) -> None:
    recording.status(status.state, status.since, status.error)


class ContractTarget:
    """Replays a scenario on the executable contract model."""

    name = "contract"
    description = "the executable model of the documented DataSourceUpdateSink contract (Go SDK semantics)"
    world = ContractWorld
    # The documented contract is silent on it; the model follows Go: restart when the store comes back
    # saying it needs refresh (see harness.replay.reactions).
    store_recovery = "restart_if_stale"
    reads_wall_clock = False  # its time is the virtual clock alone (see harness.runs.runner)

    def availability(self) -> Availability:
        return Availability(True, "the kit's own model (harness.drivers.contract)")

    def not_ready_for(self, scenario: Scenario) -> str:
        """It models the memory and persistent stores, and Redis as a persistent store whose every operation fails in an outage."""
        return store_refusal(self.name, scenario.store.type, ("memory", "persistent", "redis"))

    def world_type(self) -> type:
        return self.world

    def run(self, scenario: Scenario, clock: VirtualClock) -> Recording:
        return play(scenario, clock, lambda recording: self.open_world(scenario, clock, recording))

    @contextlib.contextmanager
    def open_world(self, scenario: Scenario, clock: VirtualClock, recording: Recording) -> Iterator[ContractWorld]:
        faults = Faults()
        store = ModelStore(faults, clock, persistent=scenario.store.cached,
                           cache_ttl=scenario.store.cache_ttl, on_status=recording.store_status, log=recording.log)
        sink = ContractSink(store, clock, on_status=lambda s: record_status(recording, s),
                            on_change=recording.change, log=recording.log,
                            outage_log_after=scenario.outage_log_after)
        record_status(recording, sink.status)
        recording.store_status(True, False)
        source = SimulatedDataSource(recording, clock, ContractPort(sink, store),
                                     scenario.source.resolved(self.store_recovery))
        sink.listening = scenario.listen
        yield self.world(sink, store, source, faults, recording)
        source.close()
