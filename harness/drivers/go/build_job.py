"""One build of the Go driver, as :func:`.build.build_all` runs several side by side.

A job has two phases, each one process whose single pipe the caller reads as
it fills (a selector, no threads): ``go list -deps -test .`` counts the
packages (the progress bar's total, and with ``-mod=mod`` it settles the
generated ``go.mod`` and ``go.sum``), then ``go test -c -x`` compiles, one
bar step per package. The work happens in a temporary folder beside the
binary's cache folder; the finished binary is moved into place whole, so a
second process building the same release at once does no harm.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

from ...errors import HarnessError
from ..setup_bar import SetupBar

# The lines of a failed build that say what went wrong: go's own (not its news) and the compiler's.
_ERROR_LINE = re.compile(r"^(go: (?!downloading |finding |extracting |added |upgraded |found )|\S+\.go:\d+(:\d+)?: )")
MAX_REASON = 400  # characters


class Buildable(Protocol):
    """What a job needs of a :class:`~.build.Flavour`."""

    module: str

    @property
    def version(self) -> str: ...

    @property
    def label(self) -> str: ...

    def files(self) -> dict[str, bytes]: ...


class BuildFailed(HarnessError):
    """``go test -c`` failed for a flavour: the message says why in one line and names the full log."""


class BuildJob:
    """One flavour's build, phase by phase; :attr:`result` is the binary or a :class:`BuildFailed`."""

    def __init__(self, flavour: Buildable, target: Path, go: str, env: dict, row: int = 0, progress: bool = True):
        self.flavour = flavour
        self.target = target
        self.go = go
        self.env = env
        self.row = row
        self.result: Path | BuildFailed | None = None
        target.parent.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(dir=target.parent, prefix="building-"))
        for name, content in flavour.files().items():
            (self.work / name).write_bytes(content)
        self.bar = SetupBar(f"building the Go driver ({flavour.label})", unit="pkg", shown=progress, position=row)
        self.phase = "list"
        self.packages = 0
        self.log: list[str] = []
        self._partial = b""
        self.process = self._start([go, "list", "-deps", "-test", "."], stdout=subprocess.PIPE)

    @property
    def pipe(self):
        """The pipe the current phase is read from."""
        return self.process.stdout if self.phase == "list" else self.process.stderr

    def _start(self, command: list[str], **pipes) -> subprocess.Popen:
        streams = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, **pipes}
        return subprocess.Popen(command, cwd=self.work, env=self.env, stdin=subprocess.DEVNULL, bufsize=0, **streams)

    def take(self, chunk: bytes) -> None:
        """Some of the current phase's output."""
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        for line in lines:
            self._line(line.decode(errors="replace"))

    def _line(self, line: str) -> None:
        if self.phase == "list":
            self.packages += 1
            return
        self.log.append(line)
        if "/compile " in line and " -o " in line:
            self.bar.update()

    def next_phase(self) -> bool:
        """The current phase's pipe has closed: start the next phase (False) or finish (True)."""
        if self._partial:
            self._line(self._partial.decode(errors="replace"))
            self._partial = b""
        code = self.process.wait()
        self.pipe.close()
        if self.phase == "list":
            if code == 0:
                self.bar.reset(total=self.packages)
            self.phase = "build"
            self.process = self._start([self.go, "test", "-c", "-x", "-o", str(self.work / "driver.test"),
                                        f"-ldflags=-X=harness/godriver.pinnedVersion={self.flavour.version}", "."],
                                       stderr=subprocess.PIPE)
            return False
        if code == 0:
            os.replace(self.work / "driver.test", self.target)
            self.result = self.target
        else:
            self.result = self._failure(code)
        self._close()
        return True

    def _failure(self, code: int) -> BuildFailed:
        log = self.target.parent / "build.log"
        log.write_text("\n".join(self.log) + "\n", encoding="utf-8")
        lines = [line.strip() for line in self.log if line.strip()]
        reason = next((line for line in lines if _ERROR_LINE.match(line)), lines[-1] if lines else "it printed nothing")
        if len(reason) > MAX_REASON:
            reason = reason[:MAX_REASON] + "..."
        return BuildFailed(f"building the Go driver for {self.flavour.label} failed "
                           f"(go test -c, exit {code}): {reason} (the whole log: {log})")

    def abort(self) -> None:
        """Stop the build where it is and clean up."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        self.pipe.close()
        self.bar.close()
        shutil.rmtree(self.work, ignore_errors=True)
