"""The one door to the Python SDK's internals.

Everything the kit needs from ``ldclient`` beyond its public API is reached
here and nowhere else: ``ldclient.impl`` modules and private attributes. Each
piece is checked up front, and a missing one raises
:class:`~harness.errors.SdkMismatch` naming the installed SDK version and the
piece, instead of a patch silently doing nothing (or a wrong guess showing up
later as a store failure). The door finds each piece in the code, not by
version number, so it reaches every release from 9.1.0, the first with
``DataSourceUpdateSinkImpl`` (``sdk-async`` from 9.17.0, the first with
``AsyncLDClient``). What moved between releases:

==================================  ==========================================
piece                               why the kit needs it, and where it moved
==================================  ==========================================
``DataSourceUpdateSinkImpl``        the sink under test (``impl.datasource.status``
                                    from 9.1.0)
``_FeatureStoreClientWrapper``'s    its ``RepeatingTask`` (the store availability
module                              poller) is swapped for one on the virtual
                                    clock: ``ldclient.client`` up to 9.16,
                                    ``impl.datasystem.fdv1`` from 9.17.0
``RepeatingTask.__init__``          which constructor the swap offers:
                                    ``(interval, ...)`` up to 9.7.1,
                                    ``(label, interval, ...)`` from 9.7.2,
                                    ``(label, delays, ...)`` and ``at_interval``
                                    from 9.18.0
``ldclient.impl.util`` logger       what the SDK's task logs when a callback raises
``InMemoryFeatureStore._items``     the stored records, read past faults
``CachingStoreWrapper._cache``      put on the virtual clock: 9.20's
                                    ``ExpiringCache`` binds ``time.monotonic`` at
                                    import, out of freezegun's reach; the
                                    ``ExpiringDict`` before it reads ``time.time``
                                    at call time and needs nothing
``ldclient.async_client``           the ``sdk-async`` target (9.17.0 and newer,
                                    with the ``async`` extra's aiohttp)
==================================  ==========================================
"""

from __future__ import annotations

import importlib
import inspect
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from ...errors import SdkMismatch

DISTRIBUTION = "launchdarkly-server-sdk"
LOWEST_SUPPORTED = "9.18.0"  # the lowest release the kit's own environment installs (pyproject.toml, nox)
FIRST_WITH_SINK = "9.1.0"    # the first release with DataSourceUpdateSinkImpl: the door reaches it and later
FIRST_WITH_ASYNC = "9.17.0"  # the first release with AsyncLDClient
# What the SDK's own FDv1 streaming source does when its store comes back: nothing, in every release the
# kit runs. Neither ``StreamingUpdateProcessor`` (ldclient/impl/datasource/streaming.py) nor
# ``AsyncStreamingUpdateProcessor`` (ldclient/impl/datasource/async_streaming.py) listens to the data store
# status, and the FDv1 data systems wire no listener for it (see harness.replay.reactions).
STORE_RECOVERY = "nothing"

# The parameters of RepeatingTask.__init__ after self, each shape the poller has had.
POLLER_SHAPES = {
    ("interval", "initial_delay", "callable"): "9.1.0",
    ("label", "interval", "initial_delay", "callable"): "9.7.2",
    ("label", "delays", "initial_delay", "callable"): "9.18.0",
}
STORE_WRAPPER = "_FeatureStoreClientWrapper"
WRAPPER_MODULES = ("ldclient.impl.datasystem.fdv1", "ldclient.client")  # newest first


def sdk_version() -> str | None:
    """The installed SDK's version, or None when it is not installed."""
    try:
        return importlib.import_module("ldclient.version").VERSION
    except ImportError:
        return None


def _missing(piece: str, why: str, first: str = FIRST_WITH_SINK) -> SdkMismatch:
    version = sdk_version()
    installed = f"{DISTRIBUTION} {version}" if version else f"{DISTRIBUTION} (not installed)"
    return SdkMismatch(f"{installed} lacks {piece}, which the kit needs {why} "
                       f"(the kit reaches {first} and newer)")


