"""A real ``redis-server`` on loopback, and the few commands the kit sends it itself (RESP over a
socket: flushing between scenarios, reading records past the SDK for outcomes and tests)."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any, BinaryIO

from .processes import LOOPBACK, Helper, HelperFailed, free_port

INSTALL_HINT = "install it: apt-get install redis-server (the Makefile's `make redis-server` and .ci/run do)"


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer(Helper):
    """``redis-server`` on a free loopback port, keeping nothing on disk."""

    def __init__(self, log_dir: Path):
        binary = redis_server_binary()
        if binary is None:
            raise HelperFailed(f"no redis-server on PATH: {INSTALL_HINT}")
        port = free_port()
        super().__init__("redis-server", [binary, "--port", str(port), "--bind", LOOPBACK, "--save", "",
                                          "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                                          "--dir", str(log_dir)], port, log_dir / "redis-server.log")

        self._conn: socket.socket | None = None
        self._replies: BinaryIO | None = None

    def command(self, *args: str) -> Any:
        """One command straight to the server (not through the fault proxy); its reply."""
        if self._conn is None:
            self._conn = socket.create_connection((LOOPBACK, self.port), timeout=10)
            self._replies = self._conn.makefile("rb")
        try:
            self._conn.sendall(encode(args))
            return read_reply(self._replies)  # type: ignore[arg-type]
        except OSError:
            self._close_connection()
            raise

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._replies.close()  # type: ignore[union-attr]
            self._conn.close()
            self._conn = self._replies = None

    def stop(self) -> None:
        self._close_connection()
        super().stop()


def encode(args: tuple[str, ...]) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


def read_reply(replies: BinaryIO) -> Any:
    line = replies.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise HelperFailed(f"redis-server answered an error: {rest.decode()}")
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else replies.read(size + 2)[:-2].decode()
    if kind == b"*":
        size = int(rest)
        return None if size < 0 else [read_reply(replies) for _ in range(size)]
    raise HelperFailed(f"redis-server sent something that is not RESP: {line[:80]!r}")
