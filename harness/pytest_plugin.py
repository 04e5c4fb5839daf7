"""pytest plugin: every scenario file under a ``scenarios`` folder (or named on the command line) is a test.

``pytest scenarios/`` is the conformance suite: one item per scenario and
target (``--harness-target``, repeatable; default every registered target, and
one that cannot run here, such as ``go`` without Go 1.25+, is skipped with
the reason).
Items point at the scenario's file and line; a failure shows expected against
actual and the steps as YAML; a bad file is a collection error naming file,
line and key. Consecutive scenario items share one freezegun freeze, kept in
the session's ``config.stash`` and released as soon as a non-scenario item (or
the end of the session) comes.

Also offers the ``virtual_time`` fixture (one freeze held for a test).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .replay.freeze import virtual_time as _virtual_time
from .drivers import Availability, all_targets, refusal
from .errors import ScenarioError
from .runs.runner import run
from .vocabulary.loader import SCENARIO_SUFFIXES, load_scenario

SCENARIO_DIRS = ["scenarios"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "data-source sink scenarios")
    group.addoption("--harness-target", action="append", default=None, metavar="NAME",
                    help="run scenario files on this target (repeatable; default: every target)")
    parser.addini("harness_scenario_dirs", type="args", default=SCENARIO_DIRS,
                  help="folders whose *.yaml files are scenarios (default: scenarios); a .yaml file named on "
                       "the command line is always collected")


def _named_on_command_line(config: pytest.Config, file_path: Path) -> bool:
    for arg in config.args:
        path = Path(arg.split("::")[0])
        path = path if path.is_absolute() else Path(config.invocation_params.dir) / path
        if path.resolve() == file_path.resolve():
            return True
    return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix not in SCENARIO_SUFFIXES:
        return None
    config = parent.config
    if _named_on_command_line(config, file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    try:
        folders = file_path.relative_to(config.rootpath).parts[:-1]
    except ValueError:
        folders = file_path.parts[:-1]
    if set(config.getini("harness_scenario_dirs")) & set(folders):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Say why, when YAML files were asked for but none was collected as a scenario."""
    if any(isinstance(item, ScenarioItem) for item in session.items):
        return
    asked = [arg for arg in session.config.args if Path(arg.split("::")[0]).is_dir()]
    yaml = [p for arg in asked for p in Path(arg).rglob("*") if p.suffix in SCENARIO_SUFFIXES]
    if yaml:
        dirs = ", ".join(session.config.getini("harness_scenario_dirs"))
        session.config.get_terminal_writer().line(
            f"harness: {len(yaml)} YAML file(s) found, but none under a scenario folder ({dirs}); name the "
            "files, or set harness_scenario_dirs in your pytest configuration", yellow=True)


class ScenarioFile(pytest.File):
    def collect(self):
        scenario = load_scenario(self.path)
        # Every registered target by default; one that cannot run here is skipped with its reason.
        chosen = self.config.getoption("--harness-target") or [t.name for t in all_targets()]
        for target in chosen:
            yield ScenarioItem.from_parent(self, name=f"{scenario.name}[{target}]", scenario=scenario,
                                           target=target)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioError):
            return f"bad scenario: {excinfo.value}"
        return super().repr_failure(excinfo, style)


class ScenarioFailed(Exception):
    """An item's expectations were not met (its message is the report)."""


# The freeze shared by consecutive scenario items of one session (None between them).
SHARED_FREEZE = pytest.StashKey["_virtual_time | None"]()


def hold_freeze(config: pytest.Config) -> None:
    if config.stash.get(SHARED_FREEZE, None) is None:
        held = _virtual_time()
        held.__enter__()
        config.stash[SHARED_FREEZE] = held


def release_freeze(config: pytest.Config) -> None:
    held = config.stash.get(SHARED_FREEZE, None)
    if held is not None:
        config.stash[SHARED_FREEZE] = None
        held.__exit__(None, None, None)


def availability_of(name: str) -> Availability | None:
    """Whether the registered target of that name can run here (None: no such target)."""
    for target in all_targets():
        if target.name == name:
            return target.availability()
    return None


def refusal_of(name: str, scenario) -> str:
    """Why the registered target of that name cannot run this scenario ("" when it can, or is unknown)."""
    for target in all_targets():
        if target.name == name:
            return refusal(target, scenario)
    return ""


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario, target, **kwargs):
        super().__init__(**kwargs)
        self.scenario = scenario
        self.target = target
        self.result = None

    def setup(self) -> None:
        available = availability_of(self.target)  # an unknown target fails in runtest, with the runner's message
        if available is not None and not available.ready:
            pytest.skip(f"target {self.target!r} cannot run here: {available.reason}")
        why = refusal_of(self.target, self.scenario)
        if why:
            pytest.skip(f"target {self.target!r} cannot run this scenario: {why}")
        hold_freeze(self.config)

    def runtest(self) -> None:
        self.result = run(self.scenario, self.target)
        if not self.result.ok:
            raise ScenarioFailed(self.result.report())

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (ScenarioFailed, ScenarioError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        line = (self.scenario.line or 1) - 1
        return self.path, line, f"scenario {self.scenario.name} [{self.target}]"


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if not isinstance(nextitem, ScenarioItem):
        release_freeze(item.config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    release_freeze(session.config)


@pytest.fixture
def virtual_time():
    """Hold one virtual-time freeze for the test; runs inside reuse it."""
    with _virtual_time() as held:
        yield held
