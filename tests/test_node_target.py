"""The node target: the Node server SDK's real client and sink out of process, its install, and its releases."""

import json
from pathlib import Path

import pytest

import harness
from harness.drivers import Availability, get_target
from harness.drivers.node import NODE, NodeFamily, NodeTarget
from harness.drivers.node import build
from harness.drivers.node.build import PINNED, InstallFailed, NodeRelease, driver_folder, ensure_installed
from harness.drivers.node.probe import Answer
from harness.drivers.releases import Version
from harness.errors import UsageError
from harness.vocabulary.model import StoreConfig

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif("node" not in harness.targets(),
                                reason=NODE.availability().reason or "the node target is not ready")

STALE = (harness.scenario("stale").init(flags={"f1": {"version": 1}}).status("VALID")
         .upsert(flag="f1", version=3).upsert(flag="f1", version=2).delete(flag="f1", version=2).build())


def test_outcomes_are_read_from_the_store_and_status_frames_are_not_available():
    res = harness.run(STALE, "node")
    assert res.ok, res.report()
    data = res.ops[res.ops["op"] != "status"]
    assert list(data["outcome"].astype(str)) == ["applied", "applied", "ignored", "ignored"]
    assert list(res.store.itertuples(index=False, name=None)) == [("flags", "f1", 3, False)]
    assert list(res.changes["key"]) == ["f1", "f1"]  # `update` once a change (not again for `update:f1`)
    assert res.recording.unavailable == {"status", "store_status"}
    assert len(res.status) == 0 and res.status.attrs["not available"] == "not available on this target"


def test_a_store_failure_never_reaches_nodes_sink():
    sc = (harness.scenario("down").init(flags={"f1": {"version": 1}}).store_down(fail=["upsert"], message="ro")
          .upsert(flag="f1", version=2).build())
    res = harness.run(sc, "node")
    assert list(res.ops["outcome"].astype(str)) == ["applied", "ignored"]  # Go and Python: error
    assert list(res.ops["error"].dropna()) == []
    assert list(res.changes["key"]) == ["f1", "f1"]  # the event fired for the write the store refused
    assert list(res.violations["checker"]) == ["changes-only-for-applied-writes"]


def test_the_store_cache_expires_on_the_virtual_clock():
    res = harness.run("scenarios/outages/cached_evaluations_during_outage.yaml", "node")
    assert res.ok, res.report()
    evaluations = res.evaluations
    assert list(evaluations["reason"]) == ["FALLTHROUGH", "FALLTHROUGH", "ERROR:FLAG_NOT_FOUND", "FALLTHROUGH"]
    assert [str(t) for t in evaluations["t"]] == ["2024-01-01 00:00:00+00:00", "2024-01-01 00:00:29+00:00",
                                                  "2024-01-01 00:00:31+00:00", "2024-01-01 00:00:41+00:00"]


def test_a_sub_millisecond_clock_keeps_its_microseconds():
    sc = (harness.scenario("fine", start="2024-01-01T00:00:00.000250Z").init(flags={"f1": {"version": 1}})
          .evaluate(flag="f1", after="1.5ms").build())
    (t,) = harness.run(sc, "node").evaluations["t"]
    assert str(t) == "2024-01-01 00:00:00.001750+00:00"


def test_the_flag_change_listener_can_be_taken_away_and_put_back():
    sc = (harness.scenario("listen").init(flags={"f1": {"version": 1}}).listen(False).upsert(flag="f1", version=2)
          .listen(True).upsert(flag="f1", version=3).build())
    res = harness.run(sc, "node")
    assert list(zip(res.changes["step"], res.changes["key"])) == [(0, "f1"), (4, "f1")]


def test_a_scenario_gives_the_same_timeline_every_time_and_after_a_restart():
    scenario = harness.load_scenario("scenarios/outages/failed_init_is_served_from_the_cache.yaml")
    first = harness.run(scenario, "node").timeline
    again = harness.run(scenario, "node").timeline
    NODE.stop()  # a fresh driver process
    fresh = harness.run(scenario, "node").timeline
    assert first.equals(again) and first.equals(fresh)


def test_a_failing_step_never_leaves_the_driver_mid_scenario():
    bad = harness.scenario("late-at").wait("5s").status("VALID", at="1s").build()
    with pytest.raises(harness.ScenarioError, match="'at' is 1s after the start"):
        harness.run(bad, "node")
    assert harness.run(STALE, "node").ok


def test_an_item_the_node_sdk_cannot_read_is_a_failed_write_and_the_run_goes_on(monkeypatch):
    from harness.replay.source import SimulatedDataSource
    # The vocabulary refuses such an item at load; a world built in code can still send one.
    sc = harness.scenario("unreadable").init(flags={"f1": {"version": 1}}).upsert(flag="f1", version=2) \
        .upsert(flag="f1", version=3).build()
    original = SimulatedDataSource.write_plain

    def garbled(self, action, kind, key, version):
        if version == 2:  # the SDK's processFlag walks each rule's clauses as a list
            item = {"key": key, "version": version, "rules": [{"clauses": "not a list"}]}
            return self._remember(kind, key, version, item)
        return original(self, action, kind, key, version)
    monkeypatch.setattr(SimulatedDataSource, "write_plain", garbled)
    res = harness.run(sc, "node")
    assert list(res.ops["outcome"].astype(str)) == ["applied", "error", "applied"]
    assert res.ops["error"].iloc[1].startswith('the Node SDK cannot read flags "f1"')
    assert list(res.store.itertuples(index=False, name=None)) == [("flags", "f1", 3, False)]


