"""The contract model's rules, one by one, without the kit around them."""

from datetime import datetime, timezone

import pytest

from harness.replay.clock import VirtualClock
from harness.drivers.contract.dependencies import DependencyGraph, dependencies
from harness.drivers.contract.model import STATUS_RULES, ContractSink
from harness.drivers.contract.outage import go_duration
from harness.drivers.contract.store import ModelStore, accepts
from harness.drivers.contract.evaluation import evaluate
from harness.replay.faults import Faults, StoreOutage
from harness.vocabulary.items import flag_json, segment_json
from harness.vocabulary.model import ErrorInfo, StoreDown

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def make(persistent=False, ttl=None, outage=60_000_000):
    clock = VirtualClock(START)
    seen = {"status": [], "changes": [], "logs": [], "store": []}
    faults = Faults()
    store = ModelStore(faults, clock, persistent=persistent, cache_ttl=ttl,
                       on_status=lambda a, s: seen["store"].append(a))
    sink = ContractSink(store, clock, on_status=seen["status"].append, on_change=seen["changes"].append,
                        log=lambda level, msg: seen["logs"].append((level, msg)), outage_log_after=outage)
    return clock, faults, store, sink, seen


@pytest.mark.parametrize("stored, version, ok", [(None, 0, True), ({"version": 2}, 3, True),
                                                 ({"version": 2}, 2, False), ({"version": 2}, 1, False),
                                                 ({"version": 2, "deleted": True}, 2, False)])
def test_the_version_rule(stored, version, ok):
    assert accepts(stored, version) is ok


def test_status_rules_table_and_transitions():
    assert STATUS_RULES[("INITIALIZING", "INTERRUPTED")] == "INITIALIZING"
    clock, _, _, sink, seen = make()
    sink.update_status("INTERRUPTED", ErrorInfo("NETWORK_ERROR"))
    clock.advance_by(1_000_000)
    sink.update_status("VALID", None)
    sink.update_status("VALID", None)                       # same state, no error: nothing
    clock.advance_by(1_000_000)
    sink.update_status("VALID", ErrorInfo("INVALID_DATA"))  # same state, error: broadcast, since kept
    sink.update_status("OFF", None)
    sink.update_status("VALID", None)                       # the contract does not make OFF final
    states = [(s.state, s.since - clock.start, s.error and s.error[0]) for s in seen["status"]]
    assert states == [("INITIALIZING", 0, "NETWORK_ERROR"), ("VALID", 1_000_000, "NETWORK_ERROR"),
                      ("VALID", 1_000_000, "INVALID_DATA"), ("OFF", 2_000_000, "INVALID_DATA"),
                      ("VALID", 2_000_000, "INVALID_DATA")]


def test_writes_report_failure_by_returning_false_and_events_only_when_applied():
    _, faults, store, sink, seen = make()
    sink.listening = True
    data = {"flags": {"a": flag_json("a", {"version": 1}), "b": flag_json("b", {"version": 1, "prerequisites": ["a"]})},
            "segments": {}}
    assert sink.init(data) is True
    assert seen["changes"] == ["a", "b"]
    assert sink.upsert("flags", flag_json("a", {"version": 1})) is True     # ignored, but no failure
    assert seen["changes"] == ["a", "b"]
    assert sink.upsert("flags", flag_json("a", {"version": 2})) is True
    assert seen["changes"] == ["a", "b", "a", "b"]
    faults.down = StoreDown(message="nope")
    assert sink.delete("flags", "a", 5) is False
    assert sink.init(data) is False
    assert seen["status"][-1].error[:3] == ("STORE_ERROR", 0, "nope")
    assert [level for level, _ in seen["logs"]] == ["WARNING"]   # once per run of failures
    assert store.peek("flags", "a")["version"] == 2


def test_dependencies_follow_prerequisites_and_segment_rules():
    flag = flag_json("f", {"version": 1, "prerequisites": ["p"], "segments": ["s1"]})
    assert dependencies("flags", flag) == {("flags", "p"), ("segments", "s1")}
    graph = DependencyGraph()
    graph.reset({"flags": {"f": flag, "p": flag_json("p", {"version": 1})},
                 "segments": {"s1": segment_json("s1", {"version": 1, "segments": ["s0"]})}})
    assert graph.affected("segments", "s0") == {("segments", "s0"), ("segments", "s1"), ("flags", "f")}


