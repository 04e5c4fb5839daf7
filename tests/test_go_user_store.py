"""``store: {type: go, core: "./folder:Function"}``: a user's PersistentDataStore (a Go package) built into
the Go driver, behind the SDK's caching wrapper, with the kit's faults around it. The example store is
tests/go_user_store/, a table of JSON documents that answers reads with the JSON alone."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import harness
from harness.drivers.go import GO
from harness.drivers.go.build import binary_path, go_toolchain
from harness.drivers.go.user_store import GoUserStore
from harness.errors import ScenarioError, UsageError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "go_user_store"

needs_go = pytest.mark.skipif("go" not in harness.targets(),
                              reason=GO.availability().reason or "the go target is not ready")

DOWN_DURING_UPSERT = """
name: my-go-store-down
store: {type: %s, cache_ttl: %s}
steps:
  - init: {flags: {f1: {version: 1}}}
  - status: VALID
  - upsert: {flag: f1, version: 2}
  - upsert: {flag: f1, version: 2}
  - store_down: {message: my store is down}
  - upsert: {flag: f1, version: 3}
  - store_up: {}
    after: 1s
  - wait: 1s
  - upsert: {flag: f1, version: 4}
  - delete: {flag: f1, version: 5}
  - evaluate: {flag: f1, default: gone}
expect:
  outcomes: [applied, applied, ignored, error, applied, applied]
  store: {flags: {f1: deleted}}
  evaluations: [gone]
