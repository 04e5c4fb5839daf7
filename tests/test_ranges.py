"""Values every target and every frame can hold are accepted; the rest is refused at load, with
file, line and key, from YAML and from Python alike; an item's fields are the SDKs' own."""

from datetime import datetime, timedelta, timezone

import pytest

import harness
from harness.vocabulary.item_fields import FLAG_FIELDS, SEGMENT_FIELDS, Item
from harness.vocabulary.steps import Delete, Disconnect, Evaluate, Step, Wait
from harness.vocabulary.values import (EARLIEST_TIME, LATEST_TIME, LONGEST_DURATION, MAX_STATUS_CODE, MAX_VERSION,
                                       ErrorInfo)

BIG = 2 ** 53


def load(text: str) -> harness.Scenario:
    return harness.scenario_from_yaml("name: x\n" + text, "f.yaml")


def refused(text: str) -> harness.ScenarioError:
    with pytest.raises(harness.ScenarioError) as info:
        load(text)
    assert info.value.file == "f.yaml"
    return info.value


# ----------------------------------------------------------------------------- versions

def test_the_largest_version_is_2_to_the_53_minus_1_everywhere():
    assert MAX_VERSION == BIG - 1
    top = load(f"steps:\n  - init: {{flags: {{f1: {{version: {MAX_VERSION}}}}}}}\n"
               f"  - upsert: {{segment: s1, version: {MAX_VERSION}}}\n"
               f"  - delete: {{flag: f1, version: {MAX_VERSION}}}\n"
               f"expect:\n  store: {{flags: {{f1: {MAX_VERSION}}}}}\n")
    assert top.steps[2].action.version == MAX_VERSION
    for step in (f"upsert: {{flag: f1, version: {BIG}}}", f"delete: {{flag: f1, version: {2 ** 63 - 1}}}",
                 f"init: {{flags: {{f1: {{version: {BIG}}}}}}}"):
        error = refused(f"steps:\n  - {step}\n")
        assert error.line == 3 and error.key.endswith("version"), error
        assert "2**53 - 1" in error.message and "float64" in error.message  # why, not just that
    error = refused(f"steps:\n  - upsert: {{flag: f1, version: 1}}\nexpect:\n  store: {{flags: {{f1: {BIG}}}}}\n")
    assert error.key == "expect.store.flags.f1"


def test_a_version_out_of_range_from_python_is_refused_as_from_yaml():
    with pytest.raises(harness.ScenarioError, match="float64") as info:
        harness.scenario("x").upsert(flag="f1", version=BIG).build()
    assert info.value.key == "steps[0].upsert.version"
    with pytest.raises(harness.ScenarioError, match="float64"):
        harness.scenario_from_data({"name": "x", "steps": [{"delete": {"segment": "s1", "version": BIG}}]})
    with pytest.raises(harness.ScenarioError, match="float64"):
        Item("flags", "f1", {"version": BIG})
    with pytest.raises(harness.ScenarioError, match="float64"):
        Delete("flags", "f1", BIG)
    with pytest.raises(harness.ScenarioError, match="neither a Step nor a plain write"):
        harness.Scenario(name="x", steps=[("upsert", "flags", "f1", BIG)])


# ----------------------------------------------------------------------------- status codes

def test_status_codes_run_from_0_to_999():
    assert MAX_STATUS_CODE == 999
    load("steps:\n  - status: {state: INTERRUPTED, error: {kind: ERROR_RESPONSE, status_code: 999}}\n")
    for code in (1000, -1, 2 ** 63):
        error = refused(f"steps:\n  - disconnect: {{error: {{status_code: {code}}}}}\n")
        assert error.key == "steps[0].disconnect.error.status_code" and error.line == 3
    with pytest.raises(harness.ScenarioError, match="from 0 to 999") as info:
        ErrorInfo("UNKNOWN", 1000)
    assert info.value.key == "status_code"
    with pytest.raises(harness.ScenarioError) as info:
        harness.scenario("x").status("INTERRUPTED", {"status_code": 1000}).build()
    assert info.value.key == "steps[0].status.error.status_code"


# ----------------------------------------------------------------------------- times

def test_a_start_before_year_1_in_utc_is_refused_at_load_not_by_every_target():
    error = refused("start: 0001-01-01T00:00:00+01:00\nsteps:\n  - status: VALID\n")
    assert (error.key, error.line) == ("start", 2)
    assert "from 1970-01-01 to 2200-01-01 UTC" in error.message and "datetime64[ns]" in error.message


@pytest.mark.parametrize("start", ["1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z", "2200-01-01T00:30:00-01:00",
                                   "9999-12-31T23:59:59Z"])
def test_a_start_outside_1970_to_2200_is_refused(start):
    assert refused(f"start: {start}\nsteps: []\n").key == "start"


