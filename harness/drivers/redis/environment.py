"""The kit's Redis: one ``redis-server`` and one fault proxy per process, started on first use.

Every scenario with ``store: {type: redis}`` begins with :meth:`RedisEnvironment.begin`: the proxy
lets connections through and the server is flushed, so scenarios share nothing. The SDKs' clients
connect through the proxy (:attr:`client_port`); the kit reads records past it (:attr:`server`).
Both processes end when the kit's process does (at exit, or by the kernel after a crash).
"""

from __future__ import annotations

import atexit
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .processes import LOOPBACK, HelperFailed
from .proxy import FaultProxy, toxiproxy_binary
from .server import INSTALL_HINT, RedisServer, redis_server_binary

SERVER_WORD = "<redis>"  # what error texts say instead of the proxy's address, which differs by process


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ld-sink-harness" / "redis"


class RedisEnvironment:
    """A running redis-server and the fault proxy in front of it."""

    def __init__(self):
        self.logs = Path(tempfile.mkdtemp(prefix="ld-sink-harness-redis-"))
        self.server = RedisServer(self.logs)
        try:
            self.proxy = FaultProxy(toxiproxy_binary(cache_root()), self.server.port, self.logs)
        except BaseException:
            self.server.stop()
            raise

    host = LOOPBACK

    @property
    def client_port(self) -> int:
        """Where the SDKs' Redis clients connect: the proxy."""
        return self.proxy.listen_port

    @property
    def alive(self) -> bool:
        return self.server.alive and self.proxy.alive

    def begin(self) -> None:
        """A clean slate for one scenario: connections let through, every key gone."""
        self.proxy.set_enabled(True)
        self.server.command("FLUSHALL")

    def set_down(self, down: bool) -> None:
        """The network between the clients and the server: cut (refused, reset) or whole again."""
        self.proxy.set_enabled(not down)

    @property
    def scrub(self) -> "Replace":
        """Rewrites a text's mention of the proxy's address (which differs by process) as :data:`SERVER_WORD`."""
        return Replace(f"{LOOPBACK}:{self.client_port}", SERVER_WORD)

    def stop(self) -> None:
        self.proxy.stop()
        self.server.stop()


@dataclass(frozen=True)
class Replace:
    """``text.replace(old, new)`` as a value: a recording keeps it, and results travel between processes."""

    old: str
    new: str

    def __call__(self, text: str) -> str:
        return text.replace(self.old, self.new)


_SHARED: RedisEnvironment | None = None


def redis_environment() -> RedisEnvironment:
    """This process's Redis, started on first use (and again if it died)."""
    global _SHARED
    if _SHARED is not None and not _SHARED.alive:
        _SHARED.stop()
        _SHARED = None
    if _SHARED is None:
        _SHARED = RedisEnvironment()
        atexit.register(_SHARED.stop)
    return _SHARED


def redis_refusal() -> str:
    """Why this machine cannot run a Redis scenario ("" when it can). In CI (``CI`` set) a missing
    redis-server is not a reason to skip: the run goes ahead and fails, saying what is missing."""
    if redis_server_binary() is None and not os.environ.get("CI"):
        return f"no redis-server on PATH: {INSTALL_HINT}"
    return ""


__all__ = ["HelperFailed", "RedisEnvironment", "SERVER_WORD", "redis_environment", "redis_refusal"]