"""


def mine(core: str = "./tests/go_user_store:New", ttl: str = "0s"):
    return harness.scenario_from_yaml(DOWN_DURING_UPSERT % (f'go, core: "{core}"', ttl))


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # a local store's folder is found from the current folder


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """Builds of throwaway stores go to a cache of the test's own, not the user's (Go's own build cache,
    under the same folder unless GOCACHE says otherwise, stays where it is: the SDK is compiled already)."""
    go, _ = go_toolchain()
    gocache = subprocess.run([go, "env", "GOCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    monkeypatch.setenv("GOCACHE", gocache)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@needs_go
@pytest.mark.parametrize("ttl", ["0s", "30s", "forever"])
def test_a_users_go_store_runs_behind_the_wrapper_with_the_kits_faults(at_root, ttl):
    result = harness.run(mine(ttl=ttl), "go").raise_for_failures()
    assert result.store_status["available"].tolist() == [True, False, True]  # the wrapper monitored it
    assert result.logs["message"].str.contains("my store is down").any()
    # the store answers reads with JSON alone (version 0): outcomes and the final store read the JSON, as the
    # SDK does, and every frame is what the kit's own core gives
    kits = harness.run(harness.scenario_from_yaml(DOWN_DURING_UPSERT % ("persistent", ttl)), "go")
    assert result.timeline.equals(kits.timeline)


@needs_go
def test_a_store_is_built_for_one_sdk_major(at_root, tmp_path, own_cache):
    with pytest.raises(UsageError, match=r"store.core './tests/go_user_store:New' on go-v6 \(a store of "
                                         r"github.com/launchdarkly/go-server-sdk/v6's .*does not satisfy"):
        harness.run(mine(), "go-v6")
    v6 = tmp_path / "v6store"  # the same store written against v6 runs there
    shutil.copytree(EXAMPLE, v6)
    (v6 / "go.sum").unlink()
    for name in ("go.mod", "store.go"):
        text = (v6 / name).read_text().replace("go-server-sdk/v7 v7.14.6", "go-server-sdk/v6 v6.2.1")
        (v6 / name).write_text(text.replace("go-server-sdk/v7", "go-server-sdk/v6"))
    harness.run(mine(f"{v6}:New"), "go-v6").raise_for_failures()


@needs_go
def test_a_store_that_does_not_build_is_a_usage_error_naming_the_key(at_root, own_cache):
    with pytest.raises(UsageError, match=r"store.core './tests/go_user_store:Missing' on go .*"
                                         r"userstore.go:\d+:\d+: undefined: userstore.Missing \(the whole log: "):
        harness.run(mine("./tests/go_user_store:Missing"), "go")


@needs_go
def test_an_edit_to_the_store_builds_and_starts_a_fresh_driver(tmp_path, own_cache):
    store = tmp_path / "mystore"
    shutil.copytree(EXAMPLE, store)
    scenario = mine(f"{store}:New")
    assert harness.run(scenario, "go").ok
    before = binary_path(GO.with_store(scenario.store.core).flavour)
    source = store / "store.go"  # an edit: the store never overwrites, so every write after init is ignored
    never = source.read_text().replace("ok && versionOf(old) >= item.Version", "ok || versionOf(old) >= item.Version")
    source.write_text(never)
    result = harness.run(scenario, "go")
    assert binary_path(GO.with_store(scenario.store.core).flavour) != before
    # init, status, upsert v2 twice, upsert v3 while down, upsert v4, delete v5
    assert result.ops["outcome"].astype(str).tolist() == ["applied", "applied", "ignored", "ignored", "error",
                                                          "ignored", "ignored"]


def test_the_cache_key_is_the_stores_content_not_its_place(tmp_path, monkeypatch):
    paths = []
    for place in ("here", "there"):
        shutil.copytree(EXAMPLE, tmp_path / place / "mystore")
        monkeypatch.chdir(tmp_path / place)
        paths.append(binary_path(GO.with_store("./mystore:New").flavour))
    assert paths[0] == paths[1]
    (tmp_path / "there" / "mystore" / "store.go").write_text("package jsonstore\n", encoding="utf-8")
    assert binary_path(GO.with_store("./mystore:New").flavour) != paths[0]


@pytest.mark.parametrize("core, why", [
    ("./tests/nowhere:New", f"{ROOT}/tests/nowhere is not a folder"),
    ("./harness:New", f"{ROOT}/harness is in no Go module (no go.mod in it or above it)"),
    ("example.com/mystore:New", "a module from the Go module proxy needs its version (example.com/mystore@v1.2.3:New)"),
])
def test_a_store_that_cannot_be_found_is_a_usage_error_naming_the_key(at_root, core, why):
    with pytest.raises(UsageError, match=re.escape(f"store.core '{core}': {why}")):
        GoUserStore.parse(core)


def test_the_driver_is_told_where_the_store_comes_from(at_root):
    local = GoUserStore.parse("./tests/go_user_store:New")
    assert (local.package, local.module, local.folder) == ("example.com/jsonstore", "example.com/jsonstore",
                                                           str(EXAMPLE))
    sdk = "github.com/launchdarkly/go-server-sdk/v7"
    pinned = f"\nreplace {sdk} => {sdk} v7.5.0\n"  # the SDK at the target's release, whatever the store requires
    assert local.go_mod_lines(sdk, "v7.5.0") == ('\nrequire example.com/jsonstore v0.0.0\n\n'
                                                 f'replace example.com/jsonstore => "{EXAMPLE}"\n' + pinned)
    remote = GoUserStore.parse("example.com/mystore@v1.2.0:NewStore")
    assert remote.go_mod_lines(sdk, "v7.5.0") == "\nrequire example.com/mystore v1.2.0\n" + pinned
    assert "adaptCore(userstore.NewStore)" in remote.source() and remote.content_digest() == b""


@pytest.mark.parametrize("target", ["sdk", "contract"])
def test_other_targets_refuse_it_with_the_reason(target):
    with pytest.raises(UsageError, match=f"{target} takes no go store \\(a go store core is a Go package, which "
                                         "only the go targets build into their driver\\)"):
        harness.run(mine(), target)


@pytest.mark.parametrize("store", ['{type: go}', '{type: go, core: "./mystore:new"}', '{type: go, core: "a b:New"}',
                                   '{type: python, core: "./mystore:New"}'])
def test_bad_go_store_settings_are_scenario_errors(store):
    with pytest.raises(ScenarioError) as caught:
        harness.scenario_from_yaml(f"name: bad\nstore: {store}\nsteps: [{{init: {{}}}}]\n")
    assert "store.core" in str(caught.value)


def test_a_go_store_writes_itself_back():
    scenario = mine(ttl="30s")
    assert scenario.to_data()["store"] == {"type": "go", "cache_ttl": "30s", "core": "./tests/go_user_store:New"}
    assert harness.scenario_from_data(scenario.to_data()) == scenario
