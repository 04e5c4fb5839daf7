"""A target family on fake releases, for the release machinery's tests: ``fake@1.0.0`` .. ``fake@1.9.0``.

Each release is the contract model. From 1.6.0 on, OFF is final: a status reported after a stop is
dropped (as the Python SDK does from 9.18.0). 1.5.0 is listed but not served; releases before 1.0.0
have no sink.
"""

from __future__ import annotations

from harness.drivers import Availability
from harness.drivers.contract.target import ContractTarget, ContractWorld
from harness.drivers.releases import Release, Version
from harness.errors import UsageError

CHANGED_IN = Version.parse("1.6.0")


class OffIsFinalWorld(ContractWorld):
    stopped = False

    def on_stop(self, action):
        super().on_stop(action)
        self.stopped = True

    def on_status(self, action):
        if not self.stopped:
            super().on_status(action)


class FakeRelease(ContractTarget):
    def __init__(self, version: Version, served: bool):
        self.name = f"fake@{version}"
        self.version, self.served = version, served
        self.world = OffIsFinalWorld if version >= CHANGED_IN else ContractWorld

    def availability(self):
        if not self.served:
            return Availability(False, str(self.version), "not served here (a test's fake release)")
        return Availability(True, f"fake {self.version}")


class FakeFamily:
    name = "fake"

    def __init__(self):
        self.made: list[str] = []

    def releases(self):
        return [Release(Version.parse(f"1.{minor}.0"), minor != 5, "" if minor != 5 else "not served here")
                for minor in range(10)]

    def check_release(self, version):
        if version < Version.parse("1.0.0"):
            raise UsageError(f"fake {version} has no sink; the first release that has it is 1.0.0")

    def release_target(self, version):
        self.made.append(str(version))
        served = {release.version.numbers: release.served for release in self.releases()}
        if version.numbers not in served:
            known = ", ".join(str(release.version) for release in self.releases())
            raise UsageError(f"fake has no release {version}; known: {known}")
        return FakeRelease(version, served[version.numbers])
