"""The Go targets: the real Go sink out of process, and what happens when a driver misbehaves."""

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

import harness
from harness.drivers.go import GO, GO_V6
from harness.drivers.go.build import V6, V7, binary_path, ensure_built
from harness.drivers import unregister_target
from harness.drivers.protocol import DriverTarget
from harness.vocabulary.model import SourceConfig

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
    # the source does not restart when the store comes back, so the outage lasts and is logged
    sc = (harness.scenario("outage", store="persistent", outage_log_after="1m", source={"on_store_recovery": "nothing"})
          .init(flags={"f1": {"version": 1}})
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


def test_a_driver_serves_scenarios_per_driver_scenarios_then_a_fresh_one_starts(monkeypatch):
    monkeypatch.setattr(GO, "scenarios_per_driver", 3)
    GO.stop()
    pids = []
    for _ in range(7):
        assert harness.run(STALE, "go").ok
        pids.append(GO._driver.pid)  # (driver() would already start the next one)
    assert [pids.index(pid) for pid in pids] == [0, 0, 0, 3, 3, 3, 6]


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
    reacts = {"bad-reacts": ["coffee"], "unhashable-reacts": [{}]}.get(mode, ["store_recovery"] if mode.startswith("made:") else [])
    say({"hello": "fake", "protocol": 99 if mode == "old-protocol" else 2, "reacts": reacts})
    STATUS = {"row": "status", "t": 0, "state": "INITIALIZING", "since": 0, "error_kind": None,
              "status_code": None, "error_message": None, "error_time": None}
    GOOD = {"ok": True, "before": None, "after": {"version": 1, "deleted": False}, "changed": True}
    GARBAGE = {  # the reply (or row) each mode sends to the first write
        "no-ok": {"before": None, "after": None, "changed": True},
        "ok-yes": {**GOOD, "ok": "yes"},
        "after-5": {**GOOD, "after": 5},
        "version-text": {**GOOD, "after": {"version": "1", "deleted": False}},
    }
    for line in sys.stdin:
        command = json.loads(line)
        op, re = command["op"], command["id"]
        if op == "begin":
            say({**STATUS, "re": re})
            say({"reply": "begin", "re": re})
        elif mode == "stop-reading":
            time.sleep(3600)
        elif mode == "bad-message":
            say({"surprise": op, "re": re})
        elif mode == "not-json":
            sys.stdout.write("panic: something Go-ish\\n"); sys.stdout.flush()
        elif mode == "bad-row":
            say({"row": "weather", "t": 0, "re": re})
        elif mode == "wrong-reply":
            say({"reply": "something-else", "re": re})
        elif mode == "wrong-re":
            say({"reply": op, "re": re + 7})
        elif mode == "crash":
            sys.stderr.write("fatal error: the driver fell over\\n"); sys.exit(3)
        elif mode == "hang":
            time.sleep(3600)
        elif mode == "endless-rows":
            while True:
                say({**STATUS, "re": re})
        elif mode == "endless-line":
            chunk = "x" * 65536
            while True:
                sys.stdout.write(chunk)
        elif mode.startswith("row:"):  # a status row with one field replaced
            field, value = mode[4:].split("=", 1)
            say({**STATUS, field: json.loads(value), "re": re})
            say({"reply": op, "re": re, **GOOD})
        elif mode.startswith("made:") and op not in ("recovery", "end"):  # a restart's init, one field replaced
            field, value = mode[5:].split("=", 1)
            made = {"made": "init", "t": 0, "ok": True, "error": None, "written": [["flags", "f1", 1]]}
            say({**made, field: json.loads(value), "re": re})
            say({"reply": op, "re": re, **GOOD})
        elif mode == "end-store-5":
            say({"reply": op, "re": re, **GOOD, "store": 5})
        elif mode == "end-store-short":
            say({"reply": op, "re": re, **GOOD, "store": [["flags"]]})
        elif op == "upsert":
            say({"reply": op, "re": re, **GARBAGE[mode]})
        else:
            say({"reply": op, "re": re, **GOOD})
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
    ("bad-message", "protocol error: the driver sent {'surprise': 'init', 're': 2}, which is neither a row"),
    ("not-json", "protocol error: the driver sent a line that is not JSON: b'panic: something Go-ish'"),
    ("bad-row", "a row of unknown frame 'weather'"),
    ("wrong-reply", "answered 'init' with a reply to 'something-else'"),
    ("wrong-re", "sent a message for command 9 while command 2 ('init') was unanswered"),
    ("crash", "exited (code 3) while answering"),
    ("hang", "did not answer within 2 s (it hangs); it was stopped"),
    # a driver that stops reading while the kit sends it more than a pipe holds
    ("stop-reading", "did not answer within 2 s (it hangs); it was stopped"),
    ("endless-rows", "sent more than 100,004 rows for one 'init' command"),
    ("endless-line", "sent a line longer than 64 MiB"),
    # garbage in a field the protocol defines (issue 20's table)
    ("no-ok", "replied to 'upsert' without 'ok'"),
    ("ok-yes", "replied to 'upsert' with ok 'yes', not true or false"),
    ("after-5", "replied to 'upsert' with after 5, not null or {version, deleted}"),
    ("version-text", "replied to 'upsert' with after {'version': '1', 'deleted': False}"),
    ("row:t=\"abc\"", "sent a status row whose t is 'abc', not a time"),
    ("row:t=1e30", "sent a status row whose t is 1e+30, not a time"),
    ("row:since=\"x\"", "sent a status row whose since is 'x', not a time"),
    ("row:state=\"SLEEPY\"", "sent a status row whose state is 'SLEEPY', not one of INITIALIZING"),
    ("row:status_code=1e400", "sent a status row whose status_code is inf"),
    ("end-store-5", "replied to 'end' with store 5, not a list of [kind, key, version, deleted] rows"),
    ("end-store-short", "replied to 'end' with store [['flags']]"),
    # a driver that makes the source's restart itself (see docs/driver-protocol.md), badly
    ("made:ok=true", "made a call the kit did not order"),   # the scenario's source never restarts
    ("made:written=5", "made 'init' with written 5, not a list of [kind, key, version]"),
    ("made:written=[[\"flags\", \"f1\", -1]]", "made 'init' with written [['flags', 'f1', -1]]"),
    ("made:made=\"reboot\"", "made a call the kit never orders"),
    ("made:t=\"x\"", "made 'init' with t 'x', not a time"),
])
def test_a_broken_driver_ends_the_run_with_an_error_result(fake, mode, words):
    target = fake(mode)
    scenario = BIG_INIT if mode == "stop-reading" else STALE
    if mode.startswith("made:") and mode != "made:ok=true":
        scenario = replace(STALE, source=SourceConfig("restart"))   # the kit orders the driver to restart
    res = harness.run(scenario, target.name)
    assert not res.ok
    (failure,) = res.failures
    assert failure.what == "driver" and words in failure.actual, failure.actual
    assert "Traceback" not in failure.actual
    assert list(res.status["state"].astype(str))[:1] == ["INITIALIZING"]  # what it recorded before is kept
    assert target._driver is None  # stopped: the next run starts a fresh one
    assert harness.run(STALE, "go").ok  # and the real targets carry on


