"""The ``sdk-async`` target: the SDK's ``AsyncLDClient`` and ``AsyncDataSourceUpdateSinkImpl``.

The client runs on :class:`~.virtual_loop.VirtualEventLoop`, whose time is the
virtual clock and which never waits for time (it waits only for a socket an
exchange is under way on: a real Redis).
The simulated source is the same as the sync target's; its port awaits the
async sink's coroutines on the loop.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Iterator

from ldclient.async_client import AsyncLDClient
from ldclient.async_config import AsyncConfig
from ldclient.async_feature_store import AsyncInMemoryFeatureStore
from ldclient.async_feature_store_helpers import AsyncCachingStoreWrapper
from ldclient.context import Context
from ldclient.versioned_data_kind import FEATURES, SEGMENTS

from ...replay.clock import VirtualClock
from ...replay.faults import Faults
from ...replay.recording import Recording
from ...replay.play import play
from ...replay.source import SimulatedDataSource, into_sink
from ...vocabulary.model import Listen, Scenario, StoreConfig
from .door import STORE_RECOVERY, async_sdk
from .virtual_loop import VirtualEventLoop
from .sandbox import sdk_sandbox
from .stores import KIND_BY_NAME, FaultyCore, load_core, make_store, redis_store
from .sync import (SDK_KEY, SdkPort, SdkWorld, UpdateProcessor, capture_sdk_logs, log_task_failure,
                   watch_status)


# ----------------------------------------------------------------------------- stores

class FaultyAsyncMemoryStore(AsyncInMemoryFeatureStore):
    """The SDK's async in-memory store, failing the operations a fault names."""

    def __init__(self, faults: Faults):
        super().__init__()
        self.faults = faults
        self.peek = async_sdk().memory_peek(self, KIND_BY_NAME)

    async def get(self, kind, key):
        self.faults.check("get")
        return await super().get(kind, key)

    async def all(self, kind):
        self.faults.check("all")
        return await super().all(kind)

    async def init(self, all_data):
        self.faults.check("init")
        await super().init(all_data)

    async def delete(self, kind, key, version):
        self.faults.check("delete")
        return await super().delete(kind, key, version)

    async def upsert(self, kind, item):
        self.faults.check("upsert")
        return await super().upsert(kind, item)

    def records(self):
        items = async_sdk().memory_items(self)
        return {kind: dict(items.get(kind, {})) for kind in (FEATURES, SEGMENTS)}


class FaultyAsyncCore(FaultyCore):
    """:class:`~harness.drivers.python_sdk.stores.FaultyCore` with the async core's coroutine methods."""

    async def init_internal(self, all_data):
        super().init_internal(all_data)

    async def get_internal(self, kind, key):
        return super().get_internal(kind, key)

    async def get_all_internal(self, kind):
        return super().get_all_internal(kind)

    async def upsert_internal(self, kind, item):
        return super().upsert_internal(kind, item)

    async def initialized_internal(self):
        return super().initialized_internal()

    async def is_available(self):
        return self.faults.available


class FaultyAsyncUserCore:
    """A user's core for the async client, the kit's faults in front of each call: an
    ``AsyncFeatureStoreCore`` is awaited, and a sync ``FeatureStoreCore`` is called as it is (so one
    core serves both targets). Peeks run the core's own ``get_internal`` on the virtual loop."""

    compares_by_value = True

    def __init__(self, core: Any, faults: Faults, loop: "VirtualEventLoop"):
        self.core = core
        self.faults = faults
        self.loop = loop

    async def _call(self, op: str | None, method, *args):
        if op is not None:
            self.faults.check(op)
        answer = method(*args)
        return await answer if inspect.isawaitable(answer) else answer

    def _now(self, answer):
        return self.loop.run_until_complete(answer) if inspect.isawaitable(answer) else answer

    async def init_internal(self, all_data):
        return await self._call("init", self.core.init_internal, all_data)

    async def get_internal(self, kind, key):
        return await self._call("get", self.core.get_internal, kind, key)

    async def get_all_internal(self, kind):
        return await self._call("all", self.core.get_all_internal, kind)

    async def upsert_internal(self, kind, item):
        return await self._call("delete" if item.get("deleted") else "upsert", self.core.upsert_internal, kind, item)

    async def initialized_internal(self):
        return await self._call("get", self.core.initialized_internal)

    def peek(self, kind: str, key: str) -> Any:
        return self._now(self.core.get_internal(KIND_BY_NAME[kind], key))

    def records(self):
        return {kind: dict(self._now(self.core.get_all_internal(kind)) or {}) for kind in (FEATURES, SEGMENTS)}


