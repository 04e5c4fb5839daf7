"""A Go SDK release as a target: the real client and sink, through the Go driver, out of process."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from ...errors import DriverError, UsageError
from ..protocol import DriverTarget
from ..redis import redis_refusal
from ..registry import Availability
from .build import (BuildFailed, Flavour, GoMissing, binary_path, build_all, build_failure, ensure_built,
                    go_toolchain)
from .user_store import GoUserStore


class GoTarget(DriverTarget):
    """One Go SDK release's real client and sink, through the Go driver.

    ``refusal`` says why the release cannot be had here ("" when it can: see
    :mod:`.probe`); the plain targets have none. A build that failed in this
    process makes the target not ready, with the build's one-line reason.

    Its streaming source restarts the stream when the store comes back saying it needs refresh
    (``store_recovery``: ``StreamProcessor.consumeStream`` in go-server-sdk's
    ``internal/datasource/streaming_data_source.go``, v6 and v7 alike; see harness.replay.reactions).
    """

    store_recovery = "restart_if_stale"

    def __init__(self, name: str, flavour: Flavour, description: str, refusal: Callable[[], str] | None = None):
        super().__init__(name, description)
        self.flavour = flavour
        self.refusal = refusal
        self._with_stores: dict[GoUserStore, UserStoreTarget] = {}

    def availability(self) -> Availability:
        what = f"{self.flavour.module}@{self.flavour.version}"
        try:
            _, go_version = go_toolchain()
        except GoMissing as e:
            return Availability(False, what, str(e))
        reason = (self.refusal() if self.refusal is not None else "") or build_failure(self.flavour)
        if reason:
            return Availability(False, what, reason)
        return Availability(True, f"{what} ({go_version})")

    @property
    def store_types(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("memory", "persistent", "go") + (() if self.flavour.redis_refusal else ("redis",))

    def not_ready_for(self, scenario) -> str:
        """Why it cannot run this scenario ("" when it can): a store type its driver does not build, a
        release no Redis integration supports, or no Redis here."""
        if scenario.store.type == "redis":
            return (f"{self.name} takes no redis store ({self.flavour.redis_refusal})" if self.flavour.redis_refusal
                    else redis_refusal())
        return super().not_ready_for(scenario)

    def command(self) -> list[str]:
        """The built driver (built first, the first time); a failed build is a failed run."""
        try:
            binary = ensure_built(self.flavour)
        except BuildFailed as e:
            raise DriverError(f"{self.name}: {e}") from None
        return [str(binary), "-test.run=^TestDriver$", "-test.timeout=0"]

    def run(self, scenario, clock):
        """A scenario with a Go store of the user's runs on a driver built with it (:meth:`with_store`)."""
        if scenario.store.type == "go" and self.flavour.user_store is None:
            return self.with_store(scenario.store.core).run(scenario, clock)
        return super().run(scenario, clock)

    def with_store(self, core: str) -> "UserStoreTarget":
        """This target with the user's store ``core`` (``store.core``, a local folder found from the
        current folder) built into its driver: one driver process a store, kept while the process runs."""
        store = GoUserStore.parse(core)
        if store not in self._with_stores:
            self._with_stores[store] = UserStoreTarget(self.name, replace(self.flavour, user_store=store),
                                                       self.description)
        return self._with_stores[store]


class UserStoreTarget(GoTarget):
    """A Go target whose driver is built with a user's store. Its driver is rebuilt and restarted when
    the store's files change; a store that does not build is the user's error, naming ``store.core``."""

    started: Path | None = None  # the binary the running driver was started from

    def command(self) -> list[str]:
        try:
            binary = ensure_built(self.flavour)
        except BuildFailed as e:
            raise UsageError(f"store.core {self.flavour.user_store.spec!r} on {self.name} (a store of "
                             f"{self.flavour.module}'s subsystems.PersistentDataStore): {e}") from None
        self.started = binary
        return [str(binary), "-test.run=^TestDriver$", "-test.timeout=0"]

    def driver(self):
        if self._driver is not None and binary_path(self.flavour) != self.started:
            self.stop()  # the store was edited: its fresh build is another binary
        return super().driver()


def build_targets(targets: Iterable[GoTarget], jobs: int = 2, progress: bool = True) -> dict[str, str]:
    """Build the drivers of these targets (a matrix's releases) before running them, up to ``jobs``
    at once, a progress bar each. Returns, by target name, why each cannot run ("" when it can);
    a target whose build failed says so from then on in its ``availability()``."""
    targets = list(targets)
    ready = [target for target in targets if target.availability().ready]
    build_all([target.flavour for target in ready], jobs=jobs, progress=progress)
    return {target.name: target.availability().reason for target in targets}  # a failed build is a reason now
