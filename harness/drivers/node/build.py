"""Install the Node driver's dependencies once per lockfile and driver source, into a per-user cache.

The driver (``driver/``: a few JavaScript files, a ``package.json`` and a
``package-lock.json``) ships inside the package. ``npm ci`` installs exactly
what the lockfile pins into a folder of the kit's cache
(``~/.cache/ld-sink-harness/node-driver/``, under ``$XDG_CACHE_HOME`` when it is
set) named by the SDK release and a hash of the driver's files, the lockfile
among them; the first install shows a progress bar, later runs start at once.

A :class:`NodeRelease` is one release of ``@launchdarkly/node-server-sdk``.
The release the committed ``package.json`` pins installs from the committed
lockfile; any other release installs from a ``package.json`` naming that
release, whose lockfile npm makes once (``npm install --package-lock-only``,
usually while the family asks which releases can be had here: :mod:`.probe`)
and the cache keeps in ``locks/``. The work happens in a temporary folder that is
renamed into place whole, so two processes installing at once do no harm.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

from ...errors import HarnessError
from ..setup_bar import SetupBar

SDK = "@launchdarkly/node-server-sdk"
MIN_NODE = 18
MAX_REASON = 400  # characters
_FETCH = re.compile(r"^npm http fetch GET \d+ \S+\.tgz")
NPM_FLAGS = ("--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=http")  # no package's scripts run


class NodeMissing(HarnessError):
    """No usable Node.js or npm: the message says what is missing, in one line."""


class InstallFailed(HarnessError):
    """``npm`` failed for a release: the message says why in one line and names the whole log."""


@lru_cache(maxsize=1)
def node_toolchain() -> tuple[str, str, str]:
    """(path of ``node``, path of ``npm``, node's version, e.g. ``v20.20.2``); raises :class:`NodeMissing`."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        raise NodeMissing(f"needs Node.js {MIN_NODE}+ and npm on PATH; no {missing!r} found")
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True,
                                 timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError) as e:
        raise NodeMissing(f"'{node} --version' failed: {e}") from None
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < MIN_NODE:
        raise NodeMissing(f"needs Node.js {MIN_NODE}+; found {version or 'unknown'}")
    return node, npm, version


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ld-sink-harness" / "node-driver"


@dataclass(frozen=True)
class NodeRelease:
    """One release of the Node SDK (``None``: the one the committed ``package.json`` pins)."""

    release: str | None = None

    def __post_init__(self):
        if self.release is not None and not re.fullmatch(r"\d+\.\d+\.\d+", self.release):
            raise HarnessError(f"{self.release!r} is not a release of {SDK}")

    @property
    def sources(self):
        return resources.files(__package__).joinpath("driver")

    @cached_property  # read once: every run asks (a frozen dataclass still has a __dict__ for it)
    def package(self) -> dict:
        """The committed package.json."""
        return json.loads(self.sources.joinpath("package.json").read_text(encoding="utf-8"))

    @property
    def pinned(self) -> str:
        """The release the committed ``package.json`` pins."""
        return self.package["dependencies"][SDK]

    @property
    def version(self) -> str:
        """The release this installs."""
        return self.release or self.pinned

    def at(self, release: str) -> "NodeRelease":
        """Another release (the pinned one keeps the committed lockfile)."""
        return replace(self, release=None if release == self.pinned else release)

    def files(self) -> dict[str, bytes]:
        """The driver's files: its JavaScript, its package.json and (the pinned release) its lockfile."""
        out = {entry.name: entry.read_bytes()
               for entry in sorted(self.sources.iterdir(), key=lambda e: e.name)
               if entry.name.endswith(".js") or (self.release is None and entry.name.endswith(".json"))}
        if self.release is not None:
            package = dict(self.package, dependencies={**self.package["dependencies"], SDK: self.release})
            out["package.json"] = (json.dumps(package, indent=2) + "\n").encode()
        return out


PINNED = NodeRelease()


