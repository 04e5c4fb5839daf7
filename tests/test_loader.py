"""Bad scenarios give a ScenarioError naming file, line and key."""

import pickle
import textwrap

import pytest

import harness
from harness.vocabulary.model import Init, Status, StoreDown, Upsert

GOOD = """\
name: good
steps:
  - init: {flags: {f1: {version: 1, "on": false}}}
  - upsert: {flag: f1, version: 2}
"""


def error_for(write_scenario, text):
    path = write_scenario(textwrap.dedent(text))
    with pytest.raises(harness.ScenarioError) as info:
        harness.load_scenario(path)
    return path, info.value


def test_a_good_file_loads_into_the_model(write_scenario):
    sc = harness.load_scenario(write_scenario(GOOD))
    assert sc.name == "good"
    assert isinstance(sc.steps[0].action, Init)
    assert sc.steps[0].action.flags[0].spec == {"version": 1, "on": False}
    assert isinstance(sc.steps[1].action, Upsert) and sc.steps[1].line == 4


@pytest.mark.parametrize("text, line, key, words", [
    ("""\
     name: x
     steps:
       - init: {flags: {f1: {version: 1}}}
       - upsrt: {flag: f1, version: 2}
     """, 4, "steps[1].upsrt", "unknown step 'upsrt'"),
    ("""\
     name: x
     steps:
       - upsert: {flag: f1, version: -3}
     """, 3, "steps[0].upsert.version", "less than the minimum"),
    ("""\
     name: x
     steps:
       - upsert:
           flag: f1
           version: "2"
     """, 5, "steps[0].upsert.version", "not of type 'integer'"),
    ("""\
     name: x
     steps:
       - wait: 10 seconds
     """, 3, "steps[0].wait", "bad duration '10 seconds'"),
    ("""\
     name: x
     steps:
       - status: VALID
         after: -2s
     """, 4, "steps[0].after", "bad duration '-2s'"),
    ("""\
     name: x
     colour: blue
     steps: []
     """, 2, "colour", "unknown key 'colour'"),
    ("""\
     name: x
     steps:
       - status: SLEEPY
     """, 3, "steps[0].status", "'SLEEPY' is not one of"),
    ("""\
     name: x
     steps:
       - init: {flags: {f1: {version: 1}}}
     expect:
       store: {flags: {f9: 3}}
     """, 5, "expect.store.flags.f9", "no step writes flag 'f9'"),
    ("""\
     name: x
     steps:
       - init: {flags: {f1: {version: 1}}}
     expect:
       changes: [f1, nope]
     """, 5, "expect.changes", "no step writes flag 'nope'"),
    ("""\
     name: x
     steps:
       - upsert: {flag: f1, segment: s1, version: 1}
     """, 3, "steps[0].upsert.flag", "exactly one of 'flag' or 'segment'"),
    ("""\
     name: x
     steps:
       - status: VALID
         wait: 2s
     """, 3, "steps[0]", "exactly one action"),
    ("""\
     name: x
     steps:
       - store_down: {fail: [upsert, explode]}
     """, 3, "steps[0].store_down.fail[1]", "'explode' is not one of"),
    ("""\
     name: x
     steps:
       - status: VALID
     expect:
       outcomes: [applied, maybe]
     """, 5, "expect.outcomes[1]", "'maybe' is not one of"),
    ("""\
     name: x
     name: y
     steps: []
     """, 2, "name", "duplicate key 'name'"),
    ("""\
     steps: []
     """, 1, None, "'name' is required"),
    ("""\
     name: x
     steps:
       - init: {flags: {1: {version: 1}}}
     """, 3, "steps[0].init.flags", "a key must be text, not 1; write it in quotes"),
])
def test_bad_input_names_file_line_and_key(write_scenario, text, line, key, words):
    path, error = error_for(write_scenario, text)
    assert error.file == str(path)
    assert error.line == line, str(error)
    assert error.key == key, str(error)
    assert words in error.message
    assert str(error).startswith(f"{path}:{line}: ")


def test_broken_yaml_points_at_the_line(write_scenario):
    _, error = error_for(write_scenario, "name: x\nsteps:\n  - init: {flags: [\n")
    assert error.line is not None and error.line >= 3
    assert "not valid YAML" in error.message


def test_yaml_objects_are_never_constructed(write_scenario):
    _, error = error_for(write_scenario, "name: !!python/object/apply:os.system ['echo hi']\nsteps: []\n")
    assert "unsupported tag" in error.message and error.line == 1


def test_on_and_yes_stay_strings_and_dates_stay_text(write_scenario):
    sc = harness.load_scenario(write_scenario(
        "name: x\nstart: 2025-03-04T05:06:07Z\nsteps:\n  - upsert: {flag: yes, version: 1, on: true}\n"))
    item = sc.steps[0].action.item
    assert item.key == "yes" and item.spec["on"] is True
    assert sc.start.isoformat() == "2025-03-04T05:06:07+00:00"


def test_missing_and_empty_files(tmp_path, write_scenario):
    with pytest.raises(harness.ScenarioError, match="cannot read"):
        harness.load_scenario(tmp_path / "absent.yaml")
    with pytest.raises(harness.ScenarioError, match="empty"):
        harness.load_scenario(write_scenario(""))