def test_outage_is_logged_once_after_the_timeout_with_counts():
    clock, _, _, sink, seen = make(outage=30_000_000)
    sink.update_status("VALID", None)
    sink.update_status("INTERRUPTED", ErrorInfo("ERROR_RESPONSE", 503))
    sink.update_status("INTERRUPTED", ErrorInfo("ERROR_RESPONSE", 503))
    sink.update_status("INTERRUPTED", ErrorInfo("NETWORK_ERROR"))
    clock.advance_by(29_000_000)
    assert seen["logs"] == []
    clock.advance_by(2_000_000)
    assert seen["logs"] == [("ERROR", "LaunchDarkly data source outage - updates have been unavailable for at "
                                      "least 30s with the following errors: ERROR_RESPONSE(503) (2 times), "
                                      "NETWORK_ERROR (1 time)")]
    sink.update_status("VALID", None)
    sink.update_status("INTERRUPTED", ErrorInfo("NETWORK_ERROR"))
    sink.update_status("VALID", None)
    clock.advance_by(60_000_000)
    assert len(seen["logs"]) == 1


@pytest.mark.parametrize("micros, text", [(60_000_000, "1m0s"), (30_000_000, "30s"), (500_000, "500ms"),
                                          (3_600_000_000, "1h0m0s"), (90_500_000, "1m30.5s")])
def test_go_duration(micros, text):
    assert go_duration(micros) == text


def test_persistent_store_cache_and_availability_polling():
    clock, faults, store, sink, seen = make(persistent=True, ttl=10_000_000)
    sink.init({"flags": {"f": flag_json("f", {"version": 1})}, "segments": {}})
    faults.down = StoreDown()
    assert store.get("flags", "f")["version"] == 1          # cached
    clock.advance_by(10_000_000)
    assert store.get("flags", "f")["version"] == 1          # at exactly the TTL Go's cache still answers
    clock.advance_by(1)
    with pytest.raises(StoreOutage):
        store.get("flags", "f")                              # past it: expired, and the read fails
    assert seen["store"] == [False]
    clock.run_due()
    clock.advance_by(1_000_000)
    faults.down = None
    clock.advance_by(400_000)
    assert seen["store"] == [False]
    clock.advance_by(100_000)                                # next 0.5 s poll
    assert seen["store"] == [False, True]


def test_evaluator_covers_the_kit_vocabulary():
    items = {
        ("flags", "p"): flag_json("p", {"version": 1}),
        ("flags", "f"): flag_json("f", {"version": 1, "prerequisites": ["p"], "segments": ["s"],
                                       "targets": [{"values": ["vip"], "variation": 1}]}),
        ("flags", "off"): flag_json("off", {"version": 1, "on": False}),
        ("flags", "roll"): flag_json("roll", {"version": 1, "fallthrough": {"rollout": {}}}),
        ("segments", "s"): segment_json("s", {"version": 1, "included": ["alice"]}),
    }
    get = lambda kind, key: items.get((kind, key))  # noqa: E731
    assert evaluate(get, "f", "alice", None) == (True, "RULE_MATCH")
    assert evaluate(get, "f", "bob", None) == (False, "FALLTHROUGH")
    assert evaluate(get, "f", "vip", None) == (True, "TARGET_MATCH")
    assert evaluate(get, "off", "bob", None) == (False, "OFF")
    assert evaluate(get, "nope", "bob", "d") == ("d", "ERROR:FLAG_NOT_FOUND")
    assert evaluate(get, "roll", "bob", "d") == ("d", "ERROR:UNSUPPORTED_BY_MODEL")
    items[("flags", "p")] = flag_json("p", {"version": 2, "on": False})
    assert evaluate(get, "f", "alice", None) == (False, "PREREQUISITE_FAILED")

    def failing(kind, key):
        raise RuntimeError("down")
    assert evaluate(failing, "f", "alice", "d") == ("d", "ERROR:EXCEPTION")
