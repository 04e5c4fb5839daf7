"""The ``node`` target as a family of releases: ``node@9.12.0``, ``node@9.10.0..9.13.7``.

The releases are npm's registry's list (``npm view @launchdarkly/node-server-sdk
versions --json``), asked once and kept a day in the kit's cache (``releases.json``
beside the installs), so a warm listing asks nobody. A 9.x release is served
when npm resolves its dependencies here (:mod:`.probe`, asked once for all of
them and remembered); an older major is listed as not served, because the
driver speaks 9.x's options. See :class:`harness.drivers.releases.Family`.
"""

from __future__ import annotations

import json
import subprocess
import time
from typing import Callable, Sequence

from ...errors import UsageError
from ..releases import Release, Version
from .build import PINNED, SDK, InstallFailed, NodeMissing, NodeRelease, cache_root, ensure_installed, node_toolchain
from .probe import Answer, probe
from .target import NodeTarget

MAJOR = 9
KEPT_FOR = 24 * 3600  # seconds the registry's list is kept before it is asked again


def ask_registry() -> list[str]:
    """Every version npm's registry lists for the SDK, as npm says them; [] if it cannot be asked."""
    try:
        _, npm, _ = node_toolchain()
        done = subprocess.run([npm, "view", SDK, "versions", "--json"], capture_output=True, text=True, timeout=120)
        listed = json.loads(done.stdout) if done.returncode == 0 else []
    except (NodeMissing, OSError, subprocess.SubprocessError, ValueError):
        return []
    return [listed] if isinstance(listed, str) else [v for v in listed if isinstance(v, str)]


def listed_versions(ask: Callable[[], list[str]] = ask_registry) -> list[str]:
    """The registry's list, from the cache while it is fresh (a failed question is never kept)."""
    kept = cache_root() / "releases.json"
    try:
        if time.time() - kept.stat().st_mtime < KEPT_FOR:
            return json.loads(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    listed = ask()
    if listed:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(listed), encoding="utf-8")
        return listed
    try:  # the registry cannot be asked: an old list is better than none
        return json.loads(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [PINNED.version]


def _parse(text: str) -> Version | None:
    """A release's version, or None for a pre-release (``9.0.0-beta.1``) the kit does not run."""
    try:
        return Version.parse(text)
    except UsageError:
        return None


class NodeFamily:
    """The 9.x releases of ``@launchdarkly/node-server-sdk`` as one target family named ``name``."""

    part_of = None

    def __init__(self, name: str, ask: Callable[[], list[str]] = ask_registry,
                 resolves: Callable[[list[NodeRelease]], dict[str, Answer]] = probe):
        self.name = name
        self.ask = ask  # the registry's list of versions (tests pass their own)
        self.resolves = resolves  # whether npm resolves each release here (tests pass their own)
        self._releases: tuple[Release, ...] | None = None  # every answer definite: kept for the process

    def releases(self) -> Sequence[Release]:
        """Every release the registry lists, oldest first; those before 9.x, and those whose dependencies
        npm cannot resolve here, not served, and why."""
        if self._releases is not None:
            return self._releases
        versions = sorted({version for version in map(_parse, listed_versions(self.ask)) if version is not None})
        first = next((v for v in versions if v.major == MAJOR), None)
        asked = [PINNED.at(v.text) for v in versions if v.major == MAJOR and v.text != PINNED.pinned]
        answers = self.resolves(asked) if asked else {}
        out = []
        for version in versions:
            if version.major < MAJOR:
                out.append(Release(version, False, f"{SDK} {version} predates the 9.x options the driver builds its "
                                                   f"client with: the first release it runs is {first}"))
            elif version.major == MAJOR:
                answer = answers.get(version.text, Answer(True))  # the pinned release has its committed lockfile
                out.append(Release(version, answer.served, answer.reason))
        if all(answer.definite for answer in answers.values()):
            self._releases = tuple(out)
        return tuple(out)

    def check_release(self, version: Version) -> None:
        """Raise :class:`UsageError` unless ``version`` is a 9.x release the registry lists."""
        if version.text.startswith("v"):
            raise UsageError(f"{self.name}@{version}: npm writes releases without a v: {self.name}@{version.text[1:]}")
        releases = self.releases()
        nine = [release.version for release in releases if release.version.major == MAJOR]
        if version.major < MAJOR and nine:
            raise UsageError(f"{self.name}@{version}: {SDK} {version} predates the 9.x options the driver builds "
                             f"its client with: the first release it runs is {nine[0]}")
        if all(known.numbers != version.numbers for known in nine):
            raise UsageError(f"{self.name}@{version}: no such release; known: {', '.join(map(str, nine))}")

    def release_target(self, version: Version) -> NodeTarget:
        """The target ``name@version``; not ready, with the reason, if npm cannot resolve it here."""
        self.check_release(version)
        return NodeTarget(f"{self.name}@{version}", PINNED.at(version.text),
                          f"the Node server SDK's real LDClient and DataSourceUpdates, {SDK}@{version}, out of "
                          "process, on @sinonjs/fake-timers", refusal=lambda: self._refusal(version))

    def _refusal(self, version: Version) -> str:
        release = next(r for r in self.releases() if r.version.numbers == version.numbers)
        return "" if release.served else release.reason

    def prepare(self, versions: Sequence[Version], jobs: int = 2) -> None:
        """Install these releases' drivers before a matrix runs them, one after another (npm is quick);
        a release whose install fails says why when it is run."""
        for version in versions:
            try:
                ensure_installed(PINNED.at(version.text))
            except (InstallFailed, NodeMissing):
                pass
