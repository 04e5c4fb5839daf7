"""The Go targets: the real Go sink out of process, and what happens when a driver misbehaves."""

import sys
import textwrap
from pathlib import Path

import pytest

import harness
from harness.drivers.go import GO, GO_V6
from harness.drivers.go.build import V7, binary_path
from harness.drivers import unregister_target
from harness.drivers.protocol import DriverTarget

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif("go" not in harness.targets(),
                                reason=GO.availability().reason or "the go target is not ready")

STALE = (harness.scenario("stale").init(flags={"f1": {"version": 1}}).status("VALID")
         .upsert(flag="f1", version=3).upsert(flag="f1", version=2).delete(flag="f1", version=2).build())


@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_outcomes_are_read_from_the_store_not_from_the_sinks_bool(target):
    res = harness.run(STALE, target)
    data = res.ops[res.ops["op"] != "status"]
    # Go's Upsert returns true for a stale write (true means "no store error"); the store did not change.
    assert list(data["outcome"].astype(str)) == ["applied", "applied", "ignored", "ignored"]
    assert list(res.store.itertuples(index=False, name=None)) == [("flags", "f1", 3, False)]
    assert list(res.changes["key"]) == ["f1", "f1"]


def test_the_sdks_own_timers_run_on_the_virtual_clock():
    sc = (harness.scenario("outage", store="persistent", outage_log_after="1m").init(flags={"f1": {"version": 1}})
          .status("VALID").store_down(message="gone").upsert(flag="f1", version=2, at="10s")
          .store_up(at="20s").wait("2m").build())
    res = harness.run(sc, "go")
    recovered = res.store_status[res.store_status["available"]].iloc[-1]
    assert str(recovered["t"]) == "2024-01-01 00:00:20.500000+00:00"  # the next 0.5 s poll after store_up
    assert bool(recovered["stale"])                                      # NeedsRefresh
    outage = res.logs[res.logs["message"].str.contains("data source outage")]
    assert list(outage["t"].astype(str)) == ["2024-01-01 00:01:10+00:00"]  # 1m after the store error at 10s
    assert res.status["error_time"].iloc[-1] == res.status["t"].iloc[-1]


@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_a_scenario_gives_the_same_timeline_every_time_and_after_a_restart(target):
    scenario = harness.load_scenario("scenarios/outages/cached_evaluations_during_outage.yaml")
    first = harness.run(scenario, target).timeline
    again = harness.run(scenario, target).timeline
    {"go": GO, "go-v6": GO_V6}[target].stop()  # a fresh driver process
    fresh = harness.run(scenario, target).timeline
    assert first.equals(again) and first.equals(fresh)


def test_a_failing_step_never_leaves_the_driver_mid_scenario():
    bad = harness.scenario("late-at").wait("5s").status("VALID", at="1s").build()
    with pytest.raises(harness.ScenarioError, match="'at' is 1s after the start"):
        harness.run(bad, "go")
    assert harness.run(STALE, "go").ok


def test_the_driver_is_built_into_a_cache_keyed_by_sources_and_go_version():
    path = binary_path(V7)
    assert path.exists() and path.name == "driver.test"
    assert V7.pinned == "v7.14.6" and "v7.14.6" in path.parent.name


def test_harness_targets_shows_the_go_sdk_versions(capsys):
    from harness.cli import main
    main(["targets"])
    out = capsys.readouterr().out
    assert "github.com/launchdarkly/go-server-sdk/v7@v7.14.6" in out
    assert "github.com/launchdarkly/go-server-sdk/v6@v6.2.1" in out


# ----------------------------------------------------------------------------- broken drivers

FAKE = textwrap.dedent('''
    import json, sys, time
    mode = sys.argv[1]
    def say(obj):
        sys.stdout.write(json.dumps(obj) + "\\n"); sys.stdout.flush()
    say({"hello": "fake", "protocol": 99 if mode == "old-protocol" else 1})
    for line in sys.stdin:
        op = json.loads(line)["op"]
        if op == "begin":
            say({"row": "status", "t": 0, "state": "INITIALIZING", "since": 0, "error_kind": None,
                 "status_code": None, "error_message": None, "error_time": None})
            say({"reply": "begin"})
        elif mode == "bad-message":
            say({"surprise": op})
        elif mode == "not-json":
            sys.stdout.write("panic: something Go-ish\\n"); sys.stdout.flush()
        elif mode == "bad-row":
            say({"row": "weather", "t": 0})
        elif mode == "wrong-reply":
            say({"reply": "something-else"})
        elif mode == "crash":
            sys.stderr.write("fatal error: the driver fell over\\n"); sys.exit(3)
        elif mode == "hang":
            time.sleep(3600)
''')


