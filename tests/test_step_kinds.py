"""A step kind is written once: its declaration makes the schema, the reading and writing,
the builder's method and its place in generated scenarios."""

import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

import harness
from harness import strategies
from harness.strategies import kind_table, scenario_from_bytes, step_from_bytes, steps_from_bytes
from harness.vocabulary import builder as builder_module
from harness.vocabulary.item_fields import Item
from harness.vocabulary.schema import build_schema
from harness.vocabulary.steps import (STEP_KINDS, Action, Delete, Disconnect, Evaluate, Init, Listen, Reconnect,
                                      Status, Step, Stop, StoreDown, StoreUp, Upsert, Wait, option, step_kind)
from harness.vocabulary.values import ErrorInfo
from harness.vocabulary.steps.forms import BOOLEAN, KEY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def registry():
    """Declare kinds freely: the registry and the builder are as they were afterwards."""
    kinds = dict(STEP_KINDS)
    methods = set(vars(harness.ScenarioBuilder))
    yield
    for name in set(STEP_KINDS) - set(kinds):
        del STEP_KINDS[name]
    for name in set(vars(harness.ScenarioBuilder)) - methods:
        delattr(harness.ScenarioBuilder, name)


# ----------------------------------------------------------------------------- the builder

SIGNATURES = {
    "init": "(self, flags={}, segments={}, *, at=None, after=None)",
    "upsert": "(self, *, flag=None, segment=None, version, at=None, after=None, **spec)",
    "delete": "(self, *, flag=None, segment=None, version, at=None, after=None)",
    "status": "(self, state, error=None, *, at=None, after=None)",
    "store_down": "(self, fail=['init', 'upsert', 'delete', 'get', 'all'], available=False, "
                  "message='store unavailable', *, at=None, after=None)",
    "store_up": "(self, *, at=None, after=None)",
    "wait": "(self, duration, *, at=None, after=None)",
    "listen": "(self, on=True, *, at=None, after=None)",
    "evaluate": "(self, flag, context='user-1', default=None, *, at=None, after=None)",
    "disconnect": "(self, error={'kind': 'NETWORK_ERROR', 'message': 'connection lost'}, reconnect_after=None, *, "
                  "at=None, after=None)",
    "reconnect": "(self, *, at=None, after=None)",
    "stop": "(self, *, at=None, after=None)",
}


def test_every_step_kind_has_a_builder_method_with_its_options_and_their_help():
    assert set(SIGNATURES) == set(STEP_KINDS)
    for name, kind in STEP_KINDS.items():
        method = getattr(harness.ScenarioBuilder, name)
        assert str(inspect.signature(method)) == SIGNATURES[name]
        assert method.__doc__.startswith(kind.__doc__.split("\n")[0].rstrip("."))
        for param in kind.params:
            assert f"``{param.name}``: {param.doc}" in method.__doc__
        assert name in dir(harness.scenario("x"))  # tab completion lists it


# Each documented call and the YAML step it stands for.
CALLS = [
    (lambda b: b.init(flags={"f1": {"version": 1}}, segments={"s1": {"version": 1}}),
     {"init": {"flags": {"f1": {"version": 1}}, "segments": {"s1": {"version": 1}}}}),
    (lambda b: b.init(), {"init": {}}),
    (lambda b: b.status("VALID"), {"status": "VALID"}),
    (lambda b: b.status("INTERRUPTED", {"kind": "NETWORK_ERROR"}, at="2s"),
     {"status": {"state": "INTERRUPTED", "error": {"kind": "NETWORK_ERROR"}}, "at": "2s"}),
    (lambda b: b.upsert(flag="f1", version=2, on=False), {"upsert": {"flag": "f1", "version": 2, "on": False}}),
    (lambda b: b.upsert(segment="s1", version=2, after="1s"), {"upsert": {"segment": "s1", "version": 2},
                                                              "after": "1s"}),
    (lambda b: b.delete(flag="f1", version=3, at="1m"), {"delete": {"flag": "f1", "version": 3}, "at": "1m"}),
    (lambda b: b.store_down(fail=["upsert"], message="disk"), {"store_down": {"fail": ["upsert"], "message": "disk"}}),
    (lambda b: b.store_down(), {"store_down": {}}),
    (lambda b: b.store_up(after="1s"), {"store_up": {}, "after": "1s"}),
    (lambda b: b.wait("2s"), {"wait": "2s"}),
    (lambda b: b.listen(), {"listen": True}),
    (lambda b: b.listen(False), {"listen": False}),
    (lambda b: b.evaluate("f1", "user-2", True), {"evaluate": {"flag": "f1", "context": "user-2", "default": True}}),
    (lambda b: b.evaluate("f1"), {"evaluate": {"flag": "f1"}}),
    (lambda b: b.disconnect(error={"kind": "ERROR_RESPONSE", "status_code": 503}, reconnect_after="2s"),
     {"disconnect": {"error": {"kind": "ERROR_RESPONSE", "status_code": 503}, "reconnect_after": "2s"}}),
    (lambda b: b.disconnect(error=None), {"disconnect": {}}),
    (lambda b: b.reconnect(after="16s"), {"reconnect": {}, "after": "16s"}),
    (lambda b: b.stop(), {"stop": {}}),
]


