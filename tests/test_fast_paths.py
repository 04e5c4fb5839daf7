"""The quick paths taken for speed agree with the careful ones they skip.

- ``from_simple_data`` reads common steps without the schema: it must accept
  nothing the schema refuses, and build what the careful reader builds.
- Bulk phases pause the garbage collector: it must be running again after
  each of them, failed ones included.
- The sdk target skips fault checks on a store no step takes down: outcomes
  must not change.
"""

import copy
import functools
import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import harness
from harness.vocabulary.schema import _step_validator
from harness.vocabulary.steps import STEP_KINDS, TIMING_KEYS, Step

COMMON = [
    {"upsert": {"flag": "f1", "version": 2}}, {"delete": {"segment": "s1", "version": 0}, "after": "2s"},
    {"status": "VALID", "at": "250ms"}, {"wait": "1m"}, {"listen": False}, {"stop": {}}, {"store_up": None},
    {"evaluate": {"flag": "f1", "context": "u", "default": [1]}}, {"reconnect": {}},
]

# Values near every edge the schema draws: empty and odd strings, negative,
# boolean and float numbers, durations with and without fractions or units.
texts = st.sampled_from(["", "f1", "s1", " f", "VALID", "OFF", "valid", "1s", "250ms", "1.5s", "1.2345ms", "1", "s",
                         "\u0663s", "1s\n", "1 s", "2sx", "-1s", "forever", "x" * 3])
numbers = st.one_of(st.integers(min_value=-2, max_value=2), st.booleans(), st.floats(allow_nan=False, width=16))
leaves = st.one_of(texts, numbers, st.none(),
                   st.builds(dict), st.builds(list), st.builds(lambda: {"x": 1}))  # fresh each time: mutated below


def near(value):
    """A replacement for ``value``: mostly of its own type, where the edges are."""
    same = texts if isinstance(value, str) else numbers if isinstance(value, (int, float)) else leaves
    return st.one_of(same, same, leaves)


NAMES = sorted(STEP_KINDS) + list(TIMING_KEYS) + ["flag", "segment", "version", "context", "default", "state",
                                                    "prerequisites", "upsrt", "x"]


@functools.lru_cache(maxsize=1)
def catalogue_steps() -> list[dict]:
    from conftest import CATALOGUE
    return [step.to_data() for scenario in harness.collect([CATALOGUE]) for step in scenario.steps]


def places(value, found=None) -> list[tuple]:
    """(container, key) of every value inside ``value``, at any depth."""
    found = [] if found is None else found
    pairs = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in pairs:
        found.append((value, key))
        places(inner, found)
    return found


@st.composite
def mutated_steps(draw):
    """A catalogue or common step with up to two changes: a value swapped, a key dropped or added."""
    data = copy.deepcopy(draw(st.sampled_from(COMMON + list(catalogue_steps()))))
    for _ in range(draw(st.integers(0, 2))):
        if not places(data):
            break
        container, key = draw(st.sampled_from(places(data)))
        change = draw(st.sampled_from(["swap", "swap", "drop", "add"]))
        if change == "swap":
            container[key] = draw(near(container[key]))
        elif change == "drop" and isinstance(container, dict):
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.sampled_from(NAMES))] = draw(leaves)
    return data


@settings(max_examples=3000, deadline=None)
@given(mutated_steps())
def test_a_step_read_quickly_is_one_the_schema_accepts_and_reads_the_same(data):
    quick = Step.from_simple_data(data)
    if quick is None:
        return
    assert list(_step_validator().iter_errors(data)) == []
    assert Step.from_data(data) == quick


EDGES = ["", "f1", " f", "VALID", "valid", "1s", "1.5s", "\u0663s", "1s\n", "1 s", "2sx", "-1s", "forever",
         -1, 0, 2, True, False, 1.0, None, {}, [], {"x": 1}]


def single_changes(data):
    """Every copy of ``data`` with one value swapped for an edge, one key dropped or one key added."""
    for index in range(len(places(data))):
        for edge in EDGES + ["drop"] + [("add", name) for name in NAMES]:
            changed = copy.deepcopy(data)
            container, key = places(changed)[index]
            if edge == "drop":
                if not isinstance(container, dict):
                    continue
                del container[key]
            elif isinstance(edge, tuple):
                if not isinstance(container[key], dict):
                    continue
                container[key][edge[1]] = 1
            else:
                container[key] = copy.deepcopy(edge)
            yield changed


def test_no_single_change_to_a_known_step_slips_past_the_schema_on_the_quick_path():
    """Exhaustive over one change to every common and catalogue step (the property test above tries two)."""
    checked = quick = 0
    for seed in COMMON + list(catalogue_steps()):
        for data in single_changes(seed):
            checked += 1
            step = Step.from_simple_data(data)
            if step is None:
                continue
            quick += 1
            assert list(_step_validator().iter_errors(data)) == [], data
            assert Step.from_data(data) == step, data
    assert checked > 10_000 and quick > 500  # it looked at many, and many took the quick path


@pytest.mark.parametrize("data", COMMON)
def test_the_common_steps_take_the_quick_path(data):
    """The other half of the promise: the quick path is taken (else it would speed nothing up)."""
    assert Step.from_simple_data(data) == Step.from_data(data)


