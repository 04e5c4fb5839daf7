"""One greedy shrinker, shared by Divergence.shrink and exploration."""

import harness
from harness.errors import ScenarioError
from harness.exploration import shrink as shrink_finding
from harness.runs.shrinking import drop_steps

NOISY = (harness.scenario("noisy").init(flags={"f1": {"version": 3}, "f2": {"version": 1}})
         .status("VALID").upsert(flag="f2", version=2).evaluate("f2").wait("5s")
         .upsert(flag="f1", version=2)                    # the stale write: the sync SDK fires an event
         .upsert(flag="f2", version=3).build())


def kinds(scenario):
    return [step.action.name for step in scenario.steps]


def test_drop_steps_keeps_what_the_predicate_needs_and_counts_its_budget():
    calls = []

    def shows(trial):
        calls.append(len(trial.steps))
        return {"init", "wait"} <= set(kinds(trial))
    assert kinds(drop_steps(NOISY, shows, budget=100)) == ["init", "wait"]
    assert len(calls) <= 100
    calls.clear()
    assert drop_steps(NOISY, shows, budget=3).steps == NOISY.steps[:5]  # tried the last three; kept two cuts
    assert len(calls) == 3


def test_a_cut_that_is_not_a_valid_scenario_shows_nothing():
    def shows(trial):
        if len(trial.steps) < len(NOISY.steps) - 1:
            raise ScenarioError("an 'at' before the clock")
        return True
    assert len(drop_steps(NOISY, shows, budget=50).steps) == len(NOISY.steps) - 1


def test_diff_and_exploration_shrink_a_divergence_to_the_same_steps():
    (divergence,) = harness.diff([NOISY], ["sdk", "contract"]).divergences
    assert divergence.known == "events-for-ignored-writes"
    with harness.virtual_time():
        by_diff = divergence.shrink().scenario
        by_explore = shrink_finding(NOISY, "known:events-for-ignored-writes:sdk~contract", ["sdk", "contract"])
    assert kinds(by_diff) == kinds(by_explore) == ["init", "upsert"]
    assert by_diff.steps == by_explore.steps


def test_a_shrunk_replay_printed_by_diff_has_a_name_no_catalogue_scenario_has(capsys):
    import textwrap
    from conftest import CATALOGUE
    from harness.cli import main
    assert main(["diff", str(CATALOGUE / "status" / "off_is_final.yaml"), "--target", "sdk", "--target", "contract",
                 "--replay"]) == 0
    printed = capsys.readouterr().out
    shown = textwrap.dedent("\n".join(line for line in printed.splitlines() if line.startswith("    ")))
    replay = harness.scenario_from_yaml(shown)   # what a person pastes into scenarios/
    catalogue = {scenario.name for scenario in harness.collect([CATALOGUE])}
    assert replay.name == "off-is-final-sdk-vs-contract-status-step-1"
    assert replay.name not in catalogue and "cut from 'off-is-final'" in replay.description