@pytest.mark.parametrize("call, step", CALLS)
def test_each_builder_call_adds_the_yaml_step_it_stands_for(call, step):
    built = call(harness.scenario("x"))
    assert built.data()["steps"] == [step]
    assert built.build() == harness.scenario_from_data({"name": "x", "steps": [step]})


def test_plain_writes_are_kept_as_rows_and_everything_else_as_data():
    b = (harness.scenario("x").upsert(flag="f1", version=2).delete(segment="s1", version=3)
         .upsert(flag="f1", version=3, on=False).upsert(flag="f1", version=4, at="1s")
         .upsert(flag="f1", version=2 ** 53))
    rows = b._data["steps"]
    assert rows[:2] == [("upsert", "flags", "f1", 2), ("delete", "segments", "s1", 3)]
    assert all(type(row) is dict for row in rows[2:])  # a spec, a time, a version out of range: the schema's eye


def test_a_wrong_builder_call_is_a_type_error_as_for_any_python_method():
    b = harness.scenario("x")
    with pytest.raises(TypeError, match="missing required argument: 'version'"):
        b.delete(flag="f1")
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        b.evaluate("f1", colour="red")
    with pytest.raises(TypeError, match="takes 3 positional argument"):
        b.evaluate("f1", "u", None, 4)
    with pytest.raises(TypeError, match="takes 0 positional"):
        b.upsert("f1", 2)
    with pytest.raises(TypeError, match="multiple values for argument 'flag'"):
        b.evaluate("f1", flag="f2")


def test_a_misspelt_upsert_field_from_the_builder_is_named_with_a_suggestion():
    with pytest.raises(harness.ScenarioError, match="unknown key 'verison', did you mean 'version'") as info:
        harness.scenario("x").upsert(flag="f1", version=1, verison=2).build()
    assert info.value.key == "steps[0].upsert.verison"


# ----------------------------------------------------------------------------- a new kind, declared here

def test_a_declared_kind_gets_its_builder_method_schema_reading_and_generation(registry):
    ping_bytes = bytes([len(kind_table()), 7, 7, 7])  # the new kind's, once declared
    read_before = steps_from_bytes(ping_bytes)

    @step_kind
    @dataclass(frozen=True, slots=True)
    class Ping(Action):
        """Ping the source."""

        name: ClassVar[str] = "ping"
        target: str = option(KEY, "who is pinged", default="source")
        loud: bool = option(BOOLEAN, "shout", default=False)

    b = harness.scenario("p").ping().ping("sink", loud=True, after="1s")
    assert str(inspect.signature(b.ping)) == "(target='source', loud=False, *, at=None, after=None)"
    assert b.data()["steps"] == [{"ping": {}}, {"ping": {"target": "sink", "loud": True}, "after": "1s"}]
    scenario = b.build()
    assert [step.action for step in scenario.steps] == [Ping(), Ping("sink", True)]
    assert [step.to_data() for step in scenario.steps] == b.data()["steps"]
    schema = build_schema()["$defs"]["step"]["properties"]["ping"]
    assert schema["description"] == "Ping the source." and schema["properties"]["loud"]["description"] == "shout"
    with pytest.raises(harness.ScenarioError, match="unknown key 'lowd', did you mean 'loud'"):
        harness.scenario_from_data({"name": "p", "steps": [{"ping": {"lowd": True}}]})
    assert Step.from_simple_data({"ping": {"loud": True}}) == Step(Ping(loud=True))
    assert kind_table()[-1] is Ping and kind_table().count(Upsert) == 2
    assert step_from_bytes(bytes([len(kind_table()) - 1, 7, 7, 7])) == Step(Ping())
    # steps read before the kind came are not served again from the old table
    assert read_before != steps_from_bytes(ping_bytes) == (Step(Ping()),)


def test_a_declaration_that_cannot_derive_everything_is_refused(registry):
    with pytest.raises(TypeError, match="declare how it is drawn from bytes"):
        @step_kind
        @dataclass(frozen=True)
        class Needy(Action):
            """Needs a value."""
            name: ClassVar[str] = "needy"
            who: str = option(KEY, "who")

    with pytest.raises(TypeError, match="needs a docstring"):
        @step_kind
        @dataclass(frozen=True)
        class Silent(Action):
            name: ClassVar[str] = "silent"

    with pytest.raises(TypeError, match="field 'who' is no option"):
        @step_kind
        @dataclass(frozen=True)
        class Plain(Action):
            """A field that is no option."""
            name: ClassVar[str] = "plain"
            who: str = "x"

    with pytest.raises(TypeError, match="would hide the builder's own method build"):
        @step_kind
        @dataclass(frozen=True)
        class Build(Action):
            """Shadows the builder."""
            name: ClassVar[str] = "build"
    assert "build" not in STEP_KINDS and "needy" not in STEP_KINDS

    with pytest.raises(TypeError, match="declared twice"):
        @step_kind
        @dataclass(frozen=True)
        class Again(Action):
            """Again."""
            name: ClassVar[str] = "wait"

    @step_kind
    @dataclass(frozen=True)
    class Rare(Action):
        """Never generated, so no draw is needed."""
        name: ClassVar[str] = "rare"
        weight: ClassVar[int] = 0
        who: str = option(KEY, "who")
    assert Rare not in kind_table() and harness.scenario("r").rare("x").build().steps[0].action == Rare("x")