class MonitoredAsyncUserCore(FaultyAsyncUserCore):
    """:class:`FaultyAsyncUserCore` for a core with an availability check."""

    async def is_available(self):
        return self.faults.available and bool(await self._call(None, self.core.is_available))


def make_async_store(config: StoreConfig, loop: "VirtualEventLoop") -> tuple[Any, Faults, Any]:
    def users(spec: str, faults: Faults) -> FaultyAsyncUserCore:
        core = load_core(spec)()
        monitored = callable(getattr(core, "is_available", None))
        return (MonitoredAsyncUserCore if monitored else FaultyAsyncUserCore)(core, faults, loop)

    return make_store(config, FaultyAsyncMemoryStore, FaultyAsyncCore, AsyncCachingStoreWrapper, users,
                      lambda redis: redis_store(redis, asynchronous=True))


# ----------------------------------------------------------------------------- the target

class AsyncSdkPort(SdkPort):
    """The async sink in the kit's terms: each data call's coroutine runs on the virtual loop."""

    def __init__(self, sink, peeker, loop: VirtualEventLoop):
        super().__init__(sink, peeker)
        self.loop = loop

    def _call(self, method, *args):
        return into_sink(lambda: self.loop.run_until_complete(method(*args)))


class AsyncUpdateProcessor(UpdateProcessor):
    """The simulated source as the async client sees a data source."""

    async def stop(self) -> None:  # type: ignore[override]
        self.source.close()


class AsyncSdkWorld(SdkWorld):
    def __init__(self, client, source, faults, recording, peeker, loop: VirtualEventLoop):
        super().__init__(client, source, faults, recording, peeker)
        self.loop = loop

    def variation_detail(self, action):
        context = Context.create(action.context)
        return self.loop.run_until_complete(self.client.variation_detail(action.flag, context, action.default))


def run(scenario: Scenario, clock: VirtualClock) -> Recording:
    """Replay a scenario through the SDK's AsyncLDClient on a virtual-time event loop: ``sdk-async``'s run."""
    return play(scenario, clock, lambda recording: open_world(scenario, clock, recording))


@contextlib.contextmanager
def open_world(scenario: Scenario, clock: VirtualClock, recording: Recording) -> Iterator[AsyncSdkWorld]:
    """A real async client over the scenario's store on a virtual-time loop; closed after."""
    source = SimulatedDataSource(recording, clock, settings=scenario.source.resolved(STORE_RECOVERY))
    with open_client(scenario.store, clock, recording, source, scenario.listen) as world:
        yield world


@contextlib.contextmanager
def open_client(store_config: StoreConfig, clock: VirtualClock, recording: Recording, source: Any,
                listen: bool) -> Iterator[AsyncSdkWorld]:
    """:func:`.sync.open_client` for the async client: its data source hands the async sink to
    ``source`` (``source.attach(port, ready)``). The in-process run and the Python driver share it."""
    loop = VirtualEventLoop(clock)

    def data_source(config, _store, ready) -> AsyncUpdateProcessor:
        source.attach(AsyncSdkPort(config.data_source_update_sink, peeker, loop), ready)
        return AsyncUpdateProcessor(source)

    with contextlib.ExitStack() as stack:
        stack.callback(loop.close)
        store, faults, peeker = make_async_store(store_config, loop)
        logs = stack.enter_context(capture_sdk_logs(recording))
        stack.enter_context(sdk_sandbox(clock, log_task_failure))
        config = AsyncConfig(SDK_KEY, send_events=False, diagnostic_opt_out=True,
                             update_processor_class=data_source, feature_store=store)
        with logs.mute():
            client = AsyncLDClient(config)
            loop.run_until_complete(client.start(start_wait=0))
        stack.callback(lambda: loop.run_until_complete(client.close()))
        watch_status(client, recording, stack)
        world = AsyncSdkWorld(client, source, faults, recording, peeker, loop)
        stack.callback(world.close)
        if listen:
            world.on_listen(Listen(True))
        yield world
