"""Exploring: the strategies, planted bugs found and shrunk, and nothing new on today's targets."""

from hypothesis import given, settings

import harness
from harness.cli import main
from harness.exploration import sightings


@settings(max_examples=60, deadline=None)
@given(harness.strategies.scenarios())
def test_a_property_test_with_the_strategies(scenario):
    # what a user writes: the contract never applies a stale write, and a scenario survives YAML
    result = harness.run(scenario, "contract")
    assert "stale-writes-never-applied" not in set(result.violations["checker"])
    assert harness.scenario_from_yaml(harness.scenario_yaml(scenario)).steps == scenario.steps


def _reproduces(yaml_text, signature, targets):
    """A finding's YAML alone shows it again, and its pinned expectations hold on every target."""
    scenario = harness.scenario_from_yaml(yaml_text)
    results = {name: harness.run(scenario, name) for name in targets}
    assert all(r.ok for r in results.values()), [r.report() for r in results.values() if not r.ok]
    return signature in {s.signature for s in sightings(scenario, results)}


def test_a_planted_bug_in_the_contract_is_found_and_shrunk(monkeypatch, tmp_path):
    import harness.drivers.contract.store as store
    monkeypatch.setattr(store, "accepts", lambda stored, version: stored is None or stored["version"] <= version)
    report = harness.explore(["contract", "go"], max_examples=300, seed=0, out=tmp_path)
    new = report.findings[~report.findings["known"]]
    assert len(new) >= 1
    assert new["steps"].max() <= 3, new[["signature", "steps"]]
    for _, finding in new.iterrows():
        assert _reproduces(finding["yaml"], finding["signature"], ["contract", "go"])
    assert len(list(tmp_path.glob("*.yaml"))) == len(new)


def test_a_planted_bug_in_the_sdks_store_is_found_and_shrunk(monkeypatch):
    from ldclient.feature_store import InMemoryFeatureStore
    original = InMemoryFeatureStore.upsert

    def lenient(self, kind, item):  # accepts an equal version
        stored = self._items[kind].get(item["key"])
        if stored is not None and stored["version"] == item["version"]:
            self._items[kind][item["key"]] = item
            return
        original(self, kind, item)
    monkeypatch.setattr(InMemoryFeatureStore, "upsert", lenient)
    report = harness.explore(["sdk", "contract"], max_examples=300, seed=0)
    new = report.findings[~report.findings["known"]]
    assert "violation:stale-writes-never-applied:sdk" in set(new["signature"])
    assert new["steps"].max() <= 3, new[["signature", "steps"]]


def test_a_campaign_on_todays_targets_finds_nothing_new():
    report = harness.explore(max_examples=1000, seed=11)
    assert report.examples >= 1000
    assert report.new == [], report.findings[~report.findings["known"]][["signature", "yaml"]].to_string()
    assert report.findings["known"].all() and len(report.findings) > 10  # known differences were seen


def test_the_explore_command(tmp_path, capsys, monkeypatch):
    assert main(["explore", "--max-examples", "40", "--seed", "1", "--target", "contract",
                 "--target", "go"]) == 0
    assert "40 scenarios on contract, go:" in capsys.readouterr().out
    import harness.drivers.contract.store as store
    monkeypatch.setattr(store, "accepts", lambda stored, version: stored is None or stored["version"] <= version)
    out = tmp_path / "findings"
    assert main(["explore", "--max-examples", "200", "--target", "contract", "--target", "go",
                 "--out", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "NEW " in printed and f"new findings written to {out}/" in printed
    assert list(out.glob("*.yaml"))


def test_shards_split_a_campaign_and_jobs_merge_the_parts():
    from harness.exploration import BATCH, shard_of
    assert shard_of(3, 400, (1, 2)) != shard_of(3, 400, (2, 2))     # each part its own seed
    assert shard_of(3, 401, (2, 2))[1] == 201                       # and its share of the examples
    part = harness.explore(["contract", "sdk"], max_examples=100, seed=3, shard=(2, 2))
    again = harness.explore(["contract", "sdk"], max_examples=100, seed=3, shard=(2, 2))
    share = -(-50 // BATCH) * BATCH                                 # its 50, in whole batches
    assert part.examples == again.examples == share                 # a part is replayable
    assert part.findings[["signature", "count"]].equals(again.findings[["signature", "count"]])
    merged = harness.explore(["contract", "sdk"], max_examples=100, seed=3, jobs=2)
    assert merged.examples == 2 * share and merged.new == []
    assert set(part.findings["signature"]) <= set(merged.findings["signature"])


def test_a_bad_shard_is_a_usage_error(capsys):
    assert main(["explore", "--shard", "3/2", "--target", "contract"]) == 2
    assert "--shard takes I/N with 1 <= I <= N, such as 2/4, not '3/2'" in capsys.readouterr().err
