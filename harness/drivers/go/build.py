"""Build the Go driver once per source hash and Go version, into a per-user cache.

The driver's Go sources ship inside the package (``driver/common`` plus one
folder per SDK major version holding its ``go.mod``, ``go.sum`` and the SDK's
names, the per-major alias file ``sdk.go``). ``testing/synctest`` bubbles exist
only in test binaries, so the driver is built with ``go test -c``. A cold
build compiles the standard library and the SDK (tens of seconds, shown as a
progress bar); after that the cached binary starts in milliseconds.

A :class:`Flavour` is one SDK release. The release a major's ``go.mod`` pins
(v7.14.6, v6.2.1) builds from the committed ``go.mod`` and ``go.sum``; any
other release of that major builds from the same Go files and a generated
``go.mod`` that requires only that release (``-mod=mod`` fills in the rest
from the SDK's own ``go.mod``). Either way the cache key is the hash of the
build's files and the Go version, so each release has its own binary.
:func:`build_all` builds several at once (see :mod:`.build_job`).
"""

from __future__ import annotations

import hashlib
import os
import re
import selectors
import shutil
import subprocess
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

from ...errors import HarnessError
from .build_job import BuildFailed, BuildJob
from .user_store import GoUserStore

MIN_GO = (1, 25)  # testing/synctest.Test
CHUNK = 1 << 16

# The Go SDK's Redis integration for each major: (module, the version the kit builds, the lowest SDK
# release it works with, by its go.mod). A release below that is built without Redis (redis_off.go).
REDIS_INTEGRATIONS = {
    "v7": ("github.com/launchdarkly/go-server-sdk-redis-redigo/v3", "v3.0.0", (7, 0, 0)),
    "v6": ("github.com/launchdarkly/go-server-sdk-redis-redigo/v2", "v2.0.1", (6, 0, 1)),
}
REDIGO = "github.com/gomodule/redigo v1.8.2"  # the Redis client the driver reads records with
REDIS_FILES = ("redis.go", "redis_sdk.go")


@dataclass(frozen=True)
class Flavour:
    """One Go SDK release: its major's sources, and the release (``None``: the one ``go.mod`` pins)."""

    folder: str   # "v7"
    module: str   # github.com/launchdarkly/go-server-sdk/v7
    release: str | None = None  # "v7.5.0"; None builds the committed go.mod and go.sum
    user_store: GoUserStore | None = None  # a user's PersistentDataStore built in (store: {type: go})

    def __post_init__(self):
        if self.release is not None and not re.fullmatch(re.escape(self.folder) + r"\.\d+\.\d+", self.release):
            raise HarnessError(f"{self.release!r} is not a release of {self.module}")

    @property
    def sources(self):
        return resources.files(__package__).joinpath("driver")

    def _committed_go_mod(self) -> str:
        return self.sources.joinpath(self.folder, "go.mod").read_text(encoding="utf-8")

    @cached_property  # read once: every run asks (a frozen dataclass still has a __dict__ for it)
    def pinned(self) -> str:
        """The release the committed ``go.mod`` pins."""
        match = re.search(re.escape(self.module) + r" (v[\w.\-+]+)", self._committed_go_mod())
        if not match:
            raise HarnessError(f"driver/{self.folder}/go.mod does not pin {self.module}")
        return match.group(1)

    @property
    def version(self) -> str:
        """The release this flavour builds."""
        return self.release or self.pinned

    @property
    def label(self) -> str:
        """What the build is, for people: the SDK at its release, and the user's store if one is built in."""
        store = f" with {self.user_store.package}" if self.user_store is not None else ""
        return f"{self.module}@{self.version}{store}"

    def at(self, release: str) -> "Flavour":
        """The same major at ``release`` (the pinned release keeps the committed files)."""
        return replace(self, release=None if release == self.pinned else release)

    @property
    def redis_refusal(self) -> str:
        """Why this release's driver has no Redis store ("" when it has one)."""
        module, version, lowest = REDIS_INTEGRATIONS[self.folder]
        numbers = tuple(int(part) for part in self.version.lstrip("v").split("."))
        if numbers >= lowest:
            return ""
        return (f"{module}@{version}, the Redis integration for SDK {self.folder}, needs "
                f"{self.module}@v{'.'.join(map(str, lowest))} or newer")

    def files(self) -> dict[str, bytes]:
        """The build's files: the shared driver, this major's names, and its go.mod (and go.sum)."""
        out: dict[str, bytes] = {}
        endings = (".go", ".mod", ".sum") if self.release is None else (".go",)
        redis = not self.redis_refusal
        for folder in ("common", self.folder):
            for entry in sorted(self.sources.joinpath(folder).iterdir(), key=lambda e: e.name):
                if entry.name.endswith(endings) and (redis or entry.name not in REDIS_FILES):
                    out[entry.name] = entry.read_bytes()
        if not redis:
            out["redis.go"] = NO_REDIS.replace("REASON", self.redis_refusal).encode()
        if self.release is not None:
            out["go.mod"] = self.generated_go_mod().encode()
        if self.user_store is not None:
            out["userstore.go"] = self.user_store.source().encode()
            out["go.mod"] += self.user_store.go_mod_lines(self.module, self.version).encode()
        return out

    def generated_go_mod(self) -> str:
        """A go.mod requiring only this release, and its Redis integration where one supports it (the go
        line is the committed one's)."""
        go_line = re.search(r"^go \S+$", self._committed_go_mod(), re.M)
        requires = [f"{self.module} {self.version}"]
        if not self.redis_refusal:
            module, version, _ = REDIS_INTEGRATIONS[self.folder]
            requires += [f"{module} {version}", REDIGO]
        lines = "".join(f"\t{line}\n" for line in requires)
        return f"module harness/godriver\n\n{go_line.group(0) if go_line else 'go 1.25'}\n\nrequire (\n{lines})\n"


