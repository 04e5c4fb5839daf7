"""Helper processes that die with the kit: started on loopback, stopped at exit, and killed by the
kernel if the kit dies first (even by SIGKILL), so no run leaves one behind."""

from __future__ import annotations

import ctypes
import os
import select
import signal
import socket
import subprocess
from pathlib import Path

from ...errors import HarnessError
from ...replay.freeze import real_perf_counter

LOOPBACK = "127.0.0.1"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
READY_SECONDS = 20.0  # a helper that does not answer on its port by then failed to start


class HelperFailed(HarnessError):
    """A helper process (redis-server, the fault proxy) could not be started or answered wrongly."""


def free_port() -> int:
    """A loopback port nobody listens on now (the helper binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: the kernel sends SIGKILL when the kit's process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the kit died before the line above took hold
        os._exit(1)


class Helper:
    """One helper process on a loopback port; its output goes to ``log``."""

    def __init__(self, name: str, command: list[str], port: int, log: Path):
        self.name = name
        self.port = port
        self.log = log
        parent = os.getpid()
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:
            # A session of its own: a Ctrl-C meant for the kit (which stops a run and goes on) must not
            # reach it. The kit's death still does, through the parent-death signal.
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True, preexec_fn=lambda: _die_with_parent(parent))
        try:
            self._wait_until_listening()
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _wait_until_listening(self) -> None:
        # Real time, once a process: set-up, not a run (a select, as time.sleep may be refused here).
        started = real_perf_counter()
        while real_perf_counter() - started < READY_SECONDS:
            if not self.alive:
                raise HelperFailed(f"{self.name} exited with {self.process.returncode} at start: "
                                   f"{self.tail()} (log: {self.log})")
            with socket.socket() as probe:
                if probe.connect_ex((LOOPBACK, self.port)) == 0:
                    return
            select.select([], [], [], 0.01)
        raise HelperFailed(f"{self.name} did not listen on {LOOPBACK}:{self.port} within {READY_SECONDS:.0f} s "
                           f"(log: {self.log})")

    def tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-3:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
