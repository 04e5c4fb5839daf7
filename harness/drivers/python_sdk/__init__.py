"""The Python SDK's targets: ``sdk`` (sync) and ``sdk-async``.

Their implementations are imported on first use, after :mod:`.door` has
checked that the installed SDK has every piece they need; a target whose SDK
lacks something says so in ``harness targets`` instead of breaking
``import harness``.
"""

from __future__ import annotations

import importlib
from functools import cached_property
from typing import Callable

from ...errors import SdkMismatch
from ..redis import redis_refusal
from ..registry import Availability, store_refusal
from .door import DISTRIBUTION, STORE_RECOVERY, async_sdk, sdk_version, sync_sdk


class PythonSdkTarget:
    """A target whose module (its ``World`` and ``run``) loads once the door says the SDK has what it needs."""

    store_recovery = STORE_RECOVERY

    def __init__(self, name: str, description: str, check: Callable[[], object], module: str, world: str,
                 store_types: tuple[str, ...], store_why: dict[str, str] | None = None):
        self.name = name
        self.store_types = store_types
        self.store_why = store_why or {}  # why it takes no store of a type, where the general reason is wrong
        self.description = description
        self._check = check
        self._module = module
        self._world = world

    def availability(self) -> Availability:
        version = f"{DISTRIBUTION} {sdk_version() or '(not installed)'}"
        try:
            self._check()
        except SdkMismatch as e:
            return Availability(False, version, str(e))
        return Availability(True, version)

    def not_ready_for(self, scenario) -> str:
        """Why it cannot run this scenario ("" when it can): a store type it does not build, or no Redis here."""
        kind = scenario.store.type
        if kind in self.store_why:
            return f"{self.name} takes no {kind} store yet ({self.store_why[kind]})"
        why = store_refusal(self.name, kind, self.store_types)
        if not why and scenario.store.type == "redis":
            why = redis_refusal()
        return why

    @cached_property
    def implementation(self):
        """The target's module, imported once the SDK is known to have every piece it needs."""
        self._check()
        return importlib.import_module(self._module, __name__)

    def world_type(self) -> type:
        return getattr(self.implementation, self._world)

    def run(self, scenario, clock):
        return self.implementation.run(scenario, clock)


SYNC = PythonSdkTarget("sdk", "the SDK's real LDClient (FDv1) and DataSourceUpdateSinkImpl",
                       sync_sdk, ".sync", "SdkWorld", ("memory", "persistent", "python", "redis"))
ASYNC = PythonSdkTarget("sdk-async", "the SDK's AsyncLDClient (FDv1) and AsyncDataSourceUpdateSinkImpl "
                                     "on a virtual-time event loop", lambda: (sync_sdk(), async_sdk()),
                        ".asynchronous", "AsyncSdkWorld", ("memory", "persistent", "python", "redis"))