def test_a_start_from_python_is_checked_as_from_yaml():
    with pytest.raises(harness.ScenarioError, match="start must lie") as info:
        harness.scenario("x", start="1900-01-01T00:00:00Z").build()
    assert info.value.key == "start"
    with pytest.raises(harness.ScenarioError, match="start must lie"):
        harness.Scenario(name="x", start=datetime(2201, 1, 1, tzinfo=timezone.utc))


@pytest.mark.parametrize("text, key", [
    ("start: 2199-12-31T00:00:00Z\nsteps:\n  - wait: 25h\n", "steps[0]"),
    ("start: 2199-12-31T00:00:00Z\nsteps:\n  - status: VALID\n    after: 25h\n", "steps[0]"),
    ("start: 2199-12-31T00:00:00Z\nsteps:\n  - status: VALID\n    at: 25h\n", "steps[0]"),
    ("start: 2199-12-31T00:00:00Z\nsteps:\n  - disconnect: {reconnect_after: 25h}\n", "steps[0]"),
    ("start: 2199-12-31T00:00:00Z\nstore: {type: persistent, cache_ttl: 25h}\nsteps: []\n", "outage_log_after"),
])
def test_no_step_or_timer_may_move_the_clock_past_2200(text, key):
    error = refused(text)
    assert error.key == key and "2200" in error.message, error


@pytest.mark.parametrize("text, key", [
    ("steps:\n  - wait: 2100000h\n", "steps[0].wait"),
    ("steps:\n  - stop: {}\n    after: 2100000h\n", "steps[0].after"),
    ("steps:\n  - disconnect: {reconnect_after: 2100000h}\n", "steps[0].disconnect.reconnect_after"),
    ("outage_log_after: 2100000h\nsteps: []\n", "outage_log_after"),
    ("store: {type: persistent, cache_ttl: 2100000h}\nsteps: []\n", "store.cache_ttl"),
])
def test_no_duration_may_exceed_the_clocks_span(text, key):
    error = refused(text)  # 2,100,000 hours: about 240 years, past the 230 from 1970 to 2200
    assert error.key == key and "whole span, 1970 to 2200" in error.message, error


def test_durations_and_waits_from_python_are_checked_alike():
    with pytest.raises(harness.ScenarioError, match="whole span"):
        Wait(LONGEST_DURATION + 1)
    with pytest.raises(harness.ScenarioError, match="whole span"):
        Step(Wait(1), after=LONGEST_DURATION + 1)
    with pytest.raises(harness.ScenarioError, match="whole span"):
        Disconnect(reconnect_after=LONGEST_DURATION + 1)
    assert Wait(LONGEST_DURATION).micros == (LATEST_TIME - EARLIEST_TIME) // timedelta(microseconds=1)


def test_scenarios_at_both_ends_of_the_range_run_on_every_target():
    """The range is one every target and every frame can hold: its edges replay everywhere."""
    early = (harness.scenario("early", start="1970-01-01T00:00:00Z").init(flags={"f1": {"version": 1}})
             .status("VALID").upsert(flag="f1", version=MAX_VERSION).evaluate("f1").build())
    late = (harness.scenario("late", start="2199-12-31T23:00:00Z").init(flags={"f1": {"version": 1}})
            .status("VALID").wait("50m").disconnect(reconnect_after="1m").build())
    for scenario in (early, late):
        for result in harness.run_many([scenario], harness.targets()):
            assert result.ok, result.report()
            assert result.timeline["t"].iloc[-1] >= scenario.start  # the frames hold the instants
    versions = [result.store["version"].max() for result in harness.run_many([early], harness.targets())]
    assert versions == [MAX_VERSION] * len(versions)  # exact on every target


# ----------------------------------------------------------------------------- JSON values

@pytest.mark.parametrize("step, key", [
    ("upsert: {flag: f1, version: 1, variations: [.nan, 1]}", "steps[0].upsert.variations"),
    ("upsert: {flag: f1, version: 1, fallthrough: {variation: .inf}}", "steps[0].upsert.fallthrough"),
    ("init: {flags: {f1: {version: 1, variations: [-.inf]}}}", "steps[0].init.flags.f1.variations"),
    ("evaluate: {flag: f1, default: .nan}", "steps[0].evaluate.default"),
    ("evaluate: {flag: f1, default: {x: [.inf]}}", "steps[0].evaluate.default"),
])
def test_nan_and_infinity_are_refused_for_they_are_not_json(step, key):
    error = refused(f"steps:\n  - {step}\n")
    assert error.key == key and "not JSON" in error.message, error


def test_nan_from_python_is_refused_too():
    with pytest.raises(harness.ScenarioError, match="not JSON") as info:
        harness.scenario("x").evaluate("f1", default=float("nan")).build()
    assert info.value.key == "steps[0].evaluate.default"
    with pytest.raises(harness.ScenarioError, match="not JSON"):
        Evaluate("f1", default=[float("inf")])
    with pytest.raises(harness.ScenarioError, match="not JSON"):
        harness.scenario("x").upsert(flag="f1", version=1, variations=[float("nan")]).build()
    with pytest.raises(harness.ScenarioError, match="not JSON data"):
        Evaluate("f1", default={1, 2})


