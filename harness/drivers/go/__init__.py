"""The Go SDK's targets, ``go`` (v7) and ``go-v6``, run out of process.

:mod:`.build` builds the Go driver (shipped in ``driver/``) into a per-user
cache. Each scenario runs in its own ``testing/synctest`` bubble, whose clock
the run's virtual clock moves, so the SDK's own timers — the persistent
store's availability poller, the outage logger — fire at the kit's virtual
instants. The protocol is :mod:`harness.drivers.protocol`'s.
"""

from ..protocol import DriverTarget
from ..registry import Availability
from .build import V6, V7, Flavour, GoMissing, ensure_built, go_toolchain


class GoTarget(DriverTarget):
    """One Go SDK major version's real client and sink, through the Go driver."""

    def __init__(self, name: str, flavour: Flavour, description: str):
        super().__init__(name, description)
        self.flavour = flavour

    def availability(self) -> Availability:
        try:
            _, go_version = go_toolchain()
        except GoMissing as e:
            return Availability(False, f"{self.flavour.module}@{self.flavour.pinned}", str(e))
        return Availability(True, f"{self.flavour.module}@{self.flavour.pinned} ({go_version})")

    def command(self) -> list[str]:
        """The built driver (built first, the first time)."""
        return [str(ensure_built(self.flavour)), "-test.run=^TestDriver$", "-test.timeout=0"]


GO = GoTarget("go", V7, "the Go SDK's real LDClient and DataSourceUpdateSinkImpl (v7), out of process, "
                        "on a testing/synctest clock")
GO_V6 = GoTarget("go-v6", V6, "the same on the Go SDK v6, the major version the seed documents")