def lock_file(release: NodeRelease) -> Path:
    """Where the lockfile npm made for a release's generated ``package.json`` is kept (see :mod:`.probe`)."""
    digest = hashlib.sha256(release.files()["package.json"]).hexdigest()[:16]
    return cache_root() / "locks" / f"{release.version}-{digest}.json"


def driver_folder(release: NodeRelease) -> Path:
    """Where this release's driver, with its node_modules, is installed."""
    return cache_root() / f"{release.version}-{_digest(release)}"


@lru_cache(maxsize=None)
def _digest(release: NodeRelease) -> str:
    """A hash of the driver's files, the lockfile among them (read once a process: every run asks)."""
    digest = hashlib.sha256()
    for name, content in release.files().items():
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:16]


# Installs that failed in this process, by folder: not tried again until the next process.
_FAILED: dict[Path, InstallFailed] = {}


def install_failure(release: NodeRelease) -> str:
    """Why this release's install failed in this process ("" if it did not)."""
    failed = _FAILED.get(driver_folder(release))
    return str(failed) if failed is not None else ""


def ensure_installed(release: NodeRelease, progress: bool = True) -> Path:
    """The folder holding ``driver.js`` and its dependencies, installed first if this is the first
    use of these files; raises :class:`InstallFailed` (one line) if they cannot be installed."""
    folder = driver_folder(release)
    if (folder / "driver.js").exists():
        return folder
    if folder in _FAILED:
        raise _FAILED[folder]
    _, npm, _ = node_toolchain()
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder.parent, prefix="installing-"))
    try:
        for name, content in release.files().items():
            (work / name).write_bytes(content)
        if release.release is not None:  # the lockfile of this release, made once (see .probe) and kept
            kept = lock_file(release)
            if not kept.exists():
                _npm(release, work, [npm, "install", "--package-lock-only"], "resolving")
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / "package-lock.json", kept)
            shutil.copyfile(kept, work / "package-lock.json")
        _npm(release, work, [npm, "ci"], "installing", progress=progress)
        try:
            os.rename(work, folder)
        except OSError:  # another process finished first: its folder is as good as ours
            if not (folder / "driver.js").exists():
                raise
    except InstallFailed as e:
        _FAILED[folder] = e
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def _npm(release: NodeRelease, work: Path, command: list[str], what: str, progress: bool = False) -> None:
    """Run one npm command in ``work``, a bar step for each package fetched; :class:`InstallFailed` if it fails."""
    command = [*command, *NPM_FLAGS]
    total = None
    if (work / "package-lock.json").exists():
        lock = json.loads((work / "package-lock.json").read_text(encoding="utf-8"))
        total = sum(1 for name in lock.get("packages", {}) if name)
    bar = SetupBar(f"{what} the Node driver ({SDK}@{release.version})", total, unit="pkg", shown=progress)
    log: list[str] = []
    try:
        process = subprocess.Popen(command, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip("\n"))
            if _FETCH.match(line):
                bar.update()
        code = process.wait()
    except OSError as e:
        raise InstallFailed(f"{what} the Node driver for {SDK}@{release.version} failed: {e}") from None
    finally:
        bar.close()
    if code != 0:
        raise _failure(release, command, code, log)


def npm_reason(log: list[str]) -> str:
    """The line of npm's output that says what went wrong (not its ``npm error code E404`` line)."""
    lines = [line.strip() for line in log if line.strip()]
    reason = next((line for line in lines if line.startswith("npm error") and "code" not in line.split()[2:3]),
                  lines[-1] if lines else "it printed nothing")
    return reason if len(reason) <= MAX_REASON else reason[:MAX_REASON] + "..."


def _failure(release: NodeRelease, command: list[str], code: int, log: list[str]) -> InstallFailed:
    path = cache_root() / f"{release.version}-install.log"
    path.write_text("\n".join(log) + "\n", encoding="utf-8")
    reason = npm_reason(log)
    return InstallFailed(f"installing the Node driver for {SDK}@{release.version} failed ({' '.join(command[1:3])}, "
                         f"exit {code}): {reason} (the whole log: {path})")