def test_the_catalogue_runs_on_node_with_its_differences_pinned():
    from harness.vocabulary.loader import load_path
    results = list(harness.run_many(load_path(ROOT / "scenarios"), ["node"]))
    assert [r.scenario.name for r in results if not r.ok] == []
    report = harness.diff([ROOT / "scenarios"], targets=["node", "go"])
    assert report.divergences and [str(d) for d in report.new] == []


def test_harness_targets_shows_the_node_sdk_version(capsys):
    from harness.cli import main
    main(["targets"])
    assert "@launchdarkly/node-server-sdk@9.13.7 (node v" in capsys.readouterr().out


# ----------------------------------------------------------------------------- the install


def test_the_driver_is_installed_into_a_cache_keyed_by_the_lockfile_and_the_sources():
    folder = driver_folder(PINNED)
    assert (folder / "driver.js").is_file() and folder.name.startswith("9.13.7-")
    installed = json.loads((folder / "node_modules/@launchdarkly/node-server-sdk/package.json").read_text())
    assert installed["version"] == PINNED.pinned == "9.13.7"
    files = PINNED.files()
    assert {"driver.js", "package.json", "package-lock.json"} <= set(files)
    assert NodeRelease("9.12.0").files()["package.json"] != files["package.json"]
    assert driver_folder(NodeRelease("9.12.0")) != folder


def test_npm_ci_installs_from_the_committed_lockfile_with_a_progress_bar(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = ensure_installed(PINNED, progress=True)
    assert folder.parent == tmp_path / "ld-sink-harness" / "node-driver"
    assert (folder / "package-lock.json").read_bytes() == PINNED.files()["package-lock.json"]
    assert "installing the Node driver (@launchdarkly/node-server-sdk@9.13.7)" in capfd.readouterr().err
    assert not list(folder.parent.glob("installing-*"))  # the work folder was renamed into place


@pytest.fixture
def failing_npm(tmp_path, monkeypatch):
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\necho 'npm http fetch GET 200 https://x/y.tgz'\necho 'npm error code E404'\n"
                   "echo 'npm error 404 No match found for version 9.12.0'\nexit 1\n")
    npm.chmod(0o755)
    node, _, version = build.node_toolchain()
    monkeypatch.setattr(build, "node_toolchain", lambda: (node, str(npm), version))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield
    build._FAILED.clear()


def test_a_failed_install_is_one_line_and_the_release_is_not_ready(failing_npm):
    release = NodeRelease("9.12.0")
    with pytest.raises(InstallFailed) as raised:
        ensure_installed(release, progress=False)
    message = str(raised.value)
    assert "\n" not in message and "npm error 404 No match found for version 9.12.0" in message
    assert "9.12.0-install.log" in message
    target = NodeTarget("node@9.12.0", release, "a release whose install fails")
    assert target.availability() == Availability(False, "@launchdarkly/node-server-sdk@9.12.0",
                                                                 message)


def test_without_node_the_target_says_why_in_one_line(monkeypatch):
    build.node_toolchain.cache_clear()
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    try:
        available = NODE.availability()
        assert not available.ready
        assert available.reason == "needs Node.js 18+ and npm on PATH; no 'node and npm' found"
        assert "node" not in harness.targets() and "node" in harness.targets(ready_only=False)
    finally:
        monkeypatch.undo()
        build.node_toolchain.cache_clear()
    assert NODE.availability().ready


# ----------------------------------------------------------------------------- releases


