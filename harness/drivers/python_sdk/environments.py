"""One virtual environment per Python SDK release, built on first use and reused.

Each release runs in ``<cache>/python-sdk/envs/<version>-<python>/`` (the cache
is ``~/.cache/ld-sink-harness``, under ``XDG_CACHE_HOME`` when set), holding
``launchdarkly-server-sdk[async]==<version>`` and freezegun: what the driver
(:mod:`.driver`) needs besides the kit's own pure modules, and nothing heavy.
The environment's Python is the kit's own, so the kit's modules run in it.

It is built with ``uv`` where uv is installed (about half a second from a warm
uv cache), else with ``python -m venv --without-pip`` and the kit's own pip
(``pip --python``), else with ``venv`` and the environment's own pip. A build
takes a file lock, so processes building the same release wait for one
another, and writes ``built.json`` last: an environment without it is
unfinished and is built again. :func:`prepare` builds several at once.

After a build, the door checks the release from inside it (``launch.py
check``); the verdict is kept beside the environment, keyed by a hash of the
kit's sources, so a changed kit checks again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from ...errors import HarnessError
from ...replay.freeze import real_perf_counter
from ..setup_bar import SetupBar
from .door import DISTRIBUTION
from .index import cache_root

FREEZEGUN = "freezegun>=1.5,<2"  # as the kit's own requirement (a test keeps them equal)
LAUNCH = Path(__file__).with_name("launch.py")
KIT = Path(__file__).resolve().parents[2]  # the harness package folder
TOOLS = ("uv", "pip")


class BuildFailed(HarnessError):
    """An environment could not be built; the message is one line saying why."""


def uv_binary() -> str | None:
    """uv from the ``uv`` package in the kit's environment (the dev dependency), else on PATH."""
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]
        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def default_tool() -> str:
    return "uv" if uv_binary() else "pip"


def base_python() -> str:
    """The interpreter the kit runs on, outside any virtual environment."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


@lru_cache(maxsize=1)
def kit_hash() -> str:
    """A hash of the kit's Python sources: a door verdict holds for these sources only."""
    digest = hashlib.sha256()
    for path in sorted(KIT.rglob("*.py")):
        digest.update(str(path.relative_to(KIT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Environment:
    """Where one release's environment lives."""

    version: str

    @property
    def root(self) -> Path:
        python = f"py{sys.version_info[0]}{sys.version_info[1]}"
        where = hashlib.sha256(base_python().encode()).hexdigest()[:8]
        return cache_root() / "envs" / f"{self.version}-{python}-{where}"

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def built(self) -> bool:
        return (self.root / "built.json").exists()

    def requirements(self) -> list[str]:
        return [f"{DISTRIBUTION}[async]=={self.version}", FREEZEGUN]

    def command(self, mode: str) -> list[str]:
        """The driver's command line in this environment (``mode``: sync or async)."""
        return [str(self.python), "-I", str(LAUNCH), mode]


@contextlib.contextmanager
def _locked(env: Environment) -> Iterator[None]:
    env.root.parent.mkdir(parents=True, exist_ok=True)
    with open(env.root.with_name(env.root.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
        said = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else "")
        raise BuildFailed(f"{what} failed (exit {done.returncode}): {said}")


def _host_pip_can_target() -> bool:
    """Whether the kit's own pip installs into another environment (``pip --python``, pip 22.3+)."""
    try:
        import pip  # noqa: F401
    except ImportError:
        return False
    from importlib.metadata import version
    major, minor = (int(part) for part in version("pip").split(".")[:2])
    return (major, minor) >= (22, 3)


def _create(env: Environment, tool: str) -> None:
    if tool == "uv":
        uv = uv_binary()
        if uv is None:
            raise BuildFailed("uv is not installed (pip install uv, or choose tool='pip')")
        _run([uv, "venv", "--quiet", "--python", base_python(), str(env.venv)], "uv venv")
    elif _host_pip_can_target():
        _run([base_python(), "-m", "venv", "--without-pip", str(env.venv)], "python -m venv")
    else:
        _run([base_python(), "-m", "venv", str(env.venv)], "python -m venv")


def _install(env: Environment, tool: str) -> None:
    what = f"installing {DISTRIBUTION}=={env.version}"
    if tool == "uv":
        _run([str(uv_binary()), "pip", "install", "--quiet", "--python", str(env.python), *env.requirements()], what)
    elif _host_pip_can_target():
        _run([sys.executable, "-m", "pip", "--python", str(env.python), "install", "--quiet",
              *env.requirements()], what)
    else:
        _run([str(env.python), "-m", "pip", "install", "--quiet", *env.requirements()], what)


def build(version: str, tool: str | None = None, progress: bool = True, position: int | None = None) -> Environment:
    """The release's environment, built first if it is not built yet (``tool``: uv or pip; the
    default is uv where it is installed). Raises :class:`BuildFailed` with a one-line reason."""
    env = Environment(version)
    if env.built:
        return env
    tool = tool or default_tool()
    if tool not in TOOLS:
        raise BuildFailed(f"no environment tool {tool!r} (choose one of {', '.join(TOOLS)})")
    with _locked(env):
        if env.built:  # another process built it while this one waited
            return env
        shutil.rmtree(env.root, ignore_errors=True)  # an unfinished build
        env.root.mkdir(parents=True)
        started = real_perf_counter()  # a build may happen inside a freeze
        with SetupBar(f"{DISTRIBUTION} {version}: environment ({tool})", 2, unit="step", shown=progress,
                      position=position) as bar:
            try:
                _create(env, tool)
                bar.update()
                _install(env, tool)
                bar.update()
            except BuildFailed:
                shutil.rmtree(env.root, ignore_errors=True)
                raise
            except subprocess.TimeoutExpired:
                shutil.rmtree(env.root, ignore_errors=True)
                raise BuildFailed(f"building the environment of {DISTRIBUTION} {version} took over 15 minutes") from None
        record = {"version": version, "tool": tool, "python": base_python(), "seconds": round(real_perf_counter() - started, 3),
                  "requirements": env.requirements()}
        (env.root / "built.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return env


def verdicts(env: Environment) -> dict[str, dict]:
    """The door's verdict on the release for each mode (``sync``, ``async``): ``{"ready", "version",
    "reason"}``, checked inside the environment once per kit source hash."""
    path = env.root / f"checks-{kit_hash()}.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text(encoding="utf-8"))
    done = subprocess.run([str(env.python), "-I", str(LAUNCH), "check"], capture_output=True, text=True, timeout=300)
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        said = (done.stderr.strip().splitlines() or ["no output"])[-1]
        reason = f"{DISTRIBUTION} {env.version}: the driver's check failed (exit {done.returncode}): {said}"
        return {mode: {"ready": False, "version": env.version, "reason": reason} for mode in ("sync", "async")}
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(found), encoding="utf-8")
    os.replace(partial, path)
    return found
