"""Toxiproxy between the SDK's Redis client and the server: the real network faults of a Redis
outage. Disabled, it refuses new connections and closes the open ones (the client sees them reset);
enabled again, it listens on the same port. Built once from the Go module proxy with ``go install``
into the kit's cache, like the Go driver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from .processes import LOOPBACK, Helper, HelperFailed, free_port

TOXIPROXY = "github.com/Shopify/toxiproxy/v2"
TOXIPROXY_VERSION = "v2.5.0"
PROXY_NAME = "redis"


def toxiproxy_binary(cache: Path) -> Path:
    """Toxiproxy's server, built first if this Go has not built it yet; raises :class:`HelperFailed`."""
    from ..go.build import GoMissing, go_toolchain  # Go builds it, as it builds the Go driver
    try:
        go, go_version = go_toolchain()
    except GoMissing as e:
        raise HelperFailed(f"Toxiproxy is built with Go: {e}") from None
    folder = cache / f"toxiproxy-{TOXIPROXY_VERSION}-{go_version}"
    binary = folder / "server"
    if binary.exists():
        return binary
    print(f"building Toxiproxy {TOXIPROXY_VERSION} with {go_version} (once; into {folder})", file=sys.stderr)
    work = folder.with_name(folder.name + f".building-{os.getpid()}")
    env = {**os.environ, "GOBIN": str(work), "GOFLAGS": "-mod=mod", "GOWORK": "off"}
    try:
        done = subprocess.run([go, "install", f"{TOXIPROXY}/cmd/server@{TOXIPROXY_VERSION}"], env=env,
                              capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as e:
        raise HelperFailed(f"building Toxiproxy failed: {e}") from None
    if done.returncode != 0:
        raise HelperFailed(f"building Toxiproxy failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
    if folder.exists():  # another process built it meanwhile
        shutil.rmtree(work, ignore_errors=True)
    else:
        work.replace(folder)
    return binary


class FaultProxy(Helper):
    """A Toxiproxy server on loopback with one proxy, ``upstream_port`` -> :attr:`listen_port`."""

    def __init__(self, binary: Path, upstream_port: int, log_dir: Path):
        api_port = free_port()
        super().__init__("toxiproxy", [str(binary), "-host", LOOPBACK, "-port", str(api_port)], api_port,
                         log_dir / "toxiproxy.log")
        made = self._call("POST", "/proxies", {"name": PROXY_NAME, "listen": f"{LOOPBACK}:0",
                                               "upstream": f"{LOOPBACK}:{upstream_port}"})
        self.listen_port = int(made["listen"].rpartition(":")[2])
        self.enabled = True

    def _call(self, method: str, path: str, body: dict) -> dict:
        request = urllib.request.Request(f"http://{LOOPBACK}:{self.port}{path}", method=method,
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise HelperFailed(f"toxiproxy's API refused {method} {path}: {e} ({self.tail()})") from None

    def set_enabled(self, enabled: bool) -> None:
        """Let connections through, or refuse new ones and close the open ones."""
        if enabled != self.enabled:
            self._call("POST", f"/proxies/{PROXY_NAME}", {"enabled": enabled})
            self.enabled = enabled
