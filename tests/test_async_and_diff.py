"""The sdk-async target's loop on virtual time, and differential runs."""

import asyncio
from datetime import datetime, timezone

import pytest

import harness
from harness.drivers.python_sdk.asynchronous import VirtualEventLoop
from harness.cli import main
from harness.replay.clock import VirtualClock
from harness.errors import VirtualTimeError

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_the_loop_runs_asyncio_timers_on_the_virtual_clock_in_order():
    clock = VirtualClock(START)
    loop = VirtualEventLoop(clock)
    fired = []
    try:
        loop.call_later(2.0, lambda: fired.append(("asyncio", clock.elapsed)))
        clock.call_later(1_000_000, lambda: fired.append(("kit", clock.elapsed)))
        clock.call_later(3_000_000, lambda: fired.append(("kit", clock.elapsed)))
        clock.advance_by(5_000_000)
        assert fired == [("kit", 1_000_000), ("asyncio", 2_000_000), ("kit", 3_000_000)]
        assert loop.time() == clock.elapsed / 1e6
    finally:
        loop.close()


def test_the_loop_refuses_to_wait_in_real_time():
    loop = VirtualEventLoop(VirtualClock(START))
    try:
        with pytest.raises(VirtualTimeError, match="wait in real time"):
            loop.run_until_complete(asyncio.sleep(10))
    finally:
        loop.close()


def test_the_async_target_uses_the_sdks_async_sink():
    from ldclient.impl.datasource.async_status import AsyncDataSourceUpdateSinkImpl

    import harness.drivers.python_sdk.asynchronous as at
    seen = []
    original = at.AsyncSdkPort.__init__

    def spy(self, sink, *args):
        seen.append(sink)
        original(self, sink, *args)
    at.AsyncSdkPort.__init__ = spy
    try:
        res = harness.run(harness.scenario("a").init(flags={"f": {"version": 1}}).upsert(flag="f", version=1)
                          .evaluate("f").build(), "sdk-async")
    finally:
        at.AsyncSdkPort.__init__ = original
    assert type(seen[0]) is AsyncDataSourceUpdateSinkImpl
    assert res.ops["outcome"].tolist() == ["applied", "ignored"]
    assert res.changes["key"].tolist() == ["f"]            # no event for the ignored write
    assert res.evaluations["reason"].tolist() == ["FALLTHROUGH"]


def test_diff_finds_the_first_divergence_with_replayable_steps():
    report = harness.diff(["scenarios/versioning/stale_upsert_fires_change_event.yaml"], ["sdk", "contract"])
    (d,) = report.divergences
    assert (d.left, d.right, d.frame, d.step) == ("sdk", "contract", "changes", 1)
    assert d.left_row == {"step": 1, "key": "f1"} and d.right_row is None
    replay = harness.scenario_from_yaml(d.replay())
    assert len(replay.steps) == 2 and replay.expect == harness.vocabulary.model.Expectations()
    frame = report.frame
    assert frame[["scenario", "left", "right", "frame", "step"]].values.tolist() == \
        [["stale-upsert-still-fires-change-event", "sdk", "contract", "changes", 1]]


def test_diff_reports_nothing_where_targets_agree():
    report = harness.diff(["scenarios/status"], ["sdk", "sdk-async"])
    assert report.divergences == []
    assert len(report.results) == 2 * 8


def test_diff_command(tmp_path, capsys):
    out = tmp_path / "div.csv"
    three = ["--target", "sdk", "--target", "sdk-async", "--target", "contract"]
    assert main(["diff", "scenarios/status/off_is_final.yaml", "--out", str(out), *three]) == 0  # all known
    printed = capsys.readouterr().out
    assert "off-is-final: sdk and contract first differ at step 3" in printed and "[known (off-is-final)]" in printed
    assert out.read_text().count("\n") == 3   # header + sdk/contract + sdk-async/contract
    assert main(["diff", "scenarios/status/same_state_no_error.yaml"]) == 0
    assert main(["diff", "scenarios/status", "--targets", "sdk"]) == 2


def test_the_async_target_runs_inside_a_running_event_loop():
    async def caller():
        return harness.run("scenarios/versioning/upsert_flag_same.yaml", "sdk-async")
    assert asyncio.run(caller()).ok


def test_a_diff_plots_the_targets_side_by_side():
    pytest.importorskip("matplotlib")
    report = harness.diff(["scenarios/status/off_is_final.yaml"])
    fig = report.plot("off-is-final")
    titles = [ax.get_title(loc="left") for ax in fig.get_axes() if ax.get_title(loc="left")]  # one Axes a run
    assert titles == [f"off-is-final [{target}]" for target in harness.targets()]
    with pytest.raises(KeyError):
        report.plot("nope")


def test_shrink_keeps_the_divergence_on_fewer_steps():
    sc = (harness.scenario("noisy").init(flags={"f1": {"version": 3}, "f2": {"version": 1}})
          .status("VALID").upsert(flag="f2", version=2).evaluate("f2").wait("5s")
          .upsert(flag="f1", version=2)                    # the stale write: the sync SDK fires an event
          .upsert(flag="f2", version=3).build())
    (d,) = harness.diff([sc], ["sdk", "contract"]).divergences
    with harness.virtual_time():
        small = d.shrink()
    assert small.frame == d.frame == "changes"
    init, stale = small.scenario.steps                 # all that is needed: a stored v3 and a stale v2
    assert init.action.name == "init" and stale.action.item.key == "f1" and stale.action.item.version == 2
    assert small.step == 1
    replay = harness.scenario_from_yaml(small.replay())
    assert "first differ in changes" in replay.description
