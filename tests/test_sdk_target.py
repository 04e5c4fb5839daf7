"""The sdk target: real SDK objects, frames with SPEC's columns and dtypes, no leaks."""

import logging
import threading

import pandas as pd
import pytest

import harness
from harness.replay.freeze import is_frozen

SPEC_COLUMNS = {
    "status": ["seq", "step", "t", "state", "since", "error_kind", "status_code", "error_message", "error_time"],
    "ops": ["seq", "step", "t", "op", "kind", "key", "version", "outcome", "error", "stored_before", "stored_after", "reported"],
    "changes": ["seq", "step", "t", "key"],
    "store_status": ["seq", "step", "t", "available", "stale"],
    "evaluations": ["seq", "step", "t", "flag", "context", "value", "reason"],
    "logs": ["seq", "step", "t", "level", "message"],
    "store": ["kind", "key", "version", "deleted"],
}


def outage_scenario():
    return (harness.scenario("outage", store="persistent")
            .init(flags={"f2": {"version": 1, "prerequisites": ["f1"]}, "f1": {"version": 1}})
            .status("VALID")
            .store_down(message="boom", at="10s")
            .upsert(flag="f1", version=2)
            .store_up(after="1s")
            .wait("1s")
            .evaluate("f1", "alice", default="dflt")
            .build())


def test_the_sink_is_the_sdks_own():
    from ldclient.impl.datasource.status import DataSourceUpdateSinkImpl
    from ldclient.impl.datasystem.fdv1 import _FeatureStoreClientWrapper

    from harness.drivers.python_sdk import sync
    from harness.replay.freeze import frozen_clock
    seen = {}
    import harness.replay.source as source_module
    original = source_module.SimulatedDataSource.attach

    def spy(self, port, *args, **kwargs):
        seen["sink"] = port.sink
        original(self, port, *args, **kwargs)
    source_module.SimulatedDataSource.attach = spy
    try:
        with frozen_clock(outage_scenario().start) as clock:
            sync.run(outage_scenario(), clock)
    finally:
        source_module.SimulatedDataSource.attach = original
    assert type(seen["sink"]) is DataSourceUpdateSinkImpl
    assert isinstance(seen["sink"]._DataSourceUpdateSinkImpl__store, _FeatureStoreClientWrapper)


