"""A Node SDK release as a target: the real client and update sink, through the Node driver, out of process."""

from __future__ import annotations

from typing import Callable

from ...errors import DriverError
from ..protocol import DriverTarget
from ..registry import Availability
from .build import SDK, InstallFailed, NodeMissing, NodeRelease, ensure_installed, install_failure, node_toolchain


class NodeTarget(DriverTarget):
    """One release of ``@launchdarkly/node-server-sdk`` through the Node driver.

    ``refusal`` says why the release cannot be had here ("" when it can); the
    plain target has none. An install that failed in this process makes the
    target not ready, with its one-line reason.

    Its FDv1 streaming source (``StreamingProcessor`` in js-server-sdk-common's
    ``src/data_sources/StreamingProcessor.ts``) has no data store status to react to:
    ``store_recovery`` is ``nothing``, and no store status row ever comes for another setting to
    react to (see harness.replay.reactions).
    """

    store_recovery = "nothing"
    # Its memory stays flat over thousands of scenarios, and a fresh Node runs its first few hundred
    # scenarios about 1.5x slower (its JIT warms): replaced rarely (benchmarks/bench_drivers.py).
    scenarios_per_driver = 10_000

    def __init__(self, name: str, release: NodeRelease, description: str, refusal: Callable[[], str] | None = None):
        super().__init__(name, description)
        self.release = release
        self.refusal = refusal

    def availability(self) -> Availability:
        what = f"{SDK}@{self.release.version}"
        try:
            _, _, node_version = node_toolchain()
        except NodeMissing as e:
            return Availability(False, what, str(e))
        reason = (self.refusal() if self.refusal is not None else "") or install_failure(self.release)
        if reason:
            return Availability(False, what, reason)
        return Availability(True, f"{what} (node {node_version})")

    def command(self) -> list[str]:
        """The installed driver (installed first, the first time); a failed install is a failed run."""
        node, _, _ = node_toolchain()
        try:
            folder = ensure_installed(self.release)
        except InstallFailed as e:
            raise DriverError(f"{self.name}: {e}") from None
        return [node, str(folder / "driver.js")]
