"""Any Python SDK release as a target: the release list, the door on each release's internals, the
environments, the Python driver, and a small real matrix (9.1.0, 9.12.1 and the newest served).

The real releases need their environments (built with uv on first use, into ~/.cache/ld-sink-harness;
a warm cache makes these tests take seconds)."""

import dataclasses
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import harness
from harness.drivers import expand_targets, get_target, refusal, register_family, release_target
from harness.drivers.protocol import DriverProcess
from harness.drivers.python_sdk import door, environments, index, sandbox
from harness.drivers.python_sdk.family import (SDK_ASYNC_FAMILY, SDK_FAMILY, THROUGH_DRIVER, PythonReleaseTarget,
                                               prepare)
from harness.drivers.releases import Version
from harness.replay.clock import VirtualClock, from_micros
from harness.vocabulary.model import Expectations, SourceConfig

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = door.sdk_version()
PYPI = {"9.0.0": "", "9.0.1": "", "9.1.0": "", "9.17.0": "", "9.18.0": "", "9.18.1": "yanked from PyPI",
        "9.20.0": "", "9.21.0rc1": "", "8.2.0": ""}


@pytest.fixture
def fake_pypi(tmp_path, monkeypatch):
    """An empty cache, and an index that answers PYPI (or raises what ``answer`` holds)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    answer = {"releases": dict(PYPI), "calls": 0}

    def fetch():
        answer["calls"] += 1
        if isinstance(answer["releases"], Exception):
            raise answer["releases"]
        return answer["releases"]
    monkeypatch.setattr(index, "fetch_index", fetch)
    yield answer
    register_family(SDK_FAMILY)  # forget the release targets made on the fake list
    register_family(SDK_ASYNC_FAMILY)


# ----------------------------------------------------------------------------- the release list

def test_releases_are_listed_from_9_0_0_up_with_why_one_is_not_served(fake_pypi):
    listed = {str(release.version): release for release in SDK_FAMILY.releases()}
    assert list(listed) == ["9.0.0", "9.0.1", "9.1.0", "9.17.0", "9.18.0", "9.18.1", "9.19.0", "9.20.0"]
    assert "the first release with it is 9.1.0" in listed["9.0.1"].reason and not listed["9.0.1"].served
    assert listed["9.18.1"].reason == "yanked from PyPI" and not listed["9.18.1"].served
    assert "not served by PyPI" in listed["9.19.0"].reason and not listed["9.19.0"].served
    assert listed["9.1.0"].served and listed["9.20.0"].served
    async_listed = {str(release.version): release for release in SDK_ASYNC_FAMILY.releases()}
    assert not async_listed["9.1.0"].served and "AsyncLDClient" in async_listed["9.1.0"].reason
    assert async_listed["9.17.0"].served


def test_the_list_is_cached_with_a_timestamp_and_used_offline(fake_pypi, tmp_path):
    SDK_FAMILY.releases()
    cached = json.loads((tmp_path / "ld-sink-harness" / "python-sdk" / "releases.json").read_text())
    assert cached["releases"]["9.20.0"] == "" and cached["fetched"] > 0
    fake_pypi["releases"] = OSError("network is unreachable")
    assert [str(r.version) for r in SDK_FAMILY.releases()][-1] == "9.20.0"  # fresh: PyPI not asked
    assert fake_pypi["calls"] == 1
    assert [str(r.version) for r in index.releases(refresh=True)][-1] == "9.20.0"  # stale and offline: kept
    assert fake_pypi["calls"] == 2


def test_an_unreachable_index_with_nothing_cached_says_so(fake_pypi):
    fake_pypi["releases"] = OSError("network is unreachable")
    with pytest.raises(harness.UsageError, match="PyPI .* cannot be reached .*network is unreachable"):
        expand_targets(["sdk@9.1.0.."])
    availability = release_target("sdk@9.3.0").availability()  # no environment built in this empty cache
    assert not availability.ready and "cannot be reached" in availability.reason


def test_a_range_runs_over_the_served_releases_and_skips_the_rest(fake_pypi):
    assert expand_targets(["sdk@9.17.0..", "contract"]) == ["sdk@9.17.0", "sdk@9.18.0", "sdk@9.20.0", "contract"]
    assert expand_targets(["sdk-async@9.17.0..9.18.1"]) == ["sdk-async@9.17.0", "sdk-async@9.18.0"]


@pytest.mark.parametrize("name, first", [("sdk@9.0.1", "9.1.0"), ("sdk@9.0.0..9.2.0", "9.1.0"),
                                         ("sdk-async@9.16.1", "9.17.0")])
def test_a_release_older_than_the_sink_names_the_first_that_has_it(fake_pypi, name, first):
    with pytest.raises(harness.UsageError, match=f"the first release with it is {first}"):
        expand_targets([name]) if ".." in name else release_target(name)


def test_a_release_that_cannot_run_here_is_not_ready_with_a_one_line_reason(fake_pypi):
    for name, reason in [("sdk@9.19.0", "not served by PyPI"), ("sdk@9.18.1", "is yanked from PyPI"),
                         ("sdk@9.99.0", "not a release PyPI knows (its newest is 9.20.0)")]:
        availability = release_target(name).availability()
        assert not availability.ready and reason in availability.reason and "\n" not in availability.reason
        with pytest.raises(harness.UsageError, match=f"target '{name}' cannot run here"):
            harness.run(harness.scenario("x").status("VALID").build(), name)


def test_a_failed_install_is_not_ready_with_the_installers_last_error(fake_pypi, monkeypatch):
    def fail(command, what):
        raise environments.BuildFailed(f"{what} failed (exit 1): error: no matching distribution")
    monkeypatch.setattr(environments, "_run", fail)
    availability = PythonReleaseTarget("sdk", Version.parse("9.1.0"), "sync").availability()
    assert not availability.ready
    assert availability.reason.endswith("venv failed (exit 1): error: no matching distribution")
    assert not environments.Environment("9.1.0").root.exists()  # nothing half-built is left


def test_without_uv_an_environment_is_venv_and_the_kits_own_pip(fake_pypi, monkeypatch):
    commands = []
    monkeypatch.setattr(environments, "uv_binary", lambda: None)
    monkeypatch.setattr(environments, "_run", lambda command, what: commands.append(command))
    env = environments.build("9.1.0", progress=False)
    assert environments.default_tool() == "pip" and env.built
    assert commands[0][1:] == ["-m", "venv", "--without-pip", str(env.venv)]
    assert commands[1][1:5] == ["-m", "pip", "--python", str(env.python)]
    assert commands[1][-2:] == ["launchdarkly-server-sdk[async]==9.1.0", environments.FREEZEGUN]


def test_environments_hold_the_freezegun_the_kit_requires():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert environments.FREEZEGUN in project["dependencies"]
    assert any(requirement.startswith("uv") for requirement in project["optional-dependencies"]["dev"])


def test_the_installed_release_runs_in_process_unless_asked_otherwise(monkeypatch):
    version = Version.parse(INSTALLED)
    assert SDK_FAMILY.release_target(version) is get_target("sdk")
    assert SDK_ASYNC_FAMILY.release_target(version) is get_target("sdk-async")
    assert isinstance(SDK_FAMILY.release_target(version, through_driver=True), PythonReleaseTarget)
    monkeypatch.setenv(THROUGH_DRIVER, "always")
    assert isinstance(SDK_FAMILY.release_target(version), PythonReleaseTarget)


# ----------------------------------------------------------------------------- the door on every release

class Shapes:
    """RepeatingTask classes with each constructor the SDK has had."""

    class Unlabelled:
        def __init__(self, interval, initial_delay, callable): ...

    class Labelled:
        def __init__(self, label, interval, initial_delay, callable): ...

    class Delays:
        def __init__(self, label, delays, initial_delay, callable): ...

        @staticmethod
        def at_interval(label, interval, initial_delay, callable): ...

    class Unknown:
        def __init__(self, name, period, fn): ...


def test_the_poller_constructor_is_chosen_by_the_sdks_own_parameters():
    assert door._poller_shape(Shapes.Unlabelled) == (("interval", "initial_delay", "callable"), False)
    assert door._poller_shape(Shapes.Labelled) == (("label", "interval", "initial_delay", "callable"), False)
    assert door._poller_shape(Shapes.Delays) == (("label", "delays", "initial_delay", "callable"), True)
    with pytest.raises(harness.SdkMismatch, match=r"a RepeatingTask constructor the kit knows \(found "
                                                   r"RepeatingTask\(name, period, fn\)"):
        door._poller_shape(Shapes.Unknown)


@pytest.mark.parametrize("shape", [Shapes.Unlabelled, Shapes.Labelled, Shapes.Delays])
def test_the_virtual_poller_takes_each_constructor_and_runs_every_half_second(shape):
    params, at_interval = door._poller_shape(shape)
    sdk = door.SyncSdk("x", None, params, at_interval, None, None)  # type: ignore[arg-type]
    clock = VirtualClock(from_micros(0))
    fired = []
    task_class = sandbox.repeating_task_on(clock, lambda label, e: None, sdk)
    if params[0] != "label":
        task = task_class(0.5, 0, lambda: fired.append(clock.now))
    elif at_interval:
        task = task_class.at_interval("poll", 0.5, 0, lambda: fired.append(clock.now))
    else:
        task = task_class("poll", 0.5, 0, lambda: fired.append(clock.now))
    assert hasattr(task_class, "at_interval") == at_interval  # offered only where the SDK has it
    task.start()
    clock.advance_to(1_200_000)
    task.stop()
    assert fired == [0, 500_000, 1_000_000]
    assert task.label == ("ldclient.check-availability" if params[0] != "label" else "poll")


def test_a_delay_source_gives_the_wait_after_each_run():
    class Growing:
        seconds = 0.0

        @property
        def next_delay(self):
            self.seconds += 1
            return self.seconds
    clock = VirtualClock(from_micros(0))
    fired = []
    task = sandbox.repeating_task_on(clock, lambda label, e: None)("poll", Growing(), 0, lambda: fired.append(clock.now))
    task.start()
    clock.advance_to(7_000_000)
    task.stop()
    assert fired == [0, 1_000_000, 3_000_000, 6_000_000]


# ----------------------------------------------------------------------------- the driver program

LEAF_IMPORT = """
import importlib.util, json, sys
for heavy in ("pandas", "numpy", "yaml", "jsonschema", "tqdm", "matplotlib", "hypothesis"):
    sys.modules[heavy] = None  # importing any of them now raises ImportError
