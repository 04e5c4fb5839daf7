"""Stores with injectable faults, built from the SDK's own store code.

- ``memory``: the SDK's ``InMemoryFeatureStore``, with a fault check in front of
  each operation. It has no availability check, as in the SDK, so the store
  status provider never reports it down.
- ``persistent``: :class:`FaultyCore` (a ``FeatureStoreCore`` over a dict) inside
  the SDK's real ``CachingStoreWrapper``, so caching, availability monitoring
  and the store status provider are the SDK's own behaviour.
- ``python``: a user's ``FeatureStoreCore`` (``core: "module:callable"``) inside
  the same wrapper, with the kit's faults in front of it (:class:`FaultyUserCore`).

Each offers ``peek(kind, key)`` (``kind`` by the kit's name, ``"flags"``): the
stored record itself, tombstones included, read past the faults and the cache. The kit reads operation outcomes from it.
A user's core is peeked through its own ``get_internal``, unwrapped: it may hand back a fresh
record each time, so its outcomes are judged by value (``compares_by_value``).
"""

from __future__ import annotations

import importlib
import inspect
import json
from typing import Any, Callable, Mapping

from ldclient.feature_store import CacheConfig, InMemoryFeatureStore
from ldclient.feature_store_helpers import CachingStoreWrapper
from ldclient.versioned_data_kind import FEATURES, SEGMENTS, VersionedDataKind

from ...errors import UsageError
from ...replay.faults import Faults
from ...vocabulary.model import CACHE_FOREVER, GIVEN_CORES, StoreConfig
from .door import sync_sdk

KIND_BY_NAME: dict[str, VersionedDataKind] = {"flags": FEATURES, "segments": SEGMENTS}


class MemoryStore(InMemoryFeatureStore):
    """The SDK's in-memory store as it is, for a scenario that never takes the store down."""

    def __init__(self, faults: Faults):
        super().__init__()
        self.faults = faults
        self.peek = sync_sdk().memory_peek(self, KIND_BY_NAME)

    def records(self) -> Mapping[VersionedDataKind, Mapping[str, Any]]:
        items = sync_sdk().memory_items(self)
        return {kind: dict(items.get(kind, {})) for kind in (FEATURES, SEGMENTS)}


class FaultyMemoryStore(MemoryStore):
    """The SDK's in-memory store, failing the operations a fault names."""

    def get(self, kind, key, callback=lambda x: x):
        self.faults.check("get")
        return super().get(kind, key, callback)

    def all(self, kind, callback):
        self.faults.check("all")
        return super().all(kind, callback)

    def init(self, all_data):
        self.faults.check("init")
        super().init(all_data)

    def delete(self, kind, key, version):
        self.faults.check("delete")
        super().delete(kind, key, version)

    def upsert(self, kind, item):
        self.faults.check("upsert")
        super().upsert(kind, item)


class FaultyCore:
    """A ``FeatureStoreCore`` over a dict, with faults and an availability answer.

    Implements the version rule as a database integration does: an upsert
    (a delete is an upsert of a tombstone) writes only over a lower version,
    and returns what is stored afterwards.
    """

    def __init__(self, faults: Faults):
        self.faults = faults
        self.data: dict[VersionedDataKind, dict[str, dict]] = {FEATURES: {}, SEGMENTS: {}}
        self.inited = False

    def init_internal(self, all_data):
        self.faults.check("init")
        self.data = {FEATURES: {}, SEGMENTS: {}}
        for kind, items in all_data.items():
            self.data[kind] = {key: dict(item) for key, item in items.items()}
        self.inited = True

    def get_internal(self, kind, key):
        self.faults.check("get")
        return self.data[kind].get(key)

    def get_all_internal(self, kind):
        self.faults.check("all")
        return dict(self.data[kind])

    def upsert_internal(self, kind, item):
        self.faults.check("delete" if item.get("deleted") else "upsert")
        old = self.data[kind].get(item["key"])
        if old is None or old["version"] < item["version"]:
            # Store and return the very item given, as the SDK's own integrations do: the async
            # wrapper tells an applied write from a rejected one by identity.
            self.data[kind][item["key"]] = item
            return item
        return old

    def initialized_internal(self):
        self.faults.check("get")
        return self.inited

    def is_available(self) -> bool:
        return self.faults.available

    def peek(self, kind: str, key: str) -> Any:
        return self.data[KIND_BY_NAME[kind]].get(key)

    def records(self) -> Mapping[VersionedDataKind, Mapping[str, Any]]:
        return {kind: dict(self.data[kind]) for kind in (FEATURES, SEGMENTS)}