def test_builder_uses_the_same_vocabulary_and_checks():
    sc = (harness.scenario("built", store={"type": "persistent", "cache_ttl": "5s"})
          .init(flags={"f1": {"version": 1}})
          .status("INTERRUPTED", {"kind": "NETWORK_ERROR"}, at="2s")
          .store_down(fail=["get"])
          .expect(outcomes=["applied"])
          .build())
    assert isinstance(sc.steps[1].action, Status) and sc.steps[1].at == 2_000_000
    assert sc.steps[2].action == StoreDown(frozenset({"get"}))
    assert sc.store.cache_ttl == 5_000_000
    with pytest.raises(harness.ScenarioError, match="less than the minimum") as info:
        harness.scenario("bad").upsert(flag="f1", version=-1).build()
    assert info.value.key == "steps[0].upsert.version"


def test_every_catalogue_scenario_round_trips_through_yaml():
    from conftest import CATALOGUE
    for path in sorted(CATALOGUE.rglob("*.yaml")):
        sc = harness.load_scenario(path)
        again = harness.scenario_from_yaml(harness.scenario_yaml(sc))
        assert again == sc, path


def test_the_schema_is_published_and_valid():
    import json

    import jsonschema

    from conftest import ROOT
    on_disk = json.loads((ROOT / "harness" / "vocabulary" / "scenario.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(on_disk)
    assert harness.schema() == on_disk


# ----------------------------------------------------------------------------- what a path may be

@pytest.fixture
def hang_guard():
    """Fail instead of hanging on a path that blocks (a guard, far above any real load)."""
    import signal

    def alarm(*_):
        raise AssertionError("the loader hangs")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path, hang_guard):
    import os
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(harness.ScenarioError, match="a named pipe .FIFO., not a regular file") as info:
        harness.load_scenario(fifo)
    assert info.value.file == str(fifo)
    with pytest.raises(harness.ScenarioError, match="named pipe"):
        harness.collect([fifo])  # as the runner and the command line read a path


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path, hang_guard, device):
    import tracemalloc
    link = tmp_path / "endless.yaml"
    link.symlink_to(device)
    tracemalloc.start()
    try:
        with pytest.raises(harness.ScenarioError, match="a character device, not a regular file") as info:
            harness.load_scenario(link)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.file == str(link) and peak < 2 ** 20


def test_a_folder_given_as_a_scenario_file_is_refused(tmp_path):
    with pytest.raises(harness.ScenarioError, match="a folder, not a regular file"):
        harness.load_scenario(tmp_path)


def test_a_symlink_to_a_regular_file_loads(tmp_path, write_scenario):
    link = tmp_path / "link.yaml"
    link.symlink_to(write_scenario(GOOD))
    assert harness.load_scenario(link).name == "good"


# ----------------------------------------------------------------------------- the schema as help

def test_the_schema_describes_every_step_kind_option_and_item_field():
    from harness.vocabulary.steps import STEP_KINDS
    steps = harness.schema()["$defs"]["step"]["properties"]
    for name, body in steps.items():
        assert body.get("description"), name
        mapping = body.get("then", body)
        for option, schema in mapping.get("properties", {}).items():
            assert schema.get("description"), f"{name}.{option}"
    assert set(steps) == set(STEP_KINDS) | {"at", "after"}
    for spec in ("flag_spec", "segment_spec"):
        fields = harness.schema()["$defs"][spec]["properties"]
        assert all(schema.get("description") for schema in fields.values()), spec
    assert "heartbeat" not in steps


def test_a_mis_indented_init_gives_the_hint_alone(write_scenario):
    path, error = error_for(write_scenario, """\
        name: x
        steps:
          - init:
            flags: {f1: {version: 1}}
        """)
    assert error.line == 3 and error.key == "steps[0].init"
    assert error.message.startswith("'init' has no value (is the line below it indented enough?)")
    assert "None" not in error.message and "not of type" not in error.message


def test_every_problem_of_a_file_is_shown_each_on_its_own_line(write_scenario):
    path, error = error_for(write_scenario, """\
        name: x
        steps:
          - upsert: {flag: f1, verison: 2}
          - status: {state: VALIDD}
          - wait: 5x
          - delete: {flag: f1}
        """)
    assert (error.line, error.key) == (3, "steps[0].upsert.verison")   # the first, as before
    lines = str(error).splitlines()
    assert lines == [
        f"{path}:3: unknown key 'verison', did you mean 'version'? at 'steps[0].upsert.verison'",
        # (its consequence, 'version' is required in the same upsert, is left out)
        f"{path}:4: 'VALIDD' is not one of INITIALIZING, VALID, INTERRUPTED, OFF at 'steps[1].status.state'",
        f"{path}:5: bad duration '5x': write a number and one unit of ms, s, m or h (e.g. '250ms') at 'steps[2].wait'",
        f"{path}:6: 'version' is required at 'steps[3].delete'",
    ]
    assert str(pickle.loads(pickle.dumps(error))) == str(error)   # a worker process hands it back whole


def test_a_file_full_of_mistakes_shows_the_first_ten(write_scenario):
    path, error = error_for(write_scenario, "name: x\nsteps:\n" + "".join(
        f"  - status: {{state: WRONG{i}}}\n" for i in range(15)))
    lines = str(error).splitlines()
    assert len(lines) == 11 and lines[-1] == f"{path}: ... and 5 more problem(s)"
    assert [line.split(":")[1] for line in lines[:10]] == [str(3 + i) for i in range(10)]
