"""The Go targets as families of releases: ``go@v7.5.0``, ``go@v6.1.0``, ``go-v6@v6.1.0``, ranges.

A release's major picks the module (``go@v6.1.0`` runs go-server-sdk/v6). The
releases are the shipped list (:mod:`.known_releases`); whether each is served
here is the Go module proxy's answer (:mod:`.probe`), asked once for all of
them and remembered on disk. See :class:`harness.drivers.releases.Family`.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from ...errors import UsageError
from ..releases import Release, Version
from .build import FLAVOURS, GoMissing, go_toolchain
from .known_releases import MODULES, RELEASES
from .probe import Answer, probe
from .target import GoTarget, build_targets


class GoFamily:
    """The releases of go-server-sdk's ``majors`` as one target family named ``name``."""

    def __init__(self, name: str, majors: Sequence[int],
                 ask: Callable[[Iterable[str]], dict[str, Answer]] = probe, part_of: str | None = None):
        unknown = set(majors) - set(MODULES)
        if unknown:
            raise ValueError(f"no Go SDK module is known for major(s) {sorted(unknown)}")
        self.name = name
        self.part_of = part_of  # a family whose releases these all are too (go-v6's are go's)
        self.majors = tuple(majors)
        self.ask = ask  # module@version names -> the proxy's answers (tests pass their own)
        self.known = tuple(Version.parse(text) for text in RELEASES if Version.parse(text).major in self.majors)
        self._releases: tuple[Release, ...] | None = None  # every answer definite: kept for the process

    def releases(self) -> Sequence[Release]:
        """Every v6/v7 release (of this family's majors), oldest first, served here or not and why."""
        if self._releases is not None:
            return self._releases
        try:
            go_toolchain()
        except GoMissing as e:
            return tuple(Release(version, False, str(e)) for version in self.known)
        names = [_module_version(version) for version in self.known]
        told = self.ask(names)  # one question about them all
        answers = [told[name] for name in names]
        releases = tuple(Release(version, answer.served, answer.reason) for version, answer in zip(self.known, answers))
        if all(answer.definite for answer in answers):
            self._releases = releases
        return releases

    def release(self, version: Version) -> Release:
        """What is known of one release (``version`` must be one: see :meth:`check_release`)."""
        return next(release for release in self.releases() if release.version.numbers == version.numbers)

    def check_release(self, version: Version) -> None:
        """Raise :class:`UsageError` unless ``version`` is a release of this family's majors."""
        if version.major not in self.majors:
            majors = " and ".join(f"v{major}" for major in self.majors)
            what = f"the Go targets run go-server-sdk {majors}" if self.name == "go" else \
                f"{self.name} runs go-server-sdk {majors}"
            if self.name != "go" and version.major in MODULES:
                what += f"; go@{version} picks the module by its major"
            raise UsageError(f"{self.name}@{version}: {what}")
        if not version.text.startswith("v"):
            raise UsageError(f"{self.name}@{version}: Go releases are written with a v, as Go writes them: "
                             f"{self.name}@v{version}")
        if all(known.numbers != version.numbers for known in self.known):
            same_major = ", ".join(str(v) for v in self.known if v.major == version.major)
            raise UsageError(f"{self.name}@{version}: no such release; known: {same_major}")

    def release_target(self, version: Version) -> GoTarget:
        """The target ``name@version``; not ready, with the reason, if the proxy does not serve it."""
        self.check_release(version)
        flavour = FLAVOURS[version.major].at(version.text)
        return GoTarget(f"{self.name}@{version}", flavour,
                        f"the Go SDK's real LDClient and DataSourceUpdateSinkImpl, {flavour.module}@{version}, "
                        "out of process, on a testing/synctest clock",
                        refusal=lambda: self._refusal(version))

    def _refusal(self, version: Version) -> str:
        release = self.release(version)
        return "" if release.served else release.reason

    def build(self, versions: Iterable[Version], jobs: int = 2, progress: bool = True) -> dict[Version, str]:
        """Build these releases' drivers before a matrix runs them, up to ``jobs`` at once; why each
        cannot run, by release ("" when it can)."""
        chosen = [(version, self.release_target(version)) for version in versions]
        reasons = build_targets([target for _, target in chosen], jobs=jobs, progress=progress)
        return {version: reasons[target.name] for version, target in chosen}

    def prepare(self, versions: Sequence[Version], jobs: int = 2) -> None:
        """Build these releases' drivers (see :meth:`build`); a release that fails says why when run."""
        self.build(versions, jobs=jobs)


def _module_version(version: Version) -> str:
    return f"{MODULES[version.major]}@{version}"
