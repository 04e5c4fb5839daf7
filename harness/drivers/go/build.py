"""Build the Go driver once per source hash and Go version, into a per-user cache.

The driver's Go sources ship inside the package (``driver/common`` plus one
folder per SDK major version holding its ``go.mod``, ``go.sum`` and the SDK's
names). ``testing/synctest`` bubbles exist only in test binaries, so the
driver is built with ``go test -c``. A cold build compiles the standard
library and the SDK (tens of seconds, shown as a progress bar); after that
the cached binary starts in milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tqdm import tqdm

from ...errors import HarnessError

MIN_GO = (1, 25)  # testing/synctest.Test


@dataclass(frozen=True)
class Flavour:
    """One Go SDK major version: where its sources are and what it pins."""

    folder: str   # "v7"
    module: str   # github.com/launchdarkly/go-server-sdk/v7

    @property
    def sources(self):
        return resources.files(__package__).joinpath("driver")

    @property
    def pinned(self) -> str:
        text = self.sources.joinpath(self.folder, "go.mod").read_text(encoding="utf-8")
        match = re.search(re.escape(self.module) + r" (v[\w.\-+]+)", text)
        if not match:
            raise HarnessError(f"driver/{self.folder}/go.mod does not pin {self.module}")
        return match.group(1)

    def files(self) -> dict[str, bytes]:
        """The build's files: the shared driver and this version's go.mod, go.sum and names."""
        out: dict[str, bytes] = {}
        for folder in ("common", self.folder):
            for entry in sorted(self.sources.joinpath(folder).iterdir(), key=lambda e: e.name):
                if entry.name.endswith((".go", ".mod", ".sum")):
                    out[entry.name] = entry.read_bytes()
        return out


V7 = Flavour("v7", "github.com/launchdarkly/go-server-sdk/v7")
V6 = Flavour("v6", "github.com/launchdarkly/go-server-sdk/v6")


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
    go, version = go_toolchain()
    digest = hashlib.sha256()
    for name, content in flavour.files().items():
        digest.update(name.encode() + b"\0" + content + b"\0")
    digest.update(version.encode())
    return cache_root() / f"{flavour.folder}-{flavour.pinned}-{version}-{digest.hexdigest()[:16]}" / "driver.test"


def ensure_built(flavour: Flavour, progress: bool = True) -> Path:
    """The driver binary, built first if this is the first use of these sources with this Go."""
    target = binary_path(flavour)
    if target.exists():
        return target
    go, version = go_toolchain()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        for name, content in flavour.files().items():
            Path(work, name).write_bytes(content)
        env = {**os.environ, "GOFLAGS": "-mod=mod"}
        total = _package_count(go, work, env)
        command = [go, "test", "-c", "-x", "-o", str(Path(work, "driver.test")),
                   f"-ldflags=-X=harness/godriver.pinnedVersion={flavour.pinned}", "."]
        log: list[str] = []
        with tqdm(total=total, unit="pkg", desc=f"building the Go driver ({flavour.module}@{flavour.pinned})",
                  disable=not progress, file=sys.stderr, leave=False) as bar:
            build = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
            assert build.stderr is not None
            for line in build.stderr:
                log.append(line)
                if "/compile " in line and " -o " in line:
                    bar.update()
            code = build.wait()
        if code != 0:
            errors = [line for line in log if not line.startswith(("mkdir", "cd ", "cat ", "EOF", "#", "/", "WORK"))]
            raise HarnessError(f"building the Go driver failed (go test -c, exit {code}):\n" + "".join(errors[-30:]))
        os.replace(Path(work, "driver.test"), target)
    return target


def _package_count(go: str, work: str, env: dict) -> int | None:
    try:
        listed = subprocess.run([go, "list", "-deps", "-test", "."], cwd=work, env=env, capture_output=True,
                                text=True, timeout=600)
    except (OSError, subprocess.SubprocessError):
        return None
    return len(listed.stdout.split()) if listed.returncode == 0 else None