# ----------------------------------------------------------------------------- item fields

# What the Go SDK refuses (issue 20, item 7), each refused at load as an upsert and as an init.
REFUSED_BY_GO = [
    ("'on': 'yes'", "on"), ("rules: notalist", "rules"), ("variations: abc", "variations"),
    ("offVariation: x", "offVariation"), ("salt: 5", "salt"), ("clientSide: yes", "clientSide"),
    ("prerequisites: [{key: f2, variation: x}]", "prerequisites[0].variation"), ("rules: [5]", "rules[0]"),
]


@pytest.mark.parametrize("field, key", REFUSED_BY_GO)
def test_an_upsert_item_is_checked_as_strictly_as_an_init_item(field, key):
    upsert = refused(f"steps:\n  - upsert: {{flag: f1, version: 2, {field}}}\n")
    assert (upsert.key, upsert.line) == (f"steps[0].upsert.{key}", 3)
    init = refused(f"steps:\n  - init: {{flags: {{f1: {{version: 2, {field}}}}}}}\n")
    assert (init.key, init.line) == (f"steps[0].init.flags.f1.{key}", 3)


def test_items_made_in_python_are_checked_against_the_same_fields():
    bad = {"on": "yes", "rules": "notalist", "variations": "abc", "offVariation": "x", "salt": 5,
           "clientSide": "yes", "prerequisites": [{"key": "f2", "variation": "x"}], "targets": [1]}
    for field, value in bad.items():
        with pytest.raises(harness.ScenarioError) as info:
            Item("flags", "f1", {"version": 1, field: value})
        assert info.value.key == field
        with pytest.raises(harness.ScenarioError):
            harness.scenario("x").upsert(flag="f1", version=1, **{field: value}).build()


def test_a_misspelt_field_is_named_with_the_closest_field():
    error = refused("steps:\n  - upsert: {flag: f1, verison: 2}\n")
    assert error.message.startswith("unknown key 'verison', did you mean 'version'?")
    assert error.key == "steps[0].upsert.verison"
    error = refused("steps:\n  - init: {segments: {s1: {version: 1, inclded: [a]}}}\n")
    assert "did you mean 'included'" in error.message and error.key == "steps[0].init.segments.s1.inclded"
    with pytest.raises(harness.ScenarioError, match="unknown field 'fallthru' in flag 'f1', did you mean "
                                                    "'fallthrough'") as info:
        Item("flags", "f1", {"version": 1, "fallthru": {"variation": 1}})
    assert info.value.key == "fallthru"


def test_a_field_of_the_other_kind_or_the_key_is_refused_with_the_reason():
    error = refused("steps:\n  - upsert: {segment: s1, version: 1, 'on': true}\n")
    assert "'on' is a flag field" in error.message and error.key == "steps[0].upsert.on"
    error = refused("steps:\n  - upsert: {flag: f1, version: 1, key: f2}\n")
    assert "an item's key is given by flag:" in error.message


def test_every_field_the_sdks_read_is_accepted():
    flag = {"version": 1, "on": False, "prerequisites": ["f2", {"key": "f3", "variation": 1}], "segments": ["s1"],
            "salt": "x", "targets": [{"values": ["u"], "variation": 1}], "contextTargets": [],
            "rules": [{"id": "r", "clauses": [], "variation": 0}], "fallthrough": {"variation": 1},
            "offVariation": None, "variations": [1, "a", None], "clientSide": True,
            "clientSideAvailability": {"usingMobileKey": True}, "trackEvents": False, "trackEventsFallthrough": False,
            "debugEventsUntilDate": 1.5, "deleted": False, "excludeFromSummaries": True, "samplingRatio": 2,
            "migration": {"checkRatio": 1}}
    segment = {"version": 1, "included": ["a"], "excluded": ["b"], "includedContexts": [], "excludedContexts": [],
               "segments": ["s2"], "rules": [], "salt": "y", "unbounded": False, "unboundedContextKind": "user",
               "generation": None, "deleted": False}
    assert set(flag) == set(FLAG_FIELDS) and set(segment) == set(SEGMENT_FIELDS)
    scenario = harness.scenario("all").init(flags={"f1": flag}, segments={"s1": segment}).upsert(
        flag="f9", **flag).build()
    assert scenario.steps[1].action.item.spec == flag
    for target in harness.targets():
        assert harness.run(scenario, target).ops["outcome"].astype(str).tolist() == ["applied", "applied"], target


def test_the_whole_catalogue_loads_with_its_items_checked():
    from conftest import CATALOGUE
    scenarios = harness.collect([CATALOGUE])
    assert len(scenarios) > 50
    assert any(item.spec.keys() - {"version"} for s in scenarios for step in s.steps for item in step.action.items())
