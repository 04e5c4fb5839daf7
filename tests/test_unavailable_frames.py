"""A target whose SDK cannot fill a frame (Node's FDv1 client has no data source or store status): the
frame is "not available", never a failure and never a made-up row."""

import sys
import textwrap

import pytest

import harness
from harness.drivers import unregister_target
from harness.drivers.protocol import DriverTarget

# A driver that obeys every write like a tiny sink with the version rule, has no status at all, and
# sends a change event for each flag an init or an applied write touches.
NO_STATUS = textwrap.dedent('''
    import json, sys
    def say(obj):
        sys.stdout.write(json.dumps(obj) + "\\n"); sys.stdout.flush()
    say({"hello": "no-status", "protocol": 2, "unavailable": ["status", "store_status"]})
    store = {}
    for line in sys.stdin:
        command = json.loads(line)
        op, re = command["op"], command["id"]
        if op == "begin":
            store = {}
            say({"reply": op, "re": re})
        elif op == "status":
            say({"reply": op, "re": re, "skipped": True})
        elif op == "init":
            store = {(kind, key): (item["version"], False) for kind, items in command["data"].items()
                     for key, item in items.items()}
            for key in sorted(command["data"].get("flags", {})):
                say({"row": "changes", "t": 1704067200000000, "key": key, "re": re})
            say({"reply": op, "re": re, "ok": True})
        elif op in ("upsert", "delete"):
            key = (command["kind"], command["key"])
            before = store.get(key)
            if before is None or before[0] < command["version"]:
                store[key] = (command["version"], op == "delete")
                if command["kind"] == "flags":
                    say({"row": "changes", "t": 1704067200000000, "key": command["key"], "re": re})
            after = store.get(key)
            record = lambda r: None if r is None else {"version": r[0], "deleted": r[1]}
            say({"reply": op, "re": re, "ok": True, "before": record(before), "after": record(after),
                 "changed": before != after})
        elif op == "end":
            rows = [[kind, key, v, d] for (kind, key), (v, d) in sorted(store.items())]
            say({"reply": op, "re": re, "store": rows})
        else:
            say({"reply": op, "re": re})
''')


class NoStatusTarget(DriverTarget):
    timeout = 10.0

    def __init__(self, script):
        super().__init__("no-status", "a driver whose SDK has no status")
        self.script = script

    def command(self):
        return [sys.executable, str(self.script)]


@pytest.fixture
def no_status(tmp_path):
    script = tmp_path / "no_status.py"
    script.write_text(NO_STATUS)
    target = NoStatusTarget(script)
    harness.register_target(target)
    yield target
    target.stop()
    unregister_target(target.name)


SCENARIO = (harness.scenario("writes-and-status").init(flags={"f1": {"version": 1}}).status("VALID")
            .upsert(flag="f1", version=3).upsert(flag="f1", version=2)
            .expect(status=["INITIALIZING", "VALID"], store_status=[True], outcomes=["applied", "applied", "ignored"],
                    changes=["f1", "f1"], store={"flags": {"f1": 3}})
            .build())


def test_expectations_on_a_frame_the_target_cannot_fill_are_not_failures(no_status):
    result = harness.run(SCENARIO, "no-status")
    assert result.ok, result.report()
    assert result.recording.unavailable == {"status", "store_status"}
    assert len(result.status) == 0 and result.status.attrs["not available"] == "not available on this target"
    assert "not available" not in result.changes.attrs
    assert list(result.ops["op"].astype(str)) == ["init", "upsert", "upsert"]  # no made-up status row


def test_the_other_expectations_still_judge_it(no_status):
    wrong = harness.scenario("wrong").init(flags={"f1": {"version": 1}}).upsert(flag="f1", version=1) \
        .expect(status=["OFF"], outcomes=["applied", "applied"]).build()
    (failure,) = harness.run(wrong, "no-status").failures
    assert failure.what == "outcomes"  # (status would have failed too, were status a frame it fills)


def test_checkers_that_read_a_missing_frame_cannot_tell(no_status):
    verdicts = dict(zip(*(harness.run(SCENARIO, "no-status").verdicts[c] for c in ("checker", "verdict"))))
    assert verdicts["interrupted-only-after-valid"] == "cannot tell"
    assert verdicts["since-moves-with-state"] == "cannot tell"
    assert verdicts["stale-writes-never-applied"] == "holds"


def test_a_diff_compares_only_the_frames_both_targets_fill(no_status):
    report = harness.diff([SCENARIO], ["contract", "no-status"])
    assert [d.frame for d in report.divergences] == []  # contract's status rows are not held against it


def test_a_hello_naming_a_frame_the_kit_does_not_know_is_refused(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("import json, sys\n"
                      "print(json.dumps({'hello': 'x', 'protocol': 2, 'unavailable': ['weather']}), flush=True)\n"
                      "sys.stdin.read()\n")
    target = NoStatusTarget(script)
    target.name = "bad-hello"
    harness.register_target(target)
    try:
        (failure,) = harness.run(SCENARIO, "bad-hello").failures
        assert "the hello's unavailable is ['weather']" in failure.actual
    finally:
        target.stop()
        unregister_target("bad-hello")


def test_every_built_in_checker_says_which_frames_it_reads():
    from harness.checks.checkers import CHECKERS, READS
    assert set(READS) == set(CHECKERS)


def test_the_report_says_which_frames_are_not_available(no_status, tmp_path):
    from harness.views.report import write_report
    results = list(harness.run_many([SCENARIO], ["contract", "no-status"]))
    write_report(results, tmp_path, plots=False)
    page = (tmp_path / "index.html").read_text()
    assert ('<p class="unavailable">no-status: status, store status not available on this target (its SDK has '
            'none), so not compared and not checked.</p>') in page