@pytest.fixture
def fake(tmp_path):
    """Register a broken driver's target for one test, and forget it after."""
    script = tmp_path / "fake_driver.py"
    script.write_text(FAKE)
    made = []

    def make(mode):
        made.append(FakeTarget(script, mode))
        harness.register_target(made[-1])
        return made[-1]
    yield make
    for target in made:
        target.stop()
        unregister_target(target.name)


class FakeTarget(DriverTarget):
    timeout = 2.0

    def __init__(self, script, mode):
        super().__init__(f"fake-{mode}", "a deliberately broken driver")
        self.script, self.mode = script, mode

    def command(self):
        return [sys.executable, str(self.script), self.mode]


@pytest.mark.parametrize("mode, words", [
    ("bad-message", "protocol error: the driver sent {'surprise': 'init'}, which is neither a row"),
    ("not-json", "protocol error: the driver sent a line that is not JSON: b'panic: something Go-ish'"),
    ("bad-row", "a row of unknown frame 'weather'"),
    ("wrong-reply", "answered 'init' with a reply to 'something-else'"),
    ("crash", "exited (code 3) mid-scenario; it said:\nfatal error: the driver fell over"),
    ("hang", "did not answer within 2 s (it hangs); it was stopped"),
])
def test_a_broken_driver_ends_the_run_with_an_error_result(fake, mode, words):
    target = fake(mode)
    res = harness.run(STALE, target.name)
    assert not res.ok
    (failure,) = res.failures
    assert failure.what == "driver" and words in failure.actual, failure.actual
    assert list(res.status["state"].astype(str)) == ["INITIALIZING"]  # what it recorded before is kept
    assert target._driver is None  # stopped: the next run starts a fresh one
    assert harness.run(STALE, "go").ok  # and the real targets carry on


def test_a_driver_of_another_protocol_version_is_refused(fake):
    target = fake("old-protocol")
    res = harness.run(STALE, target.name)
    assert "the driver speaks protocol 99; the kit speaks 1" in res.failures[0].actual


def test_fake_targets_are_gone_after_their_test():
    assert not [name for name in harness.targets(ready_only=False) if name.startswith("fake-")]


def test_the_contract_agrees_with_both_go_targets_on_the_whole_catalogue():
    report = harness.diff(["scenarios"], targets=["contract", "go", "go-v6"])
    # but for the order of two events at one instant, which is each implementation's own
    assert [str(d) for d in report.divergences if d.known != "same-instant-order"] == []
    assert {d.scenario.name for d in report.divergences} <= {"poll-and-reconnect-at-the-same-instant"}
    assert len(report.results) == 3 * len(list(ROOT.joinpath("scenarios").rglob("*.yaml")))


def test_without_go_the_targets_say_why_in_one_line(monkeypatch):
    import harness.drivers.go.build as build
    build.go_toolchain.cache_clear()
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    try:
        available = GO.availability()
        assert not available.ready
        assert available.reason == "needs Go 1.25+ on PATH (testing/synctest); no 'go' found"
        assert "go" not in harness.targets() and "go" in harness.targets(ready_only=False)
    finally:
        monkeypatch.undo()
        build.go_toolchain.cache_clear()
    assert GO.availability().ready


def test_a_built_wheel_ships_the_go_driver_sources_the_schema_and_the_catalogue(tmp_path):
    import subprocess
    import zipfile
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("harness/drivers/go/driver/common/driver.go", "harness/drivers/go/driver/common/driver_test.go",
                 "harness/drivers/go/driver/v7/go.mod", "harness/drivers/go/driver/v7/go.sum",
                 "harness/drivers/go/driver/v6/sdk.go", "harness/vocabulary/scenario.schema.json",
                 "harness/catalogue/versioning/out_of_order.yaml"):
        assert name in names, name
    shipped = {n for n in names if n.startswith("harness/catalogue/") and n.endswith(".yaml")}
    assert len(shipped) == len(list(ROOT.joinpath("scenarios").rglob("*.yaml")))  # the whole catalogue