# An init larger than a pipe's buffer (64 KiB): 5,000 flags.
BIG_INIT = harness.scenario("big-init").init(flags={f"flag-{i}": {"version": 1} for i in range(5000)}).build()


def test_a_driver_of_another_protocol_version_is_refused(fake):
    target = fake("old-protocol")
    res = harness.run(STALE, target.name)
    assert "the driver speaks protocol 99; the kit speaks 2" in res.failures[0].actual


@pytest.mark.parametrize("mode, shown", [("bad-reacts", "['coffee']"), ("unhashable-reacts", "[{}]")])
def test_a_driver_that_offers_a_reaction_the_kit_does_not_know_is_refused(fake, mode, shown):
    res = harness.run(STALE, fake(mode).name)
    assert f"the hello's reacts is {shown}, not a list of reactions among store_recovery" in res.failures[0].actual


@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_an_item_the_go_sdk_cannot_read_is_a_failed_write_and_the_run_goes_on(target):
    from harness.replay.source import SimulatedDataSource
    # The vocabulary refuses such an item at load; a world built in code can still send one.
    sc = (harness.scenario("unreadable").init(flags={"f1": {"version": 1}}).status("VALID")
          .upsert(flag="f1", version=2).upsert(flag="f1", version=3).build())
    original = SimulatedDataSource.write_plain

    def garbled(self, action, kind, key, version):
        if version == 2:
            item = {"key": key, "version": version, "on": "yes"}  # the Go SDK reads 'on' as a boolean only
            return self._remember(kind, key, version, item)
        return original(self, action, kind, key, version)
    SimulatedDataSource.write_plain = garbled
    try:
        res = harness.run(sc, target)
    finally:
        SimulatedDataSource.write_plain = original
    data = res.ops[res.ops["op"] != "status"]
    assert list(data["outcome"].astype(str)) == ["applied", "error", "applied"]
    assert "the Go SDK cannot read flags \"f1\"" in data["error"].iloc[1]
    assert list(res.store.itertuples(index=False, name=None)) == [("flags", "f1", 3, False)]


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