def load_core(spec: str) -> Callable[[], Any]:
    """The callable a python store names (``"module:callable"``), which makes a fresh core per run: one
    handed to the builder as an object, else imported."""
    if spec in GIVEN_CORES:
        return GIVEN_CORES[spec]
    module_name, _, path = spec.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as e:
        raise UsageError(f"store core {spec!r}: cannot import the module {module_name} ({e})") from None
    for part in path.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise UsageError(f"store core {spec!r}: {module_name} has no {path}") from None
    if not callable(found):
        raise UsageError(f"store core {spec!r}: {path} is not callable (name a class or a function that makes "
                         "the core)")
    return found


def is_async_core(core: Any) -> bool:
    """Whether a core's methods are coroutine functions (an ``AsyncFeatureStoreCore``)."""
    return inspect.iscoroutinefunction(getattr(core, "get_internal", None))


class FaultyUserCore:
    """A user's ``FeatureStoreCore`` with the kit's faults in front of each call.

    It has an ``is_available`` only when the user's core has one (:class:`MonitoredUserCore`): the
    SDK's wrapper monitors availability only then, and the kit does not add what the core lacks.
    """

    compares_by_value = True  # the core may build a fresh record on every read

    def __init__(self, core: Any, faults: Faults):
        self.core = core
        self.faults = faults

    def init_internal(self, all_data):
        self.faults.check("init")
        return self.core.init_internal(all_data)

    def get_internal(self, kind, key):
        self.faults.check("get")
        return self.core.get_internal(kind, key)

    def get_all_internal(self, kind):
        self.faults.check("all")
        return self.core.get_all_internal(kind)

    def upsert_internal(self, kind, item):
        self.faults.check("delete" if item.get("deleted") else "upsert")
        return self.core.upsert_internal(kind, item)

    def initialized_internal(self):
        self.faults.check("get")
        return self.core.initialized_internal()

    def peek(self, kind: str, key: str) -> Any:
        return self.core.get_internal(KIND_BY_NAME[kind], key)

    def records(self) -> Mapping[VersionedDataKind, Mapping[str, Any]]:
        return {kind: dict(self.core.get_all_internal(kind) or {}) for kind in (FEATURES, SEGMENTS)}


class MonitoredUserCore(FaultyUserCore):
    """:class:`FaultyUserCore` for a core with an availability check: down while a fault says so."""

    def is_available(self) -> bool:
        return self.faults.available and bool(self.core.is_available())


def user_core(spec: str, faults: Faults) -> FaultyUserCore:
    """A fresh core from the user's callable, faults in front; a sync core for the sync client."""
    core = load_core(spec)()
    if is_async_core(core):
        raise UsageError(f"store core {spec!r} is async (its get_internal is a coroutine function): the sdk "
                         "target needs a sync FeatureStoreCore (sdk-async takes either)")
    monitored = callable(getattr(core, "is_available", None))
    return (MonitoredUserCore if monitored else FaultyUserCore)(core, faults)


def cache_config(config: StoreConfig) -> CacheConfig:
    """The SDK's cache settings for a persistent store: default, off (0s), a TTL, or forever.

    The Python SDK has no infinite-cache mode; its nearest is a TTL that never
    runs out (reads stay cached, but failed writes are not kept or written back
    on recovery as Go does: see docs/differences.md)."""
    if config.cache_ttl is None:
        return CacheConfig.default()
    if config.cache_ttl == CACHE_FOREVER:
        return CacheConfig(expiration=float("inf"))
    if config.cache_ttl == 0:
        return CacheConfig.disabled()
    return CacheConfig(expiration=config.cache_ttl / 1_000_000)


