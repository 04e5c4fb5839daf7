"""Each invariant checker fires where it must, holds where it must, and says when it cannot tell."""

import harness
from harness.checks.checkers import CANNOT_TELL, CHECKERS, HOLDS, VIOLATED, Rows, applicable
from harness.replay.recording import Recording


def recording():
    clock = {"now": 0}
    rec = Recording(lambda: clock["now"])
    return rec, clock


def op(rec, name, outcome, kind=None, key=None, version=None, before=None, after=None, reported=None):
    head = rec.op_started(name, kind, key, version)
    rec.op_finished(head, outcome, None, before, after, reported)


def verdict(name, rec):
    return CHECKERS[name](Rows(rec)).verdict


def test_versions_never_go_down():
    rec, _ = recording()
    op(rec, "upsert", "applied", "flags", "f", 3, None, 3)
    op(rec, "upsert", "ignored", "flags", "f", 2, 3, 3)
    assert verdict("versions-never-go-down", rec) == HOLDS
    op(rec, "upsert", "applied", "flags", "f", 4, 2, 4)      # the store lost v3 behind our back
    assert verdict("versions-never-go-down", rec) == VIOLATED
    op_rec, _ = recording()
    assert verdict("versions-never-go-down", op_rec) == CANNOT_TELL


def test_stale_writes_never_applied():
    rec, _ = recording()
    op(rec, "delete", "ignored", "flags", "f", 2, 2, 2)
    assert verdict("stale-writes-never-applied", rec) == HOLDS
    op(rec, "upsert", "applied", "flags", "f", 2, 2, 2)
    result = CHECKERS["stale-writes-never-applied"](Rows(rec))
    assert result.verdict == VIOLATED and "v2 applied over stored v2" in result.violations[0].message


def test_since_moves_with_state():
    rec, clock = recording()
    rec.status("INITIALIZING", 0, None)
    clock["now"] = 5
    rec.status("VALID", 5, None)
    rec.status("VALID", 5, ("INVALID_DATA", 0, "", 5))
    assert verdict("since-moves-with-state", rec) == HOLDS
    clock["now"] = 9
    rec.status("INTERRUPTED", 5, ("NETWORK_ERROR", 0, "", 9))   # state changed, since did not
    rec.status("INTERRUPTED", 9, ("NETWORK_ERROR", 0, "", 9))   # state kept, since moved
    result = CHECKERS["since-moves-with-state"](Rows(rec))
    assert result.verdict == VIOLATED and len(result.violations) == 2
    lone, _ = recording()
    lone.status("INITIALIZING", 0, None)
    assert verdict("since-moves-with-state", lone) == CANNOT_TELL


def test_no_repeated_status_unless_an_error_was_reported():
    rec, _ = recording()
    rec.status("INITIALIZING", 0, None)
    op(rec, "status", "applied", reported="INITIALIZING NETWORK_ERROR")
    rec.status("INITIALIZING", 0, ("NETWORK_ERROR", 0, "", 0))
    op(rec, "status", "applied", reported="INITIALIZING NETWORK_ERROR")
    rec.status("INITIALIZING", 0, ("NETWORK_ERROR", 0, "", 0))   # same values, but a new error was reported
    assert verdict("no-repeated-status", rec) == HOLDS
    op(rec, "status", "applied", reported="INITIALIZING")
    rec.status("INITIALIZING", 0, ("NETWORK_ERROR", 0, "", 0))
    assert verdict("no-repeated-status", rec) == VIOLATED


def test_interrupted_only_after_valid():
    rec, _ = recording()
    rec.status("INITIALIZING", 0, None)
    rec.status("VALID", 0, None)
    rec.status("INTERRUPTED", 0, None)
    assert verdict("interrupted-only-after-valid", rec) == HOLDS
    bad, _ = recording()
    bad.status("INITIALIZING", 0, None)
    bad.status("OFF", 0, None)
    bad.status("INTERRUPTED", 0, None)
    assert verdict("interrupted-only-after-valid", bad) == VIOLATED


def test_changes_only_for_applied_writes():
    rec, _ = recording()
    op(rec, "upsert", "applied", "flags", "f", 2, 1, 2)
    rec.add("changes", "f")
    assert verdict("changes-only-for-applied-writes", rec) == HOLDS
    op(rec, "upsert", "ignored", "flags", "f", 1, 2, 2)
    rec.add("changes", "f")
    assert verdict("changes-only-for-applied-writes", rec) == VIOLATED
    quiet, _ = recording()
    assert verdict("changes-only-for-applied-writes", quiet) == CANNOT_TELL