spec = importlib.util.spec_from_file_location("launch", sys.argv[1])
launch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launch)
launch.import_kit_leaves(sys.argv[2])
for leaf in ("driver", "sync", "asynchronous"):
    importlib.import_module("harness.drivers.python_sdk." + leaf)
print(json.dumps({"harness_init_run": hasattr(sys.modules["harness"], "run"),
                  "loaded": sorted(name for name, module in sys.modules.items()  # stubs have no __file__
                                   if name.startswith("harness.") and getattr(module, "__file__", None))}))
"""


def test_the_driver_imports_only_pandas_free_leaves_of_the_kit():
    done = subprocess.run([sys.executable, "-I", "-c", LEAF_IMPORT, str(environments.LAUNCH), str(ROOT)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert not found["harness_init_run"]
    assert "harness.drivers.python_sdk.driver" in found["loaded"]
    assert not any(name.startswith(("harness.results", "harness.runs", "harness.views", "harness.drivers.registry"))
                   for name in found["loaded"]), found["loaded"]


def test_the_driver_refuses_what_it_cannot_obey():
    driver = DriverProcess([sys.executable, "-I", str(environments.LAUNCH), "sync"], "python driver")
    try:
        assert driver.hello["protocol"] == 2 and driver.hello["version"] == INSTALLED
        answers = []
        lines = b'{"op": "upsert", "id": 1}\n{"op": "fly", "id": 2}\n'
        driver.exchange(lines, lambda message: answers.append(message) is None, 2)
        assert answers == [{"error": "ValueError: 'upsert' before begin", "re": 1},
                           {"error": "ValueError: unknown op 'fly'", "re": 2}]
    finally:
        driver.close()


def test_the_check_reports_the_doors_verdict_for_each_mode():
    done = subprocess.run([sys.executable, "-I", str(environments.LAUNCH), "check"], capture_output=True, text=True,
                          timeout=120)
    assert json.loads(done.stdout) == {mode: {"ready": True, "version": INSTALLED, "reason": ""}
                                       for mode in ("sync", "async")}


@pytest.mark.parametrize("family", ["sdk", "sdk-async"])
def test_the_driver_records_exactly_what_the_same_release_records_in_process(family, monkeypatch):
    """The whole catalogue on the installed release, forced through the driver: byte-identical rows."""
    monkeypatch.setenv(THROUGH_DRIVER, "always")
    register_family(SDK_FAMILY if family == "sdk" else SDK_ASYNC_FAMILY)  # forget the in-process target
    try:
        through = f"{family}@{INSTALLED}"
        assert isinstance(get_target(through), PythonReleaseTarget)
        for scenario in harness.collect([ROOT / "scenarios"]):
            if refusal(get_target(through), scenario):  # a redis store: the driver builds none (yet)
                assert scenario.store.type == "redis", scenario.file
                continue
            here, there = harness.run(scenario, family), harness.run(scenario, through)
            assert there.driver_failure is None, there.report()
            assert repr(recorded(there)) == repr(recorded(here)), scenario.file
    finally:
        monkeypatch.delenv(THROUGH_DRIVER)
        register_family(SDK_FAMILY if family == "sdk" else SDK_ASYNC_FAMILY)


def recorded(result):
    recording = result.recording
    return recording.rows, recording.store, recording.step_times, recording.init_versions


# ----------------------------------------------------------------------------- a small real matrix

def newest() -> str:
    return str([release.version for release in SDK_FAMILY.releases() if release.served][-1])


@pytest.fixture(scope="module")
def three_releases():
    """9.1.0 (the first with the sink), 9.12.1 (the sink built in FDv1) and the newest served, built two at a
    time; the newest runs out of process too."""
    names = ["sdk@9.1.0", "sdk@9.12.1", f"sdk@{newest()}", f"sdk-async@{newest()}"]
    ready = prepare(names, jobs=2, progress=False)
    assert all(availability.ready for availability in ready.values()), ready
    return names


def test_every_release_runs_the_whole_catalogue(three_releases):
    catalogue = harness.collect([ROOT / "scenarios"])
    for name in three_releases:
        for result in harness.run_many(catalogue, [name]):
            assert result.driver_failure is None, result.report()
            assert result.recording.rows["status"], result.scenario.file


def test_off_becomes_final_in_9_18_0(three_releases):
    """Before 9.18.0, VALID after OFF is taken (the release's sink returns early from 9.18.0)."""
    path = ROOT / "scenarios" / "status" / "off_is_final.yaml"
    finals = {name: harness.run(path, name).final_state for name in three_releases}
    assert finals == {"sdk@9.1.0": "INTERRUPTED", "sdk@9.12.1": "INTERRUPTED", f"sdk@{newest()}": "OFF",
                      f"sdk-async@{newest()}": "OFF"}


def test_9_1_0s_stale_none_is_recorded_as_false_as_in_process(three_releases):
    outage = (harness.scenario("outage", store="persistent").init(flags={"f1": {"version": 1}})
              .store_down().upsert(flag="f1", version=2).store_up(after="1s").wait("1s").build())
    statuses = harness.run(outage, "sdk@9.1.0").store_status
    assert list(statuses["available"]) == [True, False, True] and list(statuses["stale"]) == [False] * 3


def test_a_release_driver_runs_in_its_own_environment(three_releases):
    target = get_target("sdk@9.1.0")
    assert target.command()[0] == str(environments.Environment("9.1.0").python)
    assert target.driver().hello["version"] == "9.1.0"
    assert os.path.exists(environments.Environment("9.1.0").root / "built.json")


def test_a_release_driver_makes_the_restart_and_records_it_as_the_kits_own(three_releases, monkeypatch):
    """docs/driver-protocol.md, "The source's restart": the Python driver takes the standing order too."""
    from harness.drivers.protocol.session import Session
    from harness.replay.source import SimulatedDataSource
    from harness.vocabulary.render import scenario_yaml
    from test_store_recovery import REALISTIC, frames, inits, recovery_scenarios
    made = []
    real_made = SimulatedDataSource.made
    monkeypatch.setattr(SimulatedDataSource, "made", lambda self, message, step: (made.append(message["made"]),
                                                                                   real_made(self, message, step)))
    scenarios = recovery_scenarios(60)
    monkeypatch.setenv(THROUGH_DRIVER, "always")  # the installed async release through the driver too
    register_family(SDK_ASYNC_FAMILY)
    try:
        for name in ("sdk@9.1.0", "sdk@9.12.1", f"sdk-async@{INSTALLED}"):
            driver = get_target(name).driver()
            assert driver.reacts == {"store_recovery"}
            with harness.virtual_time():
                by_driver = [frames(harness.run(scenario, name)) for scenario in scenarios]
                with monkeypatch.context() as kit_judges:
                    kit_judges.setattr(driver, "reacts", frozenset())
                    by_kit = [frames(harness.run(scenario, name)) for scenario in scenarios]
            for scenario, mine, theirs in zip(scenarios, by_driver, by_kit):
                assert mine == theirs, scenario_yaml(scenario)
    finally:
        monkeypatch.delenv(THROUGH_DRIVER)
        register_family(SDK_ASYNC_FAMILY)
    assert made.count("init") >= 30 and made.count("status") >= 5, made
    waits = []
    flush = Session.flush
    monkeypatch.setattr(Session, "flush", lambda self, wait=True: (waits.append(wait), flush(self, wait))[1])
    realistic = harness.load_scenario(REALISTIC)
    result = harness.run(dataclasses.replace(realistic, source=SourceConfig("restart"), expect=Expectations()),
                         "sdk@9.1.0")
    assert waits.count(True) == 1 and inits(result)[-1] == ("2024-01-01 00:00:16.500000+00:00", "applied")
