"""The Python SDK's release families: ``sdk@9.10.0``, ``sdk-async@9.18.0``, ``sdk@9.1.0..``.

The installed release runs in process, as the plain ``sdk`` and ``sdk-async``
targets do. Every other release runs out of process: the Python driver
(:mod:`.driver`) in that release's own environment (:mod:`.environments`),
built on first use and reused, spoken to over the driver protocol by a
:class:`~harness.drivers.protocol.DriverTarget`. Set
``LD_SINK_HARNESS_PYTHON_DRIVER=always`` (or pass ``through_driver=True``) to
run the installed release through the driver too.

A release that cannot run here — not served, not installable, or missing a
piece the door needs — is a target that is not ready, with a one-line reason.
"""

from __future__ import annotations

import os
import queue
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, Sequence

from ...errors import UsageError
from ..protocol import DriverTarget
from ..protocol.target import ProtocolWorld
from ..registry import Availability
from ..releases import Release, TargetName, Version, in_range, release_name
from . import ASYNC, SYNC, index
from .door import DISTRIBUTION, FIRST_WITH_ASYNC, FIRST_WITH_SINK, STORE_RECOVERY, sdk_version
from .environments import BuildFailed, Environment, build, verdicts

THROUGH_DRIVER = "LD_SINK_HARNESS_PYTHON_DRIVER"  # "always": the installed release runs through the driver too


class PythonDriverWorld(ProtocolWorld):
    """In process, the SDK's timers share the kit's clock, so one due now (the store poller's first
    check, started by a failed write) fires when the step ends. Out of process the driver keeps its own
    clock: the end of each step tells it to fire what is due now, so both fire at the same point."""

    def end_step(self) -> None:
        self.fire_due_timers()


class PythonReleaseTarget(DriverTarget):
    """One release of the Python SDK, run by the Python driver in its own environment."""

    store_recovery = STORE_RECOVERY  # as the installed release's: its FDv1 streaming source never reacts
    scenarios_per_driver = 10_000  # its memory stays flat over thousands (benchmarks/bench_drivers.py)

    def __init__(self, family: str, version: Version, mode: str):
        super().__init__(release_name(family, version), f"{DISTRIBUTION} {version}'s real client and sink "
                                                        f"({mode}), out of process in its own environment")
        self.version = version
        self.mode = mode
        self._availability: Availability | None = None

    @property
    def environment(self) -> Environment:
        return Environment(str(self.version))

    def availability(self) -> Availability:
        """Ready once the release's environment is built (on first use) and the door, inside it,
        finds every piece it needs; otherwise why not, in one line."""
        if self._availability is None:
            self._availability = self.prepare()
        return self._availability

    def prepare(self, progress: bool = True, position: int | None = None) -> Availability:
        """Build the environment if needed, check the release, and say whether it is ready."""
        text = str(self.version)
        label = f"{DISTRIBUTION} {text}"
        env = self.environment
        if not env.built:
            try:
                known = {str(release.version): release for release in index.releases()}
            except UsageError as e:
                return Availability(False, label, str(e))
            release = known.get(text)
            if release is None:
                return Availability(False, label, f"{label} is not a release PyPI knows (its newest is "
                                                  f"{newest_served(known.values())})")
            if not release.served:
                return Availability(False, label, f"{label} is {release.reason}")
            try:
                build(text, progress=progress, position=position)
            except BuildFailed as e:
                return Availability(False, label, str(e))
        verdict = verdicts(env)[self.mode]
        if not verdict["ready"]:
            return Availability(False, label, verdict["reason"])
        self._availability = Availability(True, f"{label} (out of process)")
        return self._availability

    def command(self) -> list[str]:
        return self.environment.command(self.mode)

    world = PythonDriverWorld


def newest_served(releases: Iterable[Release]) -> str:
    served = sorted(release.version for release in releases if release.served)
    return str(served[-1]) if served else "unknown"


class PythonFamily:
    """``sdk`` or ``sdk-async`` at any release (see :class:`~harness.drivers.releases.Family`)."""

    def __init__(self, name: str, mode: str, first: str, first_has: str, installed_target):
        self.name = name
        self.mode = mode
        self.first = Version.parse(first)
        self.first_has = first_has
        self.installed_target = installed_target

    def releases(self) -> list[Release]:
        """Every release on PyPI from 9.0.0 up, oldest first; one older than the first this family
        runs is listed as not served, with the reason. Raises :class:`UsageError` when PyPI cannot
        be reached and no list is cached."""
        return [release if release.version >= self.first else
                Release(release.version, False, self._too_old(release.version))
                for release in index.releases()]

    def _too_old(self, version: Version) -> str:
        return (f"{DISTRIBUTION} {version} is older than {self.first_has}: the first release with it is "
                f"{self.first}")

    def check_release(self, version: Version | None) -> None:
        if version is not None and version < self.first:
            raise UsageError(f"{release_name(self.name, version)}: {self._too_old(version)}")

    def prepare(self, versions: Sequence[Version], jobs: int = 2) -> None:
        """Build these releases' environments, up to ``jobs`` at once (see :func:`prepare`)."""
        prepare([release_name(self.name, version) for version in versions], jobs=jobs)

    def release_target(self, version: Version, through_driver: bool | None = None):
        """The installed release's in-process target, or a :class:`PythonReleaseTarget`."""
        if through_driver is None:
            through_driver = os.environ.get(THROUGH_DRIVER) == "always"
        if not through_driver and str(version) == sdk_version():
            return self.installed_target
        return PythonReleaseTarget(self.name, version, self.mode)


SDK_FAMILY = PythonFamily("sdk", "sync", FIRST_WITH_SINK, "DataSourceUpdateSinkImpl", SYNC)
SDK_ASYNC_FAMILY = PythonFamily("sdk-async", "async", FIRST_WITH_ASYNC, "AsyncLDClient", ASYNC)
FAMILIES = {family.name: family for family in (SDK_FAMILY, SDK_ASYNC_FAMILY)}


def prepare(names: Iterable[str], jobs: int = 2, progress: bool = True) -> dict[str, Availability]:
    """Build the environments of these Python targets (``sdk@9.1.0``, ``sdk-async@9.17.0..``: a range
    covers its served releases), up to ``jobs`` at a time, one progress bar each, and say for each
    release target whether it is ready. Other names are left out."""
    targets: dict[str, PythonReleaseTarget] = {}
    for name in names:
        parsed = TargetName.parse(name)
        family = FAMILIES.get(parsed.family)
        if family is None or parsed.low is None:
            continue
        family.check_release(parsed.low)
        versions = ([release.version for release in in_range(family.releases(), parsed)] if parsed.is_range
                    else [parsed.low])
        for version in versions:
            targets[release_name(family.name, version)] = PythonReleaseTarget(family.name, version, family.mode)
    # one build per release (sdk@X and sdk-async@X share an environment), then every target's verdict
    firsts = list({str(target.version): target for target in targets.values()}.values())
    slots: queue.SimpleQueue[int] = queue.SimpleQueue()  # one progress bar line per build running
    for slot in range(max(1, jobs)):
        slots.put(slot)

    def prepare_one(target: PythonReleaseTarget) -> None:
        slot = slots.get()
        try:
            target.prepare(progress, slot)
        finally:
            slots.put(slot)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(prepare_one, firsts))
    return {name: target.prepare(progress=False) for name, target in targets.items()}