def _module(name: str, why: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise _missing(f"the module {name} ({e})", why) from None


def _attribute(owner: Any, name: str, why: str) -> Any:
    try:
        return getattr(owner, name)
    except AttributeError:
        label = getattr(owner, "__name__", type(owner).__name__)
        raise _missing(f"{label}.{name}", why) from None


@dataclass(frozen=True)
class SyncSdk:
    """The sync SDK's internals, checked."""

    version: str
    poller_module: ModuleType  # holds the RepeatingTask the store wrapper's poller is built from
    poller_params: tuple[str, ...]  # RepeatingTask.__init__'s parameters after self (a POLLER_SHAPES key)
    poller_at_interval: bool  # whether RepeatingTask.at_interval exists (9.18.0 and newer)
    task_log: logging.Logger
    expiring_cache: type | None  # 9.20's cache class; None where the SDK uses expiringdict

    def memory_items(self, store: Any) -> Any:
        """An ``InMemoryFeatureStore``'s records, by kind then key (tombstones included)."""
        return store._items

    def memory_peek(self, store: Any, kinds: dict[str, Any]):
        """A function (kind name, key) -> the stored record or None; ``kinds`` maps the kit's
        kind names to the SDK's kinds. One call, as it runs twice on every operation."""
        return lambda kind, key: store._items[kinds[kind]].get(key)

    def cache_on_virtual_clock(self, wrapper: Any) -> None:
        """Make a ``CachingStoreWrapper``'s cache expire on the frozen clock."""
        cache = _attribute(wrapper, "_cache", "to put the store cache on the virtual clock")
        if cache is None or type(cache).__name__ == "_NoopCache":
            return  # caching off: nothing expires
        if self.expiring_cache is not None and isinstance(cache, self.expiring_cache):
            _attribute(cache, "_clock", "to put the store cache on the virtual clock")
            # ExpiringCache bound ``clock=time.monotonic`` as a default argument when the SDK was
            # imported, so freezegun cannot reach it. Look the function up at call time instead.
            cache._clock = lambda: time.monotonic()
        elif type(cache).__module__.split(".")[0] != "expiringdict":  # expiringdict reads time.time itself
            raise _missing(f"a cache the kit knows (found {type(cache).__module__}.{type(cache).__name__})",
                           "to put the store cache on the virtual clock")


@dataclass(frozen=True)
class AsyncSdk:
    """The async SDK's pieces, checked."""

    version: str
    client: type
    config: type
    memory_store: type
    caching_wrapper: type

    def memory_items(self, store: Any) -> Any:
        return store._items

    def memory_peek(self, store: Any, kinds: dict[str, Any]):
        return lambda kind, key: store._items[kinds[kind]].get(key)


@lru_cache(maxsize=1)
def sync_sdk() -> SyncSdk:
    """The sync SDK's internals; raises :class:`SdkMismatch` naming what is missing."""
    version = sdk_version()
    if version is None:
        raise _missing("everything", "to run the sdk targets")
    sink = "to hand the simulated source the sink under test"
    _attribute(_module("ldclient.impl.datasource.status", sink), "DataSourceUpdateSinkImpl", sink)
    _attribute(_module("ldclient.interfaces", sink), "DataSourceErrorInfo", sink)
    client = _attribute(_module("ldclient.client", "to build the client"), "LDClient", "to build the client")
    for listened in ("data_source_status_provider", "data_store_status_provider", "flag_tracker"):
        _attribute(client, listened, "to listen where a user would")
    poller_module = _poller_module()
    params, at_interval = _poller_shape(_attribute(poller_module, "RepeatingTask", _POLLER))
    util = _module("ldclient.impl.util", "to log as the SDK's tasks do")
    task_log = _attribute(util, "log", "to log as the SDK's tasks do")
    try:
        expiring = importlib.import_module("ldclient.impl.expiring_cache").ExpiringCache
    except (ImportError, AttributeError):
        expiring = None
    sdk = SyncSdk(version, poller_module, params, at_interval, task_log, expiring)
    _check_memory_store(sdk)
    _check_cache(sdk)
    return sdk


_POLLER = "to run the store's availability poller on the virtual clock"


def _poller_module() -> ModuleType:
    """The module that defines the store wrapper, whose ``RepeatingTask`` the sandbox swaps. (Not
    "whether impl.datasystem.fdv1 exists": it does from 9.12.1, but holds the wrapper only from 9.17.0.)"""
    looked = []
    for name in WRAPPER_MODULES:
        try:
            wrapper = getattr(importlib.import_module(name), STORE_WRAPPER)
        except ImportError as e:
            looked.append(f"no module {name} ({e})")
            continue
        except AttributeError:
            looked.append(f"no {STORE_WRAPPER} in {name}")
            continue
        return importlib.import_module(wrapper.__module__)
    raise _missing(f"the store wrapper {STORE_WRAPPER} ({'; '.join(looked)})", _POLLER)


def _poller_shape(task: type) -> tuple[tuple[str, ...], bool]:
    """(the parameters of ``RepeatingTask.__init__`` after self, whether ``at_interval`` exists)."""
    try:
        params = tuple(inspect.signature(task.__init__).parameters)[1:]
    except (TypeError, ValueError):
        params = ()
    if params not in POLLER_SHAPES:
        raise _missing(f"a RepeatingTask constructor the kit knows (found RepeatingTask({', '.join(params)}); "
                       f"known: {' / '.join('(' + ', '.join(shape) + ')' for shape in POLLER_SHAPES)})", _POLLER)
    return params, callable(getattr(task, "at_interval", None))


def _check_memory_store(sdk: SyncSdk) -> None:
    from ldclient.feature_store import InMemoryFeatureStore
    from ldclient.versioned_data_kind import FEATURES
    store = InMemoryFeatureStore()
    store.init({FEATURES: {"k": {"key": "k", "version": 1}}})
    items = _attribute(store, "_items", "to read stored records past faults")
    if items.get(FEATURES, {}).get("k", {}).get("version") != 1:
        raise _missing("InMemoryFeatureStore._items holding records by kind and key", "to read stored records")


class _NoCore:
    def init_internal(self, all_data): ...
    def get_internal(self, kind, key): ...
    def get_all_internal(self, kind): ...
    def upsert_internal(self, kind, item): ...
    def initialized_internal(self): return True


def _check_cache(sdk: SyncSdk) -> None:
    from ldclient.feature_store import CacheConfig
    from ldclient.feature_store_helpers import CachingStoreWrapper
    for config in (CacheConfig(expiration=1), CacheConfig.disabled()):
        sdk.cache_on_virtual_clock(CachingStoreWrapper(_NoCore(), config))


@lru_cache(maxsize=1)
def async_sdk() -> AsyncSdk:
    """The async SDK's pieces; raises :class:`SdkMismatch` naming what is missing."""
    version = sdk_version()
    why = "to run the sdk-async target"
    if version is None:
        raise _missing("everything", why, FIRST_WITH_ASYNC)
    try:
        client = importlib.import_module("ldclient.async_client").AsyncLDClient
    except ModuleNotFoundError as e:
        if e.name in ("ldclient.async_client", "ldclient"):
            raise _missing("the module ldclient.async_client (AsyncLDClient)", why, FIRST_WITH_ASYNC) from None
        # 9.17.0 and newer have it, but it imports aiohttp, which only the ``async`` extra installs
        raise SdkMismatch(f"{DISTRIBUTION} {version}: ldclient.async_client cannot be imported ({e}); "
                          f"install {DISTRIBUTION}[async]") from None
    except AttributeError:
        raise _missing("ldclient.async_client.AsyncLDClient", why, FIRST_WITH_ASYNC) from None
    sink = _module("ldclient.impl.datasource.async_status", why)
    _attribute(sink, "AsyncDataSourceUpdateSinkImpl", why)
    config = _attribute(_module("ldclient.async_config", why), "AsyncConfig", why)
    store = _attribute(_module("ldclient.async_feature_store", why), "AsyncInMemoryFeatureStore", why)
    wrapper = _attribute(_module("ldclient.async_feature_store_helpers", why), "AsyncCachingStoreWrapper", why)
    return AsyncSdk(version, client, config, store, wrapper)
