"""SDK releases in target names: ``sdk@9.10.0``, ``go@v7.5.0``, and ranges ``sdk@9.1.0..9.20.0``.

A *family* is a target that can run many releases of its SDK (``sdk``,
``sdk-async``, ``go``): it lists every release it knows, oldest first, each
served here or not with the reason, and makes the target for one release.
The plain name (``sdk``) keeps its meaning: the release the kit pins.

A range is inclusive and runs over the served releases in it, in order; an
open end (``sdk@9.1.0..``) runs to the newest. Pure: no I/O (families do
their own, lazily).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from ..errors import UsageError

_VERSION = re.compile(r"^(v?)(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True, order=True)
class Version:
    """A release's version: ``9.10.0`` or Go's ``v7.5.0``, ordered by its numbers."""

    numbers: tuple[int, int, int]
    text: str

    @classmethod
    def parse(cls, text: str) -> "Version":
        match = _VERSION.match(text)
        if match is None:
            raise UsageError(f"{text!r} is not a release version (like 9.10.0, or v7.5.0 for Go)")
        return cls((int(match.group(2)), int(match.group(3)), int(match.group(4))), text)

    @property
    def major(self) -> int:
        return self.numbers[0]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Release:
    """One release a family knows: whether it is served here, and if not, why."""

    version: Version
    served: bool = True
    reason: str = ""


class Family(Protocol):
    """A target that runs any of its SDK's releases (see the module docstring). A family whose
    releases another family runs too (``go-v6``'s are ``go``'s) names it in ``part_of``."""

    name: str
    part_of: str | None

    def releases(self) -> Sequence[Release]:
        """Every release the family knows, oldest first, served here or not."""
        ...

    def release_target(self, version: Version) -> object:
        """The target ``name@version``; its ``availability()`` says whether it can run here."""
        ...

    def check_release(self, version: Version) -> None:
        """Raise :class:`UsageError` if ``version`` can never run (older than the SDK's sink: the
        message names the first release that has it)."""
        ...

    def prepare(self, versions: Sequence[Version], jobs: int = 2) -> None:
        """Optional: get these releases ready to run (build drivers, environments), up to ``jobs`` at
        once with a progress bar each, before a matrix runs them one after another."""
        ...


@dataclass(frozen=True)
class TargetName:
    """A target name split: ``family``, and ``low``/``high`` for a release or a range (None: plain,
    or an open end)."""

    family: str
    low: Version | None = None
    high: Version | None = None
    is_range: bool = False

    @classmethod
    def parse(cls, name: str) -> "TargetName":
        if "@" not in name:
            return cls(name)
        family, _, spec = name.partition("@")
        if not family or not spec:
            raise UsageError(f"{name!r}: a release is written family@version, like sdk@9.10.0 or go@v7.5.0")
        if ".." in spec:
            low, _, high = spec.partition("..")
            if not low:
                raise UsageError(f"{name!r}: a range needs its first release, like sdk@9.1.0..9.20.0")
            first = Version.parse(low)
            last = Version.parse(high) if high else None
            if last is not None and last < first:
                raise UsageError(f"{name!r}: the range ends before it starts")
            return cls(family, first, last, True)
        version = Version.parse(spec)
        return cls(family, version, version)

    def covers(self, version: Version) -> bool:
        return (self.low is None or self.low <= version) and (self.high is None or version <= self.high)


def in_range(releases: Sequence[Release], name: TargetName) -> list[Release]:
    """The served releases a range covers, oldest first."""
    return [release for release in releases if release.served and name.covers(release.version)]


def release_name(family: str, version: Version | str) -> str:
    return f"{family}@{version}"


def unserved_runs(releases: Sequence[Release]) -> list[tuple[Version, Version, int, str]]:
    """The releases not served, as runs of neighbours with the same reason: (first, last, count, reason).
    The release's own number is dropped from a reason so that neighbours share it."""
    runs: list[list] = []
    previous_served = True
    for release in releases:
        if release.served:
            previous_served = True
            continue
        reason = release.reason.replace(f" {release.version} ", " ")
        if not previous_served and runs and runs[-1][3] == reason:
            runs[-1][1] = release.version
            runs[-1][2] += 1
        else:
            runs.append([release.version, release.version, 1, reason])
        previous_served = False
    return [tuple(run) for run in runs]
