"""``store: {type: python, core: "module:callable"}``: a user's FeatureStoreCore behind the SDK's
caching wrapper, with the kit's faults around it, on sdk and sdk-async; other targets refuse it."""

import pytest

import harness
from harness.errors import ScenarioError, UsageError

DOWN_DURING_UPSERT = """
name: user-core-down-during-upsert
store: {{type: python, core: "{core}", cache_ttl: {ttl}}}
steps:
  - init: {{flags: {{f1: {{version: 1}}}}}}
  - status: VALID
  - upsert: {{flag: f1, version: 2}}
  - upsert: {{flag: f1, version: 2}}
  - store_down: {{}}
  - upsert: {{flag: f1, version: 3}}
  - store_up: {{}}
    after: 1s
  - wait: 1s
  - upsert: {{flag: f1, version: 4}}
expect:
  outcomes: [applied, applied, ignored, error, applied]
  store: {{flags: {{f1: 4}}}}
  targets:  # the sync sink's change event for an ignored write (docs/differences.md)
    sdk: {{violations: [changes-only-for-applied-writes]}}
"""


def scenario(core: str, ttl: str = "0s"):
    return harness.scenario_from_yaml(DOWN_DURING_UPSERT.format(core=core, ttl=ttl))


@pytest.mark.parametrize("target", ["sdk", "sdk-async"])
@pytest.mark.parametrize("ttl", ["0s", "30s", "forever"])
def test_a_users_core_runs_behind_the_wrapper_with_faults(target, ttl):
    # JsonCore builds a fresh record on every read: the outcomes are read from it by value
    result = harness.run(scenario("user_cores:JsonCore", ttl), target).raise_for_failures()
    assert result.ops["error"].dropna().tolist() == ["store unavailable"]
    if target == "sdk":  # the SDK's wrapper monitors the core: down after the failure, up once polled
        assert result.store_status["available"].tolist() == [True, False, True]


def test_sdk_async_takes_an_async_core():
    harness.run(scenario("user_cores:AsyncJsonCore"), "sdk-async").raise_for_failures()


def test_the_sync_client_refuses_an_async_core():
    with pytest.raises(UsageError, match="is async .* the sdk target needs a sync FeatureStoreCore"):
        harness.run(scenario("user_cores:AsyncJsonCore"), "sdk")


def test_a_core_without_an_availability_check_is_not_monitored():
    result = harness.run(scenario("user_cores:BlindJsonCore"), "sdk").raise_for_failures()
    assert result.store_status["available"].tolist() == [True]


def test_the_final_store_and_evaluations_come_from_the_users_core():
    mine = (harness.scenario("evaluate-from-my-core", store={"type": "python", "core": "user_cores:JsonCore",
                                                             "cache_ttl": "0s"})
            .init(flags={"f1": {"version": 1}}).delete(flag="f1", version=2).evaluate("f1", default="fallback")
            .expect(store={"flags": {"f1": "deleted"}}, evaluations=["fallback"], reasons=["ERROR:FLAG_NOT_FOUND"])
            .build())
    for target in ("sdk", "sdk-async"):
        harness.run(mine, target).raise_for_failures()


@pytest.mark.parametrize("target", ["contract", "go", "go-v6"])
def test_other_targets_refuse_it_with_the_reason(target):
    with pytest.raises(UsageError, match=f"target '{target}' cannot run scenario .*: {target} takes no python store"):
        harness.run(scenario("user_cores:JsonCore"), target)


def test_run_many_and_diff_leave_the_refused_runs_out_and_say_so():
    mine = scenario("user_cores:JsonCore")
    ran = list(harness.run_many([mine], ["sdk", "contract"]))
    assert [r.target for r in ran] == ["sdk"]
    from harness.runs.runner import refused_runs
    assert [(s.name, t) for s, t, _ in refused_runs([mine], ["sdk", "contract"])] == [(mine.name, "contract")]
    assert [r.target for r in harness.diff([mine], ["sdk", "sdk-async", "contract"]).results] == ["sdk", "sdk-async"]


@pytest.mark.parametrize("core, message", [
    ("no_such_module_here:Core", "cannot import the module no_such_module_here"),
    ("user_cores:Missing", "user_cores has no Missing"),
    ("user_cores:NOT_CALLABLE", "NOT_CALLABLE is not callable"),
])
def test_a_core_that_cannot_be_had_is_a_usage_error(core, message):
    with pytest.raises(UsageError, match=message):
        harness.run(scenario(core), "sdk")


@pytest.mark.parametrize("store, key", [
    ('{type: python}', "store.core"),
    ('{type: python, core: "not a path"}', "store.core"),
    ('{type: persistent, core: "a:b"}', "store.core"),
    ('{type: memory, prefix: p}', "store.prefix"),
])
def test_bad_store_settings_are_scenario_errors(store, key):
    with pytest.raises(ScenarioError) as caught:
        harness.scenario_from_yaml(f"name: bad\nstore: {store}\nsteps: [{{init: {{}}}}]\n")
    assert key in str(caught.value)


def test_a_python_store_writes_itself_back():
    mine = scenario("user_cores:JsonCore", "30s")
    assert mine.to_data()["store"] == {"type": "python", "cache_ttl": "30s", "core": "user_cores:JsonCore"}
    assert harness.scenario_from_data(mine.to_data()) == mine


def test_the_plugin_skips_a_refused_scenario_with_the_reason(pytester):
    pytester.makefile(".yaml", **{"scenarios/mine": DOWN_DURING_UPSERT.format(core="user_cores:JsonCore", ttl="0s")})
    result = pytester.runpytest("scenarios", "--harness-target", "contract", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*contract takes no python store*"])


def test_a_core_handed_to_the_builder_as_a_class_is_found_where_its_module_cannot_be_imported():
    namespace = {"__name__": "__main__"}  # an exec'd snippet: the class is in no importable module
    exec("class SnippetCore:\n"
         "    def __init__(self): self.rows, self.inited = {}, False\n"
         "    def init_internal(self, data): self.rows = {(k.namespace, key): i for k, items in data.items() "
         "for key, i in items.items()}; self.inited = True\n"
         "    def get_internal(self, kind, key): return self.rows.get((kind.namespace, key))\n"
         "    def get_all_internal(self, kind): return {key: i for (n, key), i in self.rows.items() "
         "if n == kind.namespace}\n"
         "    def upsert_internal(self, kind, item):\n"
         "        old = self.get_internal(kind, item['key'])\n"
         "        if old is None or old['version'] < item['version']: self.rows[(kind.namespace, item['key'])] = item\n"
         "        return self.get_internal(kind, item['key'])\n"
         "    def initialized_internal(self): return self.inited\n", namespace)
    built = (harness.scenario("snippet", store={"type": "python", "core": namespace["SnippetCore"], "cache_ttl": "0s"})
             .init(flags={"f1": {"version": 1}}).store_down().upsert(flag="f1", version=2).store_up()
             .upsert(flag="f1", version=1).build())
    assert built.store.core == "__main__:SnippetCore"  # the name it is written back under
    assert harness.run(built, "sdk").ops["outcome"].astype(str).tolist() == ["applied", "error", "ignored"]
