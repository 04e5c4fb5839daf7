"""The recorder's rows and the expectation checker, without the SDK."""

from harness.checks.expectations import check
from harness.vocabulary.model import Expectations
from harness.replay.recording import Recording


def recording_at():
    clock = {"now": 1_000}
    rec = Recording(lambda: clock["now"])
    return rec, clock


def test_rows_carry_seq_step_and_time_and_changes_follow_their_operation_sorted():
    rec, clock = recording_at()
    rec.status("INITIALIZING", 1_000, None)
    rec.step = 0
    row = rec.op_started("upsert", "flags", "f1", 2)
    for key in ("zeta", "alpha", "mid"):
        rec.change(key)
    clock["now"] = 2_000
    rec.op_finished(row, "applied")
    assert rec.rows["status"] == [(0, -1, 1_000, "INITIALIZING", 1_000, None, None, None, None)]
    assert rec.rows["ops"] == [(1, 0, 1_000, "upsert", "flags", "f1", 2, "applied", None, None, None, None)]
    assert [r[3] for r in rec.rows["changes"]] == ["alpha", "mid", "zeta"]
    assert [r[0] for r in rec.rows["changes"]] == [2, 3, 4]
    assert [r[2] for r in rec.rows["changes"]] == [2_000] * 3


def test_nothing_is_recorded_after_close():
    rec, _ = recording_at()
    rec.closed = True
    rec.log("INFO", "closing")
    rec.change("f1")
    rec.op_finished(rec.op_started("upsert", "flags", "f1", 1), "applied")
    assert rec.rows["logs"] == [] and rec.rows["changes"] == [] and rec.rows["ops"] == []


def test_expectations_report_each_mismatch():
    rec, _ = recording_at()
    rec.status("INITIALIZING", 1_000, None)
    rec.status("VALID", 1_000, ("NETWORK_ERROR", 0, "x", 1_000))
    rec.op_finished(rec.op_started("init"), "applied")
    rec.op_finished(rec.op_started("status"), "applied")
    rec.op_finished(rec.op_started("upsert", "flags", "f1", 1), "ignored")
    rec.evaluation("f1", "u", 1, "FALLTHROUGH")
    rec.store.append(("flags", "f1", 4, False))
    rec.store.append(("flags", "f2", 2, True))
    rec.log("WARNING", "store went away")
    expect = Expectations(status=("INITIALIZING", "VALID"), final_status=("VALID", "STORE_ERROR"),
                          outcomes=("applied", "applied"), evaluations=(True,),
                          store={"flags": {"f1": 4, "f2": "deleted", "f3": "absent"}},
                          logs=("went away", "never said"), since=(0, 0), error_kinds=(None, "NETWORK_ERROR"))
    failures = [str(f) for f in check(expect, rec)]
    assert failures == [
        "final_status: expected {'state': 'VALID', 'error_kind': 'STORE_ERROR'}, "
        "got {'state': 'VALID', 'error_kind': 'NETWORK_ERROR'}",
        "outcomes: expected ['applied', 'applied'], got ['applied', 'ignored']",
        "evaluations: expected [True], got [1]",
        "logs: expected \"a line containing 'never said'\", got ['store went away']",
    ]


def test_empty_expectations_always_hold():
    rec, _ = recording_at()
    assert check(Expectations(), rec) == []