def make_store(config: StoreConfig, memory_store: type = FaultyMemoryStore, core: type = FaultyCore,
               wrapper: type = CachingStoreWrapper,
               users: Callable[[str, Faults], Any] = user_core,
               redis: Callable[[StoreConfig], tuple[Any, Faults, Any]] | None = None) -> tuple[Any, Faults, Any]:
    """(the store the SDK is given, its faults, the object to peek at).

    The classes default to the sync SDK's; the async target passes its own.
    """
    if config.type == "redis":
        return (redis or redis_store)(config)
    faults = Faults()
    if config.type == "memory":
        store = memory_store(faults)
        return store, faults, store
    persistent = users(config.core, faults) if config.type == "python" else core(faults)
    wrapped = wrapper(persistent, cache_config(config))
    sync_sdk().cache_on_virtual_clock(wrapped)  # the async wrapper shares the sync one's cache
    return wrapped, faults, persistent


# ----------------------------------------------------------------------------- Redis

class NetworkFaults(Faults):
    """A Redis store's faults: ``down`` cuts the network between the SDK's client and the server
    (the fault proxy refuses and resets connections) and ``up`` restores it."""

    def __init__(self, environment: Any):
        super().__init__()
        self.environment = environment

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name == "down" and "environment" in self.__dict__:
            self.environment.set_down(value is not None)


class RedisRecords:
    """The records in redis-server itself, read past the fault proxy and the SDK's cache."""

    compares_by_value = True  # every read decodes a fresh record

    def __init__(self, environment: Any, prefix: str):
        self.environment = environment
        self.prefix = prefix
        self.scrub = environment.scrub  # the proxy's address in error texts

    def _hash(self, kind: VersionedDataKind) -> str:
        return f"{self.prefix}:{kind.namespace}"

    def peek(self, kind: str, key: str) -> Any:
        text = self.environment.server.command("HGET", self._hash(KIND_BY_NAME[kind]), key)
        return None if text is None else json.loads(text)

    def records(self) -> Mapping[VersionedDataKind, Mapping[str, Any]]:
        out = {}
        for kind in (FEATURES, SEGMENTS):
            flat = self.environment.server.command("HGETALL", self._hash(kind)) or []
            out[kind] = {key: json.loads(text) for key, text in zip(flat[::2], flat[1::2])}
        return out


REDIS_DEFAULT_PREFIX = "launchdarkly"  # the SDKs' own default


def redis_store(config: StoreConfig, asynchronous: bool = False) -> tuple[Any, Faults, Any]:
    """The SDK's own Redis integration (``ldclient.integrations.Redis``; its async store for the
    async client) connected through the fault proxy to the kit's redis-server, flushed first; its
    faults; and the records past both."""
    from ldclient.integrations import Redis

    from ..redis import redis_environment
    try:
        from redis.backoff import NoBackoff
        if asynchronous:
            from redis.asyncio.retry import Retry
        else:
            from redis.retry import Retry  # type: ignore[assignment]
    except ImportError:
        raise UsageError("a redis store on the sdk target needs the redis package: "
                         "pip install 'ld-sink-harness[redis]'") from None
    environment = redis_environment()
    environment.begin()
    prefix = config.prefix or REDIS_DEFAULT_PREFIX
    url = f"redis://{environment.host}:{environment.client_port}/0"
    # No retries (redis-py's own back off with real sleeps), and a refused connection fails at once.
    options = {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": 10, "socket_timeout": 10}
    if asynchronous:
        store = Redis.async_feature_store(url=url, prefix=prefix, caching=cache_config(config), redis_opts=options)
    else:
        store = Redis.new_feature_store(url=url, prefix=prefix, caching=cache_config(config), redis_opts=options)
    sync_sdk().cache_on_virtual_clock(store)
    return store, NetworkFaults(environment), RedisRecords(environment, prefix)