def test_frames_have_spec_columns_and_dtypes():
    res = harness.run(outage_scenario())
    for name, columns in SPEC_COLUMNS.items():
        assert list(getattr(res, name).columns) == columns, name
    status = res.status
    assert str(status["t"].dtype) == "datetime64[ns, UTC]"
    assert str(status["since"].dtype) == "datetime64[ns, UTC]"
    assert str(status["error_time"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(status["state"].dtype, pd.CategoricalDtype)
    assert str(status["status_code"].dtype) == "Int64"
    assert str(res.ops["version"].dtype) == "Int64"
    assert status["state"].tolist() == ["INITIALIZING", "VALID", "INTERRUPTED"]
    assert status["step"].tolist() == [-1, 1, 3]
    interrupted = status.iloc[2]
    assert interrupted["error_kind"] == "STORE_ERROR" and interrupted["error_message"] == "boom"
    assert interrupted["since"] == pd.Timestamp("2024-01-01T00:00:10Z")
    assert interrupted["error_time"] == pd.Timestamp("2024-01-01T00:00:10Z")
    assert res.ops["outcome"].tolist() == ["applied", "applied", "error", ]
    assert res.ops["error"].iloc[2] == "boom"
    assert res.store_status["available"].tolist() == [True, False, True]
    assert res.store_status["t"].tolist()[-1] == pd.Timestamp("2024-01-01T00:00:11.500Z")
    assert res.evaluations[["flag", "context", "value", "reason"]].values.tolist() == \
        [["f1", "alice", False, "FALLTHROUGH"]]
    assert res.store.values.tolist() == [["flags", "f1", 1, False], ["flags", "f2", 1, False]]


def test_timeline_holds_every_observation_in_seq_order():
    res = harness.run(outage_scenario())
    total = sum(len(getattr(res, n)) for n in ("status", "ops", "changes", "store_status", "evaluations", "logs"))
    assert len(res.timeline) == total
    assert res.timeline["seq"].tolist() == list(range(total))
    assert res.timeline["t"].is_monotonic_increasing


def test_change_events_of_one_operation_are_sorted_by_key():
    sc = (harness.scenario("sorted")
          .init(flags={k: {"version": 1, "prerequisites": ["a"]} for k in ("z", "m", "b")} | {"a": {"version": 1}})
          .upsert(flag="a", version=2).build())
    res = harness.run(sc)
    assert res.changes["key"].tolist() == ["a", "b", "m", "z", "a", "b", "m", "z"]


def test_failures_show_expected_against_actual_and_replayable_yaml():
    sc = (harness.scenario("wrong").init(flags={"f1": {"version": 3}}).upsert(flag="f1", version=2)
          .expect(outcomes=["applied", "applied"], store={"flags": {"f1": 2}}).build())
    res = harness.run(sc)
    assert not res.ok
    assert [str(f) for f in res.failures] == [
        "store.flags.f1: expected 2, got 3",
        "outcomes: expected ['applied', 'applied'], got ['applied', 'ignored']",
        "violations: expected [], got ['changes-only-for-applied-writes at step 1: change event after upsert of "
        "f1 v2, which was ignored']"]
    report = res.report()
    replay = report.split("---\n", 1)[1]
    assert harness.scenario_from_yaml(replay) == sc
    with pytest.raises(harness.ExpectationFailed):
        res.raise_for_failures()


def test_per_target_overrides_apply_only_to_their_target():
    sc = (harness.scenario("override").init(flags={"f1": {"version": 1}})
          .expect(status=["VALID"], targets={"sdk": {"status": ["INITIALIZING"]}}).build())
    assert harness.run(sc, "sdk").ok
    assert sc.expect.for_target("other").status == ("VALID",)


def test_an_unknown_target_is_a_clear_error():
    with pytest.raises(harness.UsageError, match="unknown target 'nope'"):
        harness.run(outage_scenario(), target="nope")
    assert "sdk" in harness.targets()


def test_a_failing_scenario_leaves_no_thread_patch_or_listener_behind():
    import time

    import ldclient.impl.datasystem.fdv1 as fdv1
    before_threads = set(threading.enumerate())
    before_task = fdv1.RepeatingTask
    before_start, before_sleep = threading.Thread.start, time.sleep
    logger = logging.getLogger("ldclient")
    before_logger = (list(logger.handlers), logger.level, logger.propagate)

    bad_at = (harness.scenario("goes-back").init(flags={"f1": {"version": 1}})
              .store_down(at="5s").upsert(flag="f1", version=2).status("VALID", at="1s").build())
    with pytest.raises(harness.ScenarioError, match="clock already reads 5s"):
        harness.run(bad_at)
    failing = (harness.scenario("fails", store="persistent").store_down().init(flags={"f1": {"version": 1}})
               .expect(outcomes=["applied"]).build())
    assert not harness.run(failing).ok

    assert set(threading.enumerate()) == before_threads
    assert fdv1.RepeatingTask is before_task
    assert (threading.Thread.start, time.sleep) == (before_start, before_sleep)
    assert (list(logger.handlers), logger.level, logger.propagate) == before_logger
    assert not is_frozen()


def test_a_failing_scenario_leaves_no_listener_on_the_client(monkeypatch):
    import harness.drivers.python_sdk.sync as sdk_target
    clients = []

    class SpyClient(sdk_target.LDClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            clients.append(self)
    monkeypatch.setattr(sdk_target, "LDClient", SpyClient)
    failing = (harness.scenario("fails").init(flags={"f1": {"version": 1}}).store_down().upsert(flag="f1", version=2)
               .expect(outcomes=["applied", "applied"]).build())
    assert not harness.run(failing).ok
    (client,) = clients
    system = client._data_system
    assert not system.flag_change_listeners.has_listeners()
    assert not system._data_source_listeners.has_listeners()
    assert not system._data_store_listeners.has_listeners()


def test_a_stray_real_thread_fails_the_run_loudly(monkeypatch):
    import ldclient.impl.datasystem.fdv1 as fdv1
    from ldclient.impl.repeating_task import RepeatingTask
    import harness.drivers.python_sdk.sandbox as sandbox

    monkeypatch.setattr(sandbox, "repeating_task_on", lambda clock, on_error: RepeatingTask)
    sc = harness.scenario("thread", store="persistent").store_down().init(flags={"f1": {"version": 1}}).build()
    with pytest.raises(harness.VirtualTimeError, match="real thread"):
        harness.run(sc)
    assert fdv1.RepeatingTask is RepeatingTask
    assert not is_frozen()


def test_a_run_does_not_depend_on_the_previous_one():
    a = harness.run(outage_scenario())
    harness.run(harness.scenario("other", store="persistent").store_down().init(flags={"x": {"version": 9}}).build())
    b = harness.run(outage_scenario())
    pd.testing.assert_frame_equal(a.timeline, b.timeline)
    pd.testing.assert_frame_equal(a.status, b.status)


def test_run_accepts_a_path(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: p\nsteps:\n  - init: {flags: {f1: {version: 1}}}\nexpect: {outcomes: [applied]}\n")
    assert harness.run(path).ok
    assert harness.run(str(path)).ok


def _count_freezes(monkeypatch, batch_seconds: float, scenarios) -> tuple[list, int]:
    """Run `scenarios` with run_many's batch window set; count the freezes started."""
    import harness.replay.freeze as clock_module
    import harness.runs.runner as runner_module
    starts = []
    original = clock_module._enter

    def counting_enter():
        if clock_module._Freeze.depth == 0:
            starts.append(1)
        original()
    monkeypatch.setattr(clock_module, "_enter", counting_enter)
    monkeypatch.setattr(runner_module, "BATCH_SECONDS", batch_seconds)
    return list(harness.run_many(scenarios)), len(starts)


def test_run_many_shares_one_freeze(monkeypatch):
    # The window is wide so that a slow machine still fits the three runs in it.
    results, freezes = _count_freezes(monkeypatch, 3600.0, [outage_scenario()] * 3)
    assert len(results) == 3 and freezes == 1


def test_run_many_releases_the_freeze_when_its_window_ends(monkeypatch):
    results, freezes = _count_freezes(monkeypatch, 0.0, [outage_scenario()] * 3)
    assert [r.ok for r in results] == [True] * 3 and freezes == 3
