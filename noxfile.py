"""Run the test suite on the lowest supported Python SDK release (``make test`` calls this).

The project's own ``.venv`` runs the newest release ``pyproject.toml`` allows;
this session builds ``.nox/lowest_sdk`` with the lowest one, read from the
``launchdarkly-server-sdk`` bound in ``pyproject.toml``, and runs the same suite.
"""

import re
import tomllib
from pathlib import Path

import nox

nox.options.reuse_existing_virtualenvs = True
# uv builds the session's environment, chosen here rather than left to nox's search: it is a dev
# dependency, which nox finds through its Python package even when it is not on PATH.
nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True


def lowest_sdk() -> str:
    project = tomllib.loads(Path(__file__).with_name("pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        match = re.match(r"launchdarkly-server-sdk(\[[^\]]*\])?>=([\d.]+)", requirement)
        if match:
            return match.group(2)
    raise RuntimeError("pyproject.toml names no lower bound for launchdarkly-server-sdk")


@nox.session(python="3.11")
def lowest_sdk_tests(session: nox.Session) -> None:
    """The whole suite on the lowest supported launchdarkly-server-sdk."""
    # pip too: a uv environment has none, and the suite builds a wheel and environments with it
    session.install("--quiet", "-e", ".[dev]", f"launchdarkly-server-sdk[async]=={lowest_sdk()}", "pip")
    session.run("python", "-c", "import ldclient.version as v; print('launchdarkly-server-sdk', v.VERSION)")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)