# ----------------------------------------------------------------------------- generation

def test_the_generation_table_is_the_registry_in_declaration_order_with_weights():
    assert [kind.name for kind in kind_table()] == [
        "upsert", "upsert", "delete", "init", "status", "store_down", "store_up", "wait", "listen", "evaluate",
        "disconnect", "reconnect", "stop"]


# Steps that bytes stood for before the table was assembled from the registry: seeds keep their meaning.
PINNED = {
    bytes([0, 0, 0, 0]): Step(Upsert(Item("flags", "f1", {"version": 1}))),
    bytes([1, 9, 7, 1]): Step(Upsert(Item("segments", "s2", {"version": 3, "included": ["user-1"]}))),
    bytes([2, 4, 3, 0]): Step(Delete("flags", "f2", 2)),
    bytes([3, 9, 0, 1]): Step(Init((Item("flags", "f1", {"version": 1, "fallthrough": {"variation": 0}}),),
                                   (Item("segments", "s1", {"version": 0}),))),
    bytes([4, 2, 3, 5]): Step(Status("INTERRUPTED", ErrorInfo("NETWORK_ERROR", 0, "connection reset"))),
    bytes([5, 3, 1, 0]): Step(StoreDown(frozenset({"init", "upsert"}), True)),
    bytes([7, 5, 0, 0]): Step(Wait(5_000_000)),
    bytes([8, 1, 0, 0]): Step(Listen(False)),
    bytes([9, 4, 2, 0]): Step(Evaluate("f2", "user-2", True)),
    bytes([10, 2, 1, 3]): Step(Disconnect(ErrorInfo("ERROR_RESPONSE", 0, ""), 500_000)),
    bytes([6, 0, 0, 0]): Step(StoreUp()),
    bytes([11, 0, 0, 0]): Step(Reconnect()),
    bytes([12, 0, 0, 0]): Step(Stop()),
    bytes([13 * 4, 0, 0, 0]): Step(Upsert(Item("flags", "f1", {"version": 1})), after=500_000),
}


@pytest.mark.parametrize("chunk", list(PINNED), ids=lambda c: c.hex())
def test_four_bytes_stand_for_the_step_they_always_stood_for(chunk):
    assert step_from_bytes(chunk) == PINNED[chunk]


def test_every_drawn_step_round_trips_through_its_declaration_and_the_quick_path_agrees():
    for first in range(len(kind_table())):
        for a in range(0, 256, 3):
            step = step_from_bytes(bytes([first, a, (a * 7) % 256, (a * 13) % 256]))
            data = step.to_data()
            assert Step.from_data(data) == step, data
            quick = Step.from_simple_data(data)
            assert quick is None or quick == step, data
    assert scenario_from_bytes(bytes(60)).steps[0] == PINNED[bytes(4)]


def test_steps_read_again_are_the_steps_read_afresh_and_their_store_stays_bounded(monkeypatch):
    chunks = [bytes([first, a, a // 2, 255 - a]) for first in range(len(kind_table())) for a in range(0, 256, 17)]
    afresh = []
    for chunk in chunks:  # each read alone, the store empty
        strategies._READ.clear()
        afresh.append(step_from_bytes(chunk))
    data = b"".join(chunks)
    assert steps_from_bytes(data) == steps_from_bytes(data) == tuple(afresh)  # the second from the store
    monkeypatch.setattr(strategies, "READ_STEPS_KEPT", 64)
    strategies._READ.clear()
    assert steps_from_bytes(data) == tuple(afresh)
    assert len(chunks) > 64 and all(len(read) <= 64 for read in strategies._READ.values())


# ----------------------------------------------------------------------------- names and files

def test_one_name_per_thing():
    import harness.drivers.contract.model as contract_model
    import harness.vocabulary.model as model
    assert STEP_KINDS["status"] is Status and model.Status is Status
    assert not hasattr(model, "SetStatus") and hasattr(contract_model, "DataSourceStatus")
    assert not hasattr(contract_model, "Status")


def test_no_module_of_the_vocabulary_shadows_pathlib_path():
    import pathlib

    from harness.vocabulary import loader, schema, yaml_reader
    for module in (loader, schema, yaml_reader, builder_module):
        assert getattr(module, "Path", pathlib.Path) is pathlib.Path, module.__name__


def test_no_file_of_the_vocabulary_or_the_strategies_is_over_450_lines():
    files = list((ROOT / "harness" / "vocabulary").rglob("*.py")) + [ROOT / "harness" / "strategies.py"]
    long = {str(path.relative_to(ROOT)): n for path in files if (n := len(path.read_text().splitlines())) > 450}
    assert long == {}