@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_log_lines_of_one_instant_come_in_one_order_whatever_the_scheduler_does(target):
    # The outage line (the outage logger's timer) and "available again" (the store poller) fall at one
    # virtual instant, from two goroutines: their order used to follow the scheduler's.
    sc = (harness.scenario("same-instant-logs", store="persistent", outage_log_after="1s")
          .init(flags={"f1": {"version": 1}}).status("VALID").store_down()
          .upsert(flag="f1", version=2, at="1s").store_up(after="750ms").wait("5s").build())
    orders = {tuple(harness.run(sc, target).logs["message"]) for _ in range(40)}
    assert len(orders) == 1, orders
    (order,) = orders
    assert any("outage" in line for line in order) and any("available again" in line for line in order)


def test_a_ctrl_c_stops_a_run_waiting_on_a_hung_driver_at_once(fake):
    import signal
    target = fake("hang")
    target.timeout = 60.0  # the timeout alone would take a minute
    original = target.command

    def pressed_after_start():
        signal.setitimer(signal.ITIMER_REAL, 0.5)  # SIGALRM half a second in, turned into a Ctrl-C below
        return original()
    target.command = pressed_after_start
    previous = signal.signal(signal.SIGALRM, lambda *_: signal.raise_signal(signal.SIGINT))
    try:
        with pytest.raises(KeyboardInterrupt):  # the driver's timeout would have given a failed Result instead
            harness.run(STALE, target.name)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert target._driver is None  # and the hung driver is gone
    assert harness.run(STALE, "go").ok


# ----------------------------------------------------------------------------- tombstones, both ways

DELETE_THEN_READ = """
name: delete-then-read
store: {type: persistent, tombstones: %s}
steps:
  - init: {flags: {f1: {version: 1}, f2: {version: 3, deleted: true}}}
  - delete: {flag: f1, version: 2}
  - evaluate: {flag: f1, default: gone}
  - evaluate: {flag: f2, default: gone}
  - upsert: {flag: f1, version: 2}
  - upsert: {flag: f2, version: 3}
"""


@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_gos_wrapper_reads_a_tombstone_kept_in_either_form_alike(target):
    runs = {form: harness.run(harness.scenario_from_yaml(DELETE_THEN_READ % form), target)
            for form in ("serialized", "flag")}
    for res in runs.values():
        assert list(res.evaluations["value"]) == ["gone", "gone"]
        assert list(res.evaluations["reason"]) == ["ERROR:FLAG_NOT_FOUND"] * 2
        assert list(res.store.itertuples(index=False, name=None)) == [("flags", "f1", 2, True),
                                                                      ("flags", "f2", 3, True)]
        assert list(res.ops["outcome"].astype(str)) == ["applied", "applied", "ignored", "ignored"]
    assert runs["serialized"].timeline.drop(columns=["seq"]).equals(runs["flag"].timeline.drop(columns=["seq"]))


@pytest.mark.parametrize("flavour", [V7, V6])
def test_the_go_drivers_core_keeps_the_chosen_form(flavour):
    # The frames cannot tell the forms apart on Go (above): the driver's own Go test looks at the core.
    ran = subprocess.run([str(ensure_built(flavour, progress=False)), "-test.run=^TestStores", "-test.v"],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "--- PASS: TestStoresKeepTombstonesInTheChosenForm" in ran.stdout


@pytest.mark.parametrize("store, error", [
    ({"type": "persistent", "tombstones": "dict"}, 'unknown tombstones form "dict" (serialized or flag)'),
    ({"type": "go", "core": "./mystore:New"}, "this driver is built without a Go store (the kit builds one for "
                                              "each store.core)"),
])
def test_the_go_driver_refuses_a_store_it_cannot_build(store, error):
    begin = {"op": "begin", "id": 1, "start": 0, "store": store}
    ran = subprocess.run([str(ensure_built(V7, progress=False)), "-test.run=^TestDriver$", "-test.timeout=0"],
                         input=json.dumps(begin) + "\n", capture_output=True, text=True, timeout=120)
    hello, refusal = (json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{"))
    assert hello["hello"] == "harness-go-driver"
    assert refusal == {"error": f"begin: {error}", "re": 1}
