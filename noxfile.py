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
nox.options.error_on_missing_interpreters = True


def lowest_sdk() -> str:
    project = tomllib.loads(Path(__file__).with_name("pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        match = re.match(r"launchdarkly-server-sdk(\[[^\]]*\])?>=([\d.]+)", requirement)
        if match:
            return match.group(2)
    raise RuntimeError("pyproject.toml names no lower bound for launchdarkly-server-sdk")


@nox.session(python="3.11", venv_backend="uv")
def lowest_sdk_tests(session: nox.Session) -> None:
    """The whole suite on the lowest supported launchdarkly-server-sdk."""
    session.install("--quiet", "-e", ".[dev]", f"launchdarkly-server-sdk[async]=={lowest_sdk()}")
    session.run("python", "-c", "import ldclient.version as v; print('launchdarkly-server-sdk', v.VERSION)")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *session.posargs)