def test_every_checker_judges_every_target_even_one_known_to_break_it():
    for target in ("sdk", "sdk-async", "contract", "go", "go-v6"):
        assert applicable(target) == list(CHECKERS)


def test_results_carry_verdicts_and_unexpected_violations_fail():
    sc = harness.load_scenario("scenarios/differences/interrupted_after_off.yaml")
    res = harness.run(sc, "contract")
    assert res.ok   # the violation is expected there
    assert res.violations["checker"].tolist() == ["interrupted-only-after-valid"]
    verdicts = dict(zip(res.verdicts["checker"], res.verdicts["verdict"]))
    assert verdicts["interrupted-only-after-valid"] == VIOLATED
    assert verdicts["since-moves-with-state"] == HOLDS
    stale = harness.scenario("stale").init(flags={"f": {"version": 3}}).upsert(flag="f", version=2).build()
    sync = harness.run(stale, "sdk")             # the sync sink's event for the ignored write shows up
    assert not sync.ok and sync.violations["checker"].tolist() == ["changes-only-for-applied-writes"]
    pinned = harness.scenario("stale").init(flags={"f": {"version": 3}}).upsert(flag="f", version=2) \
        .expect(targets={"sdk": {"violations": ["changes-only-for-applied-writes"]}}).build()
    assert harness.run(pinned, "sdk").ok         # pinned as known for that target, it passes
    assert harness.run(stale, "contract").ok
    unexpected = (harness.scenario("odd").stop().disconnect(error={"kind": "NETWORK_ERROR"}).build())
    res = harness.run(unexpected, "contract")
    assert not res.ok and res.failures[0].what == "violations"


def test_a_failure_shows_the_first_violations_of_each_checker_and_counts_the_rest():
    import harness
    from harness.checks.expectations import SHOWN_VIOLATIONS
    sc = harness.scenario("many").init(flags={"f1": {"version": 9}})
    for _ in range(SHOWN_VIOLATIONS + 3):
        sc.upsert(flag="f1", version=1)  # ignored, yet the sync sink sends a change event each time
    result = harness.run(sc.build(), "sdk")
    [failure] = [f for f in result.failures if f.what == "violations"]
    text = str(failure)
    assert text.count("changes-only-for-applied-writes at step") == SHOWN_VIOLATIONS
    assert "changes-only-for-applied-writes: and 3 more" in text


def _reference_changes_after_unapplied(rec) -> list[tuple[int, str]]:
    """The change checker's rule written the plain way: each change's cause is the last operation
    before it; the first change after each unapplied write is a violation."""
    ops, found, reported = rec.dicts("ops"), [], set()
    for change in rec.dicts("changes"):
        causes = [op for op in ops if op["seq"] < change["seq"]]
        if causes and causes[-1]["outcome"] != "applied" and causes[-1]["seq"] not in reported:
            cause = causes[-1]
            reported.add(cause["seq"])
            found.append((change["step"], f"change event after {cause['op']} of {cause['key']} "
                                          f"v{cause['version']}, which was {cause['outcome']}"))
    return found


def test_the_change_checker_agrees_with_its_rule_written_plainly():
    import random
    for seed in range(200):
        rng = random.Random(seed)
        rec, _ = recording()
        for step in range(rng.randrange(0, 12)):
            rec.step = step
            if rng.random() < 0.2:
                rec.add("changes", f"f{rng.randrange(3)}")   # a change outside any operation
                continue
            head = rec.op_started("upsert", "flags", f"f{rng.randrange(3)}", step)
            for _ in range(rng.choice((0, 0, 1, 2))):
                rec.change(f"f{rng.randrange(3)}")
            rec.op_finished(head, rng.choice(("applied", "ignored", "error")))
        result = CHECKERS["changes-only-for-applied-writes"](Rows(rec))
        assert [(v.step, v.message) for v in result.violations] == _reference_changes_after_unapplied(rec), seed


def test_violations_are_made_when_read_and_survive_a_trip_to_a_worker():
    import pickle
    from harness.checks.checkers import Violations
    sc = harness.scenario("many").init(flags={"f1": {"version": 9}})
    for _ in range(4):
        sc.upsert(flag="f1", version=1)
    result = harness.run(sc.build(), "sdk")
    [verdict] = [v for v in result.checker_verdicts if v.violations]
    assert isinstance(verdict.violations, Violations) and len(verdict.violations) == 4
    eager = list(verdict.violations)
    assert [verdict.violations[i] for i in range(4)] == eager and verdict.violations[1:3] == tuple(eager[1:3])
    assert [v.step for v in eager] == [1, 2, 3, 4]
    copied = pickle.loads(pickle.dumps(result))
    [again] = [v for v in copied.checker_verdicts if v.violations]
    assert list(again.violations) == eager