# redis.go for a release no Redis integration supports: the driver refuses a redis store, saying why.
NO_REDIS = """package driver

import "errors"

func redisBuilder(store *StoreConfig) (*persistentStoreBuilder, peeker, error) {
	return nil, nil, errors.New("this driver is built without Redis: REASON")
}
"""


V7 = Flavour("v7", "github.com/launchdarkly/go-server-sdk/v7")
V6 = Flavour("v6", "github.com/launchdarkly/go-server-sdk/v6")
FLAVOURS = {6: V6, 7: V7}  # by major version


class GoMissing(HarnessError):
    """No usable Go toolchain: the message says what is missing, in one line."""


@lru_cache(maxsize=1)
def go_toolchain() -> tuple[str, str]:
    """(path of ``go``, its version, e.g. ``go1.26.8``); raises :class:`GoMissing`."""
    go = shutil.which("go")
    if go is None:
        raise GoMissing(f"needs Go {MIN_GO[0]}.{MIN_GO[1]}+ on PATH (testing/synctest); no 'go' found")
    try:
        version = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=True,
                                 timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError) as e:
        raise GoMissing(f"'{go} env GOVERSION' failed: {e}") from None
    match = re.match(r"go(\d+)\.(\d+)", version)
    if not match or (int(match.group(1)), int(match.group(2))) < MIN_GO:
        raise GoMissing(f"needs Go {MIN_GO[0]}.{MIN_GO[1]}+ for testing/synctest; found {version or 'unknown'}")
    return go, version


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ld-sink-harness" / "go-driver"


def binary_path(flavour: Flavour) -> Path:
    """Where the built driver for this flavour, these sources and this Go lives."""
    _, version = go_toolchain()
    digest = _digest(flavour, version) if flavour.user_store is None else _fresh_digest(flavour, version)
    return cache_root() / f"{flavour.folder}-{flavour.version}-{version}-{digest}" / "driver.test"


def _fresh_digest(flavour: Flavour, go_version: str) -> str:
    """A hash of the build's files, a user's store module's files, and the Go version."""
    digest = hashlib.sha256()
    store = flavour.user_store
    for name, content in flavour.files().items():
        if store is not None and store.folder is not None and name == "go.mod":
            content = content.replace(store.folder.encode(), b"<store>")  # where the store is is no part of the key
        digest.update(name.encode() + b"\0" + content + b"\0")
    if store is not None:  # read every time: an edit to the store builds a fresh driver
        digest.update(store.content_digest())
    digest.update(go_version.encode())
    return digest.hexdigest()[:16]


# The kit's own sources are read once a process: every run asks for the binary's path.
_digest = lru_cache(maxsize=None)(_fresh_digest)


# Builds that failed in this process, by binary path: not tried again until the next process.
_FAILED: dict[Path, BuildFailed] = {}


def build_failure(flavour: Flavour) -> str:
    """Why this flavour's build failed in this process ("" if it did not)."""
    failed = _FAILED.get(binary_path(flavour))
    return str(failed) if failed is not None else ""


def ensure_built(flavour: Flavour, progress: bool = True) -> Path:
    """The driver binary, built first if this is the first use of these sources with this Go;
    raises :class:`BuildFailed` (one line) if it cannot be built."""
    (built,) = build_all([flavour], jobs=1, progress=progress).values()
    if isinstance(built, BuildFailed):
        raise built
    return built


def build_all(flavours: Iterable[Flavour], jobs: int = 2, progress: bool = True) -> dict[Flavour, Path | BuildFailed]:
    """Build every flavour not built yet, up to ``jobs`` ``go test -c`` at once, one progress bar
    each; the binary of each, or why it failed. Warming a matrix's releases before running it."""
    if jobs < 1:
        raise HarnessError(f"jobs must be 1 or more, not {jobs}")
    results: dict[Flavour, Path | BuildFailed] = {}
    waiting: list[tuple[Flavour, Path]] = []
    for flavour in dict.fromkeys(flavours):
        target = binary_path(flavour)
        if target.exists():
            results[flavour] = target
        elif target in _FAILED:
            results[flavour] = _FAILED[target]
        else:
            waiting.append((flavour, target))
    if not waiting:
        return results
    go, _ = go_toolchain()
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOWORK": "off"}
    running: list[BuildJob] = []
    free = list(range(min(jobs, len(waiting))))  # progress-bar rows
    with selectors.DefaultSelector() as selector:  # no threads: the pipes are read as they fill
        try:
            while waiting or running:
                while waiting and free:
                    flavour, target = waiting.pop(0)
                    job = BuildJob(flavour, target, go, env, row=free.pop(0), progress=progress)
                    running.append(job)
                    selector.register(job.pipe, selectors.EVENT_READ, job)
                for key, _ in selector.select():
                    job = key.data
                    chunk = os.read(key.fd, CHUNK)
                    if chunk:
                        job.take(chunk)
                        continue
                    selector.unregister(key.fileobj)
                    if not job.next_phase():
                        selector.register(job.pipe, selectors.EVENT_READ, job)
                        continue
                    running.remove(job)
                    free.append(job.row)
                    results[job.flavour] = job.result
                    if isinstance(job.result, BuildFailed):
                        _FAILED[job.target] = job.result
        finally:
            for job in running:  # interrupted: stop the builds, leave nothing half-made
                job.abort()
    return results
