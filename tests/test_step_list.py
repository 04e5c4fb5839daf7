"""A scenario's steps: plain writes the builder keeps as rows are the same steps as their Step objects."""

from datetime import datetime, timezone

import pandas as pd
import pytest

import harness
from harness.replay.clock import VirtualClock
from harness.replay.play import play_steps
from harness.replay.recording import Recording
from harness.vocabulary.model import Delete, Item, Step, Upsert
from harness.vocabulary.step_list import Steps


def mixed_builder():
    """Plain writes (kept as rows) among every other kind of step, with ignored, stale and failed writes."""
    return (harness.scenario("mixed", store="persistent")
            .init(flags={"f1": {"version": 1}, "f2": {"version": 1, "prerequisites": ["f1"]}},
                  segments={"s1": {"version": 1}})
            .status("VALID")
            .upsert(flag="f1", version=3).upsert(flag="f1", version=2).upsert(flag="f1", version=3)
            .delete(flag="f2", version=4).upsert(flag="f2", version=3)
            .upsert(segment="s1", version=2).delete(segment="s1", version=2)
            .store_down(fail=["upsert"]).upsert(flag="f3", version=1).store_up(after="1s")
            .upsert(flag="f3", version=1).upsert(flag="f4", version=1, on=False)
            .evaluate("f1").evaluate("f2")
            .disconnect(reconnect_after="2s").upsert(flag="f1", version=9).wait("3s")
            .evaluate("f1"))


def test_the_builder_keeps_plain_writes_as_rows_and_reading_them_gives_steps():
    scenario = mixed_builder().build()
    rows = scenario.steps.rows()
    assert rows[2] == ("upsert", "flags", "f1", 3) and rows[8] == ("delete", "segments", "s1", 2)
    assert sum(type(row) is tuple for row in rows) == 10
    assert scenario.steps[2] == Step(Upsert(Item("flags", "f1", {"version": 3})))
    assert scenario.steps[5] == Step(Delete("flags", "f2", 4))
    assert all(isinstance(step, Step) for step in scenario.steps)
    assert isinstance(scenario.steps[2:5], Steps) and list(scenario.steps[2:5]) == list(scenario.steps)[2:5]


def test_rows_and_steps_compare_and_hash_alike():
    built = mixed_builder().build()
    from_data = harness.scenario_from_data(mixed_builder().data())
    assert not any(type(row) is tuple for row in from_data.steps.rows())   # read as Step objects
    assert built == from_data and built.steps == from_data.steps and built.steps == list(from_data.steps)
    plain = harness.scenario("p").upsert(flag="f1", version=2).delete(flag="f1", version=3).build().steps
    assert hash(plain) == hash(Steps(list(plain)))
    assert plain != harness.scenario("p").upsert(flag="f1", version=2).delete(flag="f1", version=4).build().steps
    assert (plain + plain).rows() == plain.rows() * 2 and len(tuple(plain) + plain) == 4


def test_a_row_that_is_no_plain_write_is_refused():
    for row in [("upsert", "flags", "", 1), ("upsert", "flags", "f1", -1), ("put", "flags", "f1", 1),
                ("delete", "items", "f1", 1), ("upsert", "flags", "f1", True), ("upsert", "flags", "f1")]:
        with pytest.raises(harness.ScenarioError, match="neither a Step nor a plain write") as info:
            harness.Scenario(name="rows", steps=[Step(Delete("flags", "f0", 1)), row])
        assert info.value.key == "steps[1]"
    with pytest.raises(harness.ScenarioError, match="step 0 is not a Step"):
        harness.Scenario(name="rows", steps=["upsert f1"])


@pytest.mark.parametrize("target", harness.targets())
def test_rows_replay_exactly_as_their_steps_on_every_target(target):
    built = harness.run(mixed_builder().build(), target)
    read = harness.run(harness.scenario_from_data(mixed_builder().data()), target)
    for frame in ("timeline", "ops", "changes", "store", "evaluations", "status"):
        pd.testing.assert_frame_equal(getattr(built, frame), getattr(read, frame))
    assert built.ok == read.ok


def test_a_world_without_a_row_handler_gets_the_steps():
    class Listening:
        def __init__(self):
            self.seen = []

        def __getattr__(self, name):
            if name.startswith("on_") and name != "on_plain_write":
                return lambda action: self.seen.append((name, action))
            raise AttributeError(name)

    scenario = harness.scenario("w").upsert(flag="f1", version=2).status("VALID").delete(flag="f1", version=3).build()
    clock = VirtualClock(datetime(2024, 1, 1, tzinfo=timezone.utc))
    world = Listening()
    play_steps(scenario, clock, Recording(clock.read), world)
    assert [name for name, _ in world.seen] == ["on_upsert", "on_status", "on_delete"]
    assert world.seen[2][1] == Delete("flags", "f1", 3)


def test_adding_steps_checks_what_is_added():
    plain = harness.scenario("p").upsert(flag="f1", version=2).build().steps
    with pytest.raises(harness.ScenarioError, match="neither a Step nor a plain write"):
        plain + [("upsert", "flags", "", 1)]
    with pytest.raises(harness.ScenarioError, match="neither a Step nor a plain write"):
        [("upsert", "flags", "f1", -3)] + plain
    assert ([("delete", "flags", "f1", 3)] + plain)[0] == Step(Delete("flags", "f1", 3))


def test_plain_data_with_a_bad_row_is_refused_as_the_builder_would_never_make_it():
    with pytest.raises(harness.ScenarioError, match="neither a Step nor a plain write") as info:
        harness.scenario_from_data({"name": "rows", "steps": [{"status": "VALID"}, ("upsert", "flags", "f1", -1)]})
    assert info.value.key == "steps[1]"