def test_a_quick_builder_step_with_a_bad_value_is_explained_by_the_schema_as_before():
    with pytest.raises(harness.ScenarioError, match="less than the minimum") as info:
        harness.scenario("bad").status("VALID").upsert(flag="f1", version=-1).build()
    assert info.value.key == "steps[1].upsert.version"
    with pytest.raises(harness.ScenarioError, match="unknown step 'upsrt'") as info:
        harness.scenario_from_yaml("name: x\nsteps:\n  - status: VALID\n  - upsrt: {flag: f, version: 1}\n", "f.yaml")
    assert (info.value.file, info.value.line) == ("f.yaml", 4)


def test_the_garbage_collector_runs_again_after_every_bulk_phase_even_a_failed_one():
    assert gc.isenabled()
    with pytest.raises(harness.ScenarioError):
        harness.scenario("bad").upsert(flag="f1", version=-1).build()
    assert gc.isenabled()
    going_back = harness.scenario("back").wait("2s").status("VALID", at="1s").build()
    with pytest.raises(harness.ScenarioError, match="clock already reads"):
        harness.run(going_back, "contract")
    assert gc.isenabled()
    result = harness.run(harness.scenario("ok").status("VALID").build(), "sdk")
    result.frames()
    assert gc.isenabled()
    gc.disable()
    try:  # and a caller who paused it finds it still paused
        harness.run(harness.scenario("ok").status("VALID").build(), "contract")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_store_that_never_goes_down_gives_the_same_run_as_one_that_could():
    """The sdk target leaves the fault checks out when no step takes the store down."""
    steady = (harness.scenario("steady").init(flags={"f1": {"version": 1}}).status("VALID")
              .upsert(flag="f1", version=3).upsert(flag="f1", version=2).delete(flag="f1", version=4)
              .evaluate("f1").build())
    with_fault = harness.Scenario(name="fault", steps=steady.steps + harness.scenario("x").store_down(
        fail=["all"]).store_up().build().steps)
    a, b = harness.run(steady, "sdk"), harness.run(with_fault, "sdk")
    assert list(a.ops["outcome"]) == list(b.ops["outcome"])[:len(a.ops)]
    assert list(a.changes["key"]) == list(b.changes["key"])
    assert list(a.evaluations["value"]) == list(b.evaluations["value"])


def test_plain_builder_writes_build_what_their_yaml_data_builds():
    builder = (harness.scenario("mix").init(flags={"f1": {"version": 1}})
               .upsert(flag="f1", version=2).upsert(segment="s1", version=1).delete(flag="f1", version=3)
               .delete(segment="s1", version=2, after="1s").upsert(flag="f2", version=1, on=False)
               .upsert(flag="f1", version=5, at="3s"))
    data = builder.data()
    assert data["steps"][1] == {"upsert": {"flag": "f1", "version": 2}}
    assert data["steps"][3] == {"delete": {"flag": "f1", "version": 3}}
    assert harness.scenario_from_data(data) == builder.build()
    with pytest.raises(harness.ScenarioError, match="exactly one of 'flag' or 'segment'") as info:
        harness.scenario("both").upsert(flag="f1", segment="s1", version=1).build()
    assert info.value.key.startswith("steps[0].upsert")
    with pytest.raises(harness.ScenarioError, match="is not of type 'integer'") as info:
        harness.scenario("text").delete(flag="f1", version="3").build()
    assert info.value.key == "steps[0].delete.version"


def test_the_shared_defaults_of_plain_items_survive_the_whole_catalogue_on_every_target():
    """Version-only items share their nested JSON; no target may change it."""
    import json

    from conftest import CATALOGUE
    from harness.vocabulary.items import PLAIN_FLAG, PLAIN_SEGMENT, flag_json, item_json, segment_json
    from harness.vocabulary.model import Item
    before = json.dumps([PLAIN_FLAG, PLAIN_SEGMENT])
    for result in harness.run_many(harness.collect([CATALOGUE]), harness.targets()):
        assert result.ok, result.report()
    assert json.dumps([PLAIN_FLAG, PLAIN_SEGMENT]) == before
    assert item_json(Item("flags", "f9", {"version": 4})) == flag_json("f9", {"version": 4})
    assert item_json(Item("segments", "s9", {"version": 4})) == segment_json("s9", {"version": 4})


def test_no_form_reads_quickly_a_value_its_schema_refuses():
    """Every option's quick reading, over the edges, against the option's own schema."""
    import jsonschema

    from harness.vocabulary.steps.forms import NOT_QUICK
    defs = harness.schema()["$defs"]
    values = EDGES + [2 ** 53 - 1, 2 ** 53, -2 ** 53, 0.5, float("nan"), "INITIALIZING", "OFF", "999999999999999999h"]
    checked = 0
    for kind in STEP_KINDS.values():
        for param in kind.params:
            if param.form.quick is None:
                continue
            validator = jsonschema.Draft202012Validator({**param.schema(), "$defs": defs})
            for value in values:
                if param.form.quick(copy.deepcopy(value)) is not NOT_QUICK:
                    checked += 1
                    assert validator.is_valid(value), (kind.name, param.name, value)
    assert checked > 20