@pytest.fixture
def family(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    asked = []

    def ask():
        asked.append(1)
        return ["8.2.6", "9.0.1", "9.12.0", "9.13.7", "9.14.0-beta.1"]
    def resolves(releases):
        return {r.version: Answer(False, "npm's registry here cannot resolve it: notarget") if r.version == "9.0.1"
                else Answer(True) for r in releases}
    chosen = NodeFamily("node", ask=ask, resolves=resolves)
    chosen.asked = asked
    return chosen


def test_the_family_lists_the_registrys_releases_and_keeps_the_list(family):
    releases = family.releases()
    assert [str(r.version) for r in releases] == ["8.2.6", "9.0.1", "9.12.0", "9.13.7"]  # no pre-release
    assert [r.served for r in releases] == [False, False, True, True]
    assert "the first release it runs is 9.0.1" in releases[0].reason
    assert releases[1].reason == "npm's registry here cannot resolve it: notarget"
    NodeFamily("node", ask=family.ask, resolves=family.resolves).releases()
    assert family.asked == [1]  # asked once: the list is kept in the cache
    assert not family.release_target(Version.parse("9.0.1")).availability().ready


def test_the_probe_remembers_a_refusal_and_asks_again_after_a_network_failure(tmp_path, monkeypatch):
    from harness.drivers.node.probe import probe
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    asked = []

    def ask(releases):
        asked.append([r.version for r in releases])
        return {"9.0.1": Answer(False, "refused"), "9.12.0": Answer(False, "offline", definite=False)}
    wanted = [NodeRelease("9.0.1"), NodeRelease("9.12.0")]
    assert probe(wanted, ask)["9.0.1"] == Answer(False, "refused")
    assert probe(wanted, ask)["9.12.0"].reason == "offline"
    assert asked == [["9.0.1", "9.12.0"], ["9.12.0"]]


@pytest.mark.parametrize("said, served, definite", [
    ("npm error code ETARGET\nnpm error notarget No matching version found for x@2.7.0.", False, True),
    ("npm error code ENOTFOUND\nnpm error network request to https://registry failed", False, False)])
def test_npms_answer_is_told_from_its_output(tmp_path, monkeypatch, said, served, definite):
    from harness.drivers.node import probe
    npm = tmp_path / "npm"
    npm.write_text(f"#!/bin/sh\nprintf '{said}\\n'\nexit 1\n")
    npm.chmod(0o755)
    node, _, version = build.node_toolchain()
    monkeypatch.setattr(probe, "node_toolchain", lambda: (node, str(npm), version))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (answer,) = probe.resolve([NodeRelease("9.12.0")], progress=False).values()
    assert (answer.served, answer.definite) == (served, definite)
    assert said.splitlines()[1] in answer.reason


def test_a_release_the_family_cannot_run_is_refused_with_why(family):
    with pytest.raises(UsageError, match="the first release it runs is 9.0.1"):
        family.check_release(Version.parse("8.2.6"))
    with pytest.raises(UsageError, match="no such release; known: 9.0.1, 9.12.0, 9.13.7"):
        family.check_release(Version.parse("9.11.0"))
    with pytest.raises(UsageError, match="without a v: node@9.12.0"):
        family.check_release(Version.parse("v9.12.0"))


def test_a_release_runs_like_the_plain_target():
    res = harness.run(STALE, "node@9.12.0")
    assert res.ok, res.report()
    plain = harness.run(STALE, "node")
    assert res.timeline.drop(columns=["seq"]).equals(plain.timeline.drop(columns=["seq"]))
    target = get_target("node@9.12.0")
    assert target.availability().version.startswith("@launchdarkly/node-server-sdk@9.12.0")
    assert "9.12.0" in driver_folder(target.release).name
    assert (driver_folder(target.release) / "package-lock.json").is_file()  # made once, kept with the install
    target.stop()


# ----------------------------------------------------------------------------- tombstones, both ways

DELETE_THEN_READ = """
name: delete-then-read
store: {type: persistent, tombstones: %s}
steps:
  - init: {flags: {f1: {version: 1}}}
  - delete: {flag: f1, version: 2}
  - evaluate: {flag: f1, default: gone}
  - upsert: {flag: f1, version: 2}
"""


def test_the_store_option_names_the_form_a_tombstone_is_kept_in():
    from harness.drivers.protocol.target import store_setting
    scenario = harness.scenario_from_yaml(DELETE_THEN_READ % "flag")
    assert scenario.store == StoreConfig("persistent", None, tombstones="flag")
    assert "tombstones: flag" in harness.scenario_yaml(scenario)
    assert harness.scenario_from_yaml(harness.scenario_yaml(scenario)) == scenario
    assert store_setting(scenario.store)["tombstones"] == "flag"
    assert StoreConfig("persistent").to_data() == "persistent"  # serialized is the default
    with pytest.raises(harness.ScenarioError, match="'dict' is not one of serialized, flag at 'store.tombstones'"):
        harness.scenario_from_yaml(DELETE_THEN_READ % "dict")
    with pytest.raises(harness.ScenarioError, match="tombstones applies to a persistent store only"):
        StoreConfig("memory", tombstones="flag")


def test_exploring_draws_both_forms():
    from harness.strategies import STORES
    assert {store.tombstones for store in STORES} == {"serialized", "flag"}


@pytest.mark.parametrize("form, seen", [("serialized", ["gone"]), ("flag", [False])])
def test_nodes_store_wrapper_caches_a_flag_form_tombstone_under_the_wrong_key(form, seen):
    res = harness.run(harness.scenario_from_yaml(DELETE_THEN_READ % form), "node")
    assert list(res.evaluations["value"]) == seen  # the flag form: the deleted f1 is still served from the cache
    assert list(res.store.itertuples(index=False, name=None)) == [("flags", "f1", 2, True)]
    assert list(res.ops["outcome"].astype(str)) == ["applied", "applied", "ignored"]


def test_the_contract_reads_both_forms_alike_as_gos_wrapper_does():
    runs = [harness.run(harness.scenario_from_yaml(DELETE_THEN_READ % form), "contract") for form in TOMBSTONES]
    assert runs[0].timeline.drop(columns=["seq"]).equals(runs[1].timeline.drop(columns=["seq"]))
    assert list(runs[0].evaluations["value"]) == ["gone"]


TOMBSTONES = ("serialized", "flag")
