"""A driver process spoken to in JSON lines (docs/driver-protocol.md).

Written for the Go driver, but any program that speaks the protocol can be
run through :class:`DriverProcess`: commands go in on stdin, and rows then
one reply (or one error) come back on stdout. Reads wait with ``select`` (no
threads), so a driver that hangs is stopped after ``timeout`` seconds and a
driver that dies is noticed at once.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
from typing import Any, Callable, Sequence

from ...errors import DriverError

PROTOCOL = 1
SPIN = 200  # non-blocking reads before a blocking wait


def _exited(process: subprocess.Popen, seconds: float) -> bool:
    """Wait up to ``seconds`` for the process to end. (Not ``Popen.wait(timeout)``: its timeout
    reads ``time.monotonic``, which a virtual-time freeze stops.)"""
    for _ in range(int(seconds / 0.01)):
        if process.poll() is not None:
            return True
        select.select([], [], [], 0.01)
    return process.poll() is not None


class DriverProcess:
    """One running driver; :meth:`call` sends a command and collects its rows and reply."""

    def __init__(self, command: Sequence[str], name: str, timeout: float = 60.0):
        self.name = name
        self.timeout = timeout
        self._stderr = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=self._stderr, bufsize=0)
        except OSError as e:
            self._stderr.close()
            raise DriverError(f"{name}: cannot start the driver {command[0]!r}: {e}") from None
        self._buffer = b""
        self.scenarios = 0
        assert self._process.stdout is not None
        os.set_blocking(self._process.stdout.fileno(), False)
        self.hello = self._read()
        if not isinstance(self.hello, dict) or "hello" not in self.hello:
            self.close()
            raise DriverError(f"{name}: the driver's first line must be a hello, got {self.hello!r}")
        if self.hello.get("protocol") != PROTOCOL:
            self.close()
            raise DriverError(f"{name}: the driver speaks protocol {self.hello.get('protocol')!r}; "
                              f"the kit speaks {PROTOCOL}")

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def call(self, command: dict, on_row: Callable[[dict], None]) -> dict:
        """Send one command; pass each row to ``on_row``; return the reply."""
        self._send(command)
        while True:
            message = self._read()
            if not isinstance(message, dict):
                raise self._broken(f"sent {message!r} in answer to {command['op']!r}, which is neither "
                                   "a row, a reply nor an error")
            if "row" in message:
                on_row(message)
            elif "reply" in message:
                if message["reply"] != command["op"]:
                    raise self._broken(f"answered {command['op']!r} with a reply to {message['reply']!r}")
                return message
            elif "error" in message:
                raise DriverError(f"{self.name}: the driver refused {command['op']!r}: {message['error']}")
            else:
                raise self._broken(f"sent {message!r}, which is neither a row, a reply nor an error")

    def _send(self, command: dict) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(command, separators=(",", ":")).encode() + b"\n")
        except (BrokenPipeError, OSError):
            raise self._died(f"while sending {command['op']!r}") from None

    def _read(self) -> Any:
        assert self._process.stdout is not None
        fd = self._process.stdout.fileno()
        while b"\n" not in self._buffer:
            chunk = self._poll(fd)
            if chunk is None:
                ready, _, _ = select.select([fd], [], [], self.timeout)
                if not ready:
                    self.close(kill=True)
                    raise DriverError(f"{self.name}: the driver did not answer within {self.timeout:g} s "
                                      "(it hangs); it was stopped")
                chunk = self._poll(fd, tries=1)
                if chunk is None:
                    continue
            if not chunk:
                raise self._died("")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            raise self._broken(f"sent a line that is not JSON: {line[:200]!r}") from None

    @staticmethod
    def _poll(fd: int, tries: int = SPIN) -> bytes | None:
        """Read what is there without blocking; None if nothing came in ``tries`` looks. A driver
        answers within microseconds, and looking a few times costs less than a sleep and a wake-up."""
        for _ in range(tries):
            try:
                return os.read(fd, 1 << 16)
            except BlockingIOError:
                continue
        return None

    def _broken(self, what: str) -> DriverError:
        self.close()
        return DriverError(f"{self.name}: protocol error: the driver {what}")

    def _died(self, when: str) -> DriverError:
        if not _exited(self._process, 5.0):
            self._process.kill()
            self._process.wait()
        code = self._process.returncode
        self._stderr.seek(0)
        tail = self._stderr.read()[-2000:].decode(errors="replace").strip()
        self.close()
        said = f"; it said:\n{tail}" if tail else ""
        return DriverError(f"{self.name}: the driver exited (code {code}) {when}mid-scenario{said}")

    def close(self, kill: bool = False) -> None:
        """Stop the driver: it ends on its own when stdin closes; a hung one is killed at once."""
        process = self._process
        if kill and process.poll() is None:
            process.kill()
        if process.stdin is not None and not process.stdin.closed:
            try:
                process.stdin.close()
            except OSError:
                pass
        if not _exited(process, 5.0):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._stderr.close()
