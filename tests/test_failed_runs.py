"""A failed run is never diffed as if it were behaviour: a run whose driver failed is named as a failed
run by diff and explore, never as a divergence or a finding."""

import sys
import textwrap

import pytest

import harness
from harness.drivers import unregister_target
from harness.drivers.contract.target import ContractTarget
from harness.drivers.protocol import DriverTarget
from harness.errors import DriverError

SCENARIO = (harness.scenario("writes").init(flags={"f1": {"version": 1}}).status("VALID")
            .upsert(flag="f1", version=2).evaluate("f1").build())

# A driver that says hello and begins, then refuses every command (as the Go driver refuses a value it
# cannot hold).
REFUSER = textwrap.dedent('''
    import json, sys
    def say(obj):
        sys.stdout.write(json.dumps(obj) + "\\n"); sys.stdout.flush()
    say({"hello": "refuser", "protocol": 2})
    for line in sys.stdin:
        command = json.loads(line)
        op, re = command["op"], command["id"]
        if op == "begin":
            say({"row": "status", "t": 0, "state": "INITIALIZING", "since": 0, "error_kind": None,
                 "status_code": None, "error_message": None, "error_time": None, "re": re})
            say({"reply": "begin", "re": re})
        else:
            say({"error": "cannot hold that value", "re": re})
''')


class Refuser(DriverTarget):
    timeout = 10.0

    def __init__(self, script):
        super().__init__("refuser", "a driver that refuses every command")
        self.script = script

    def command(self):
        return [sys.executable, str(self.script)]


@pytest.fixture
def refuser(tmp_path):
    script = tmp_path / "refuser.py"
    script.write_text(REFUSER)
    target = Refuser(script)
    harness.register_target(target)
    yield target
    target.stop()
    unregister_target(target.name)


def test_a_run_whose_driver_refused_a_command_is_a_failed_run_not_a_divergence(refuser):
    report = harness.diff([SCENARIO], ["contract", "sdk", "refuser"])
    assert [(d.left, d.right) for d in report.divergences] == []   # contract and sdk agree; refuser is in no pair
    (failed,) = report.failed_runs
    assert failed.target == "refuser" and "the driver refused" in failed.driver_failure.actual
    assert "cannot hold that value" in failed.driver_failure.actual
    assert report.new == [] and "1 failed run(s)" in repr(report)
    assert all(r.driver_failure is None for r in report.results if r.target != "refuser")


def test_a_report_page_compares_no_failed_run(refuser):
    from harness.views.report_page import divergences
    runs = [harness.run(SCENARIO, name) for name in ("contract", "refuser")]
    assert runs[1].driver_failure is not None and divergences(runs) == []


# ----------------------------------------------------------------------------- explore

class RefusesStoreFaults(ContractTarget):
    """The contract model behind a "driver" that refuses every store fault."""

    def run(self, scenario, clock):
        if any(step.action.name == "store_down" for step in scenario.steps):
            raise DriverError("contract: the driver refused 'store_down': not supported here")
        return super().run(scenario, clock)


@pytest.fixture
def contract_refusing_faults():
    harness.register_target(RefusesStoreFaults())  # in the real contract's place, so known differences apply
    yield
    harness.register_target(ContractTarget())


def test_explore_counts_runs_that_fail_again_apart_and_finds_nothing_in_them(contract_refusing_faults):
    report = harness.explore(["sdk", "contract"], max_examples=120, seed=3)
    assert report.new == [], report.findings[~report.findings["known"]][["signature"]].to_string()
    failed = report.failed_runs["contract"]
    assert failed.count > 0 and "refused 'store_down'" in failed.message
    assert any(step.action.name == "store_down" for step in failed.example.steps)
    assert report.retried >= failed.count and f"{failed.count} failed run(s) on contract" in repr(report)
    assert list(report.failed_runs) == ["contract"]


GO_READY = "go" in harness.targets()


@pytest.mark.skipif(not GO_READY, reason="the go target is not ready here")
def test_a_go_driver_killed_mid_campaign_is_run_again_and_gives_no_finding():
    from harness.drivers.go import GO, GoTarget
    from harness.drivers.go.build import V7
    from harness.drivers.protocol.target import ProtocolWorld

    class KillingWorld(ProtocolWorld):
        armed = False

        def on_evaluate(self, action):
            if KillingWorld.armed:  # kill the driver mid-scenario, as an OOM killer or a Ctrl-C would
                KillingWorld.armed = False
                self.session.driver._process.kill()
                self.session.driver._process.wait()
            super().on_evaluate(action)

    class KilledNowAndThen(GoTarget):
        world = KillingWorld

        def __init__(self):
            super().__init__("go", V7, "go, its driver killed in every fourth run")
            self.runs = 0

        def run(self, scenario, clock):
            self.runs += 1
            KillingWorld.armed = self.runs % 4 == 0
            return super().run(scenario, clock)

    killed = KilledNowAndThen()
    harness.register_target(killed)
    try:
        report = harness.explore(["contract", "go"], max_examples=80, seed=5)
    finally:
        killed.stop()
        harness.register_target(GO)
    assert report.retried > 0 and report.failed_runs == {}
    assert report.new == [], report.findings[~report.findings["known"]][["signature"]].to_string()


def test_shards_add_up_their_failed_runs():
    from harness.exploration import ExploreReport, FailedRuns, merge
    long = harness.Scenario(name="long", steps=SCENARIO.steps)
    short = harness.Scenario(name="short", steps=SCENARIO.steps[:1])
    one = ExploreReport(["sdk", "go"], 10, retried=3, failed_runs={"go": FailedRuns("go")})
    one.failed_runs["go"].add(long, "go: the driver refused 'init': x", count=2)
    two = ExploreReport(["sdk", "go"], 10, retried=1, failed_runs={"go": FailedRuns("go")})
    two.failed_runs["go"].add(short, "go: the driver exited")
    merged = merge([one, two])
    assert (merged.examples, merged.retried) == (20, 4)
    failed = merged.failed_runs["go"]
    assert (failed.count, failed.example.name, failed.message) == (3, "short", "go: the driver refused 'init': x")


def test_harness_diff_names_a_failed_run_and_exits_one(refuser, tmp_path, capsys):
    from harness.cli import main
    path = tmp_path / "writes.yaml"
    path.write_text(harness.scenario_yaml(SCENARIO))
    assert main(["diff", str(path), "--target", "contract", "--target", "sdk", "--target", "refuser"]) == 1
    out = capsys.readouterr().out
    assert "the run on refuser failed, so it was not compared: refuser: the driver refused" in out
    assert "0 diverging pair(s), 0 known, 0 new, 1 failed run(s)" in out and "has no such row" not in out
