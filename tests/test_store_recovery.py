"""The source's reaction to the store coming back (``source: {on_store_recovery, restart_after}``)."""

from dataclasses import replace

import pytest

import harness
from harness.drivers import get_target
from harness.drivers.go.target import GoTarget
from harness.drivers.node.target import NodeTarget
from harness.drivers.python_sdk.family import PythonReleaseTarget
from harness.drivers.protocol.session import Session
from harness.replay import reactions
from harness.replay.reactions import OrderedRestart
from harness.replay.source import SimulatedDataSource
from harness.vocabulary.render import scenario_yaml
from harness.strategies import scenario_from_bytes
from harness.vocabulary.model import Expectations, SourceConfig

REALISTIC = "scenarios/reconnects/store_recovery_restarts_the_stream.yaml"
go_ready = pytest.mark.skipif("go" not in harness.targets(), reason="the go target is not ready")


def realistic(**source):
    """The realistic run with these source settings, and no expectations."""
    return replace(harness.load_scenario(REALISTIC), source=SourceConfig(**source), expect=Expectations())


def states(result):
    return [(state, str(since)) for state, since in zip(result.status["state"].astype(str), result.status["since"])]


def inits(result):
    ops = result.ops[result.ops["op"] == "init"]
    return [(str(t), outcome) for t, outcome in zip(ops["t"], ops["outcome"].astype(str))]


# -- the option in the vocabulary ---------------------------------------------------------------

def test_the_option_reads_writes_back_and_builds():
    text = "name: x\nsource: {on_store_recovery: restart, restart_after: 2s}\nsteps: []\n"
    scenario = harness.scenario_from_yaml(text)
    assert scenario.source == SourceConfig("restart", 2_000_000)
    assert harness.scenario_yaml(scenario).startswith("name: x\nsource:\n  on_store_recovery: restart\n"
                                                      "  restart_after: 2s\n")
    assert harness.scenario_from_yaml(harness.scenario_yaml(scenario)) == scenario
    built = harness.scenario("x", source={"on_store_recovery": "restart", "restart_after": "2s"}).build()
    assert built == scenario
    assert "source" not in harness.scenario("x").build().to_data()   # the default writes nothing
    assert harness.scenario_from_yaml("name: x\nsource: {}\nsteps: []\n").source == SourceConfig()
    assert harness.schema()["properties"]["source"]["properties"]["on_store_recovery"]["enum"] == \
        ["nothing", "restart", "restart_if_stale"]


@pytest.mark.parametrize("body, key, words", [
    ("{on_store_recovery: sometimes}", "source.on_store_recovery", "'sometimes' is not one of nothing, restart"),
    ("{restart_after: 0s}", "source.restart_after", "restart_after must be longer than 0s"),
    ("{restart_after: soon}", "source.restart_after", "bad duration 'soon'"),
    ("{on_restart: restart}", "source.on_restart", "unknown key 'on_restart'"),
    ("restart", "source", "is not of type 'object'"),
])
def test_a_bad_setting_is_a_scenario_error_naming_its_key(body, key, words):
    with pytest.raises(harness.ScenarioError) as caught:
        harness.scenario_from_yaml(f"name: x\nsource: {body}\nsteps: []\n", file="bad.yaml")
    error = caught.value
    assert (error.key, error.file, error.line) == (key, "bad.yaml", 2)
    assert words in error.message
    with pytest.raises(harness.ScenarioError, match="on_store_recovery must be one of"):
        SourceConfig("always")


# -- each target's default is its SDK's own ------------------------------------------------------

def test_each_target_defaults_to_what_its_sdks_own_streaming_source_does():
    defaults = {name: get_target(name).store_recovery for name in ("sdk", "sdk-async", "contract", "go", "go-v6",
                                                                    "node")}
    assert defaults == {"sdk": "nothing", "sdk-async": "nothing", "contract": "restart_if_stale",
                        "go": "restart_if_stale", "go-v6": "restart_if_stale", "node": "nothing"}
    # releases (go@v7.5.0, sdk@9.10.0, node@9.12.0) are instances of these classes
    assert (GoTarget.store_recovery, PythonReleaseTarget.store_recovery, NodeTarget.store_recovery) == \
        ("restart_if_stale", "nothing", "nothing")
    assert SourceConfig().resolved("restart_if_stale") == SourceConfig("restart_if_stale")
    assert SourceConfig("nothing", 5).resolved("restart_if_stale") == SourceConfig("nothing", 5)


def test_the_realistic_run_restarts_on_the_contract_and_stays_interrupted_on_the_python_sdk():
    scenario = harness.load_scenario(REALISTIC)
    contract, sdk = harness.run(scenario, "contract"), harness.run(scenario, "sdk")
    assert contract.ok and sdk.ok, (contract.report(), sdk.report())
    assert states(contract)[-1] == ("VALID", "2024-01-01 00:00:16.500000+00:00")    # 1 s after the 15.5 s poll
    assert inits(contract)[-1] == ("2024-01-01 00:00:16.500000+00:00", "applied")
    assert states(sdk)[-1][0] == "INTERRUPTED" and len(inits(sdk)) == 2


def test_an_explicit_setting_overrides_the_default_in_process():
    restarted = harness.run(realistic(on_store_recovery="restart"), "sdk")      # what if Python reacted like Go
    assert states(restarted)[-1] == ("VALID", "2024-01-01 00:00:16.500000+00:00")
    assert inits(restarted) == inits(harness.run(harness.load_scenario(REALISTIC), "contract"))
    # Python's store never says it is stale: Go's own rule would never restart it
    assert states(harness.run(realistic(on_store_recovery="restart_if_stale"), "sdk"))[-1][0] == "INTERRUPTED"
    assert states(harness.run(realistic(on_store_recovery="nothing"), "contract"))[-1][0] == "INTERRUPTED"
    later = harness.run(realistic(on_store_recovery="restart", restart_after=3_000_000), "sdk")
    assert states(later)[-1] == ("VALID", "2024-01-01 00:00:18.500000+00:00")


OUTAGE = dict(store="persistent")


def restart_then(step: str, **timing):
    """The store comes back at 12.5 s (a restart due at 13.5 s), then ``step`` at 13 s."""
    builder = (harness.scenario("restart-then", **OUTAGE, source={"on_store_recovery": "restart"})
               .init(flags={"f1": {"version": 1}}).status("VALID").store_down(at="10s")
               .upsert(flag="f2", version=1).store_up(at="12s"))
    builder = getattr(builder, step)(at="13s", **timing)
    return builder.wait("5s").build()


@pytest.mark.parametrize("target", ["contract", "sdk", pytest.param("go", marks=go_ready)])
def test_a_disconnect_cancels_a_restart_a_reconnect_replaces_it_and_a_stop_ends_it(target):
    dropped = harness.run(restart_then("disconnect"), target)
    assert len(inits(dropped)) == 1 and states(dropped)[-1][0] == "INTERRUPTED"
    reconnected = harness.run(restart_then("reconnect"), target)
    assert inits(reconnected)[1:] == [("2024-01-01 00:00:13+00:00", "applied")]   # one connection, at 13 s
    stopped = harness.run(restart_then("stop"), target)
    assert len(inits(stopped)) == 1 and states(stopped)[-1][0] == "OFF"


# -- out of process: the same instants, and no round trip spent where no recovery can come -------

@go_ready
@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_a_driver_restarts_at_the_same_instant_as_the_model_and_an_explicit_setting_overrides_it(target):
    scenario = harness.load_scenario(REALISTIC)
    go, contract = harness.run(scenario, target), harness.run(scenario, "contract")
    assert go.ok, go.report()
    assert inits(go) == inits(contract) and states(go) == states(contract)
    assert states(harness.run(realistic(on_store_recovery="nothing"), target))[-1][0] == "INTERRUPTED"
    quick = realistic(on_store_recovery="restart", restart_after=250_000)   # looks every 0.25 s
    assert inits(harness.run(quick, target)) == inits(harness.run(quick, "contract"))
    assert inits(harness.run(quick, target))[-1] == ("2024-01-01 00:00:15.750000+00:00", "applied")


@pytest.fixture
def kit_judges(monkeypatch):
    """The Go driver as a driver that cannot restart by itself: the kit judges its store status rows."""
    driver = get_target("go").driver()
    monkeypatch.setattr(driver, "reacts", frozenset())
    return driver


@go_ready
def test_a_driver_is_asked_about_the_store_only_while_a_recovery_can_come(monkeypatch, kit_judges):
    looks = []
    real = reactions.StoreRecovery.look
    monkeypatch.setattr(reactions.StoreRecovery, "look", lambda self: (looks.append(1), real(self)))
    long_outage = (harness.scenario("long-outage", store="persistent").init(flags={"f1": {"version": 1}})
                   .status("VALID").store_down(at="10s").upsert(flag="f1", version=2).wait("1h")
                   .store_up().wait("10s").build())
    result = harness.run(long_outage, "go")
    assert states(result)[-1][0] == "VALID"   # the restart came
    assert len(looks) <= 4, len(looks)        # store_down, store_up, the look that saw it back: not 3600
    looks.clear()
    answering = (harness.scenario("answering", store="persistent").init(flags={"f1": {"version": 1}})
                 .status("VALID").store_down(at="10s", available=True, fail=["upsert"])
                 .upsert(flag="f1", version=2).wait("10s").store_up().build())
    go = harness.run(answering, "go")
    # looks while the store answers and something touched it since the last (the failed upsert, the
    # restart's init), not every second of the outage; the restart lands where the contract's does
    assert len(looks) <= 5, len(looks)
    contract = harness.run(answering, "contract")
    for frame in ("ops", "status", "store_status"):
        assert getattr(go, frame).drop(columns=["seq"]).equals(getattr(contract, frame).drop(columns=["seq"])), frame
    assert list(go.ops["op"]) == ["init", "status", "upsert", "init", "status"]  # the restart came
    looks.clear()
    untouched = (harness.scenario("untouched", store="persistent").init(flags={"f1": {"version": 1}})
                 .status("VALID").store_down(at="10s").wait("5s").store_up().store_down(fail=["upsert"])
                 .store_up(after="1s").wait("10s").build())
    result = harness.run(untouched, "go")
    # nothing reached the faulty store, so the SDK cannot have seen it down: no fault costs a look
    assert result.ok and looks == [], len(looks)
    assert list(result.store_status["available"]) == [True]


def frames(result) -> tuple:
    """Everything a run recorded, the inits' written items in a fixed order."""
    return (tuple(getattr(result, frame).to_csv() for frame in
                  ("ops", "status", "store_status", "changes", "logs", "evaluations", "timeline", "violations")),
            sorted(sorted(written) for written in result.recording.init_versions.values()))


def recovery_scenarios(count: int) -> list:
    """The catalogue's store recovery scenarios, and generated ones on a persistent store whose source
    restarts (every byte string read as a scenario, so they are the same each run)."""
    import random
    chosen = [harness.load_scenario(f"scenarios/reconnects/{name}.yaml") for name in
              ("store_recovery_restarts_the_stream", "store_recovery_resends_a_lost_patch",
               "store_recovery_after_an_infinite_cache", "store_recovery_restart_on_every_target")]
    draw = random.Random(7)
    while len(chosen) < count:
        scenario = scenario_from_bytes(draw.randbytes(2 + 40 * 4), min_steps=20, max_steps=40)
        if scenario.store.type == "persistent" and scenario.source.on_store_recovery in ("restart", "restart_if_stale"):
            chosen.append(scenario)
    return chosen


@go_ready
@pytest.mark.parametrize("target", ["go", "go-v6"])
def test_a_restart_the_driver_makes_is_recorded_as_the_kits_own(target, monkeypatch):
    scenarios = recovery_scenarios(150)
    made = []
    real_made = SimulatedDataSource.made
    monkeypatch.setattr(SimulatedDataSource, "made", lambda self, message, step: (made.append(message["made"]),
                                                                                   real_made(self, message, step)))
    with harness.virtual_time():
        by_driver = [frames(harness.run(scenario, target)) for scenario in scenarios]
        driver = get_target(target).driver()
        monkeypatch.setattr(driver, "reacts", frozenset())
        by_kit = [frames(harness.run(scenario, target)) for scenario in scenarios]
    assert made.count("init") >= 30 and made.count("status") >= 10, made   # restarts were made, some failed
    for scenario, mine, theirs in zip(scenarios, by_driver, by_kit):
        assert mine == theirs, scenario_yaml(scenario)


@go_ready
def test_a_driver_that_restarts_by_itself_costs_one_round_trip_a_scenario(monkeypatch):
    waits = []
    flush = Session.flush
    monkeypatch.setattr(Session, "flush", lambda self, wait=True: (waits.append(wait), flush(self, wait))[1])
    result = harness.run(harness.load_scenario(REALISTIC), "go")
    assert result.ok, result.report()
    assert waits.count(True) == 1   # only the end was waited for...
    assert inits(result)[-1] == ("2024-01-01 00:00:16.500000+00:00", "applied")   # ...and the restart came


@pytest.mark.skipif("node" not in harness.targets(), reason="the node target is not ready")
def test_a_target_whose_sdk_reports_no_store_status_never_waits_for_one(monkeypatch):
    """Node's FDv1 client has no store status, so its store is never seen back: no look, no restart."""
    waits = []
    flush = Session.flush
    monkeypatch.setattr(Session, "flush", lambda self, wait=True: (waits.append(wait), flush(self, wait))[1])
    result = harness.run(realistic(on_store_recovery="restart"), "node")
    assert result.ok, result.report()
    assert waits.count(True) == 1   # the end
    assert len(inits(result)) == 2   # the scenario's init and its reconnect's: no restart


@go_ready
def test_a_made_call_the_kit_did_not_order_is_a_protocol_error(monkeypatch):
    monkeypatch.setattr(OrderedRestart, "connection", lambda self, up: None)   # the order is never sent...
    monkeypatch.setattr(SimulatedDataSource, "made", lambda self, message, step: None)
    session_send = Session.send

    def send(self, command, *args, **kwargs):   # ...but the driver is ordered behind the kit's back
        if command["op"] == "begin":
            session_send(self, command, *args, **kwargs)
            command = {"op": "recovery", "mode": "restart", "after": 1_000_000}
        return session_send(self, command, *args, **kwargs)
    monkeypatch.setattr(Session, "send", send)
    result = harness.run(realistic(on_store_recovery="restart"), "go")
    assert not result.ok and "made a call the kit did not order" in result.report()


@go_ready
def test_a_driver_run_that_reacts_is_the_same_every_time():
    scenario = harness.load_scenario("scenarios/reconnects/store_recovery_resends_a_lost_patch.yaml")
    first, second = harness.run(scenario, "go"), harness.run(scenario, "go")
    for frame in ("ops", "status", "store_status", "evaluations", "changes"):
        assert getattr(first, frame).equals(getattr(second, frame)), frame


def test_generated_scenarios_draw_every_setting():
    assert scenario_from_bytes(bytes([0, 3])).source == SourceConfig()   # a byte below 48: as before
    drawn = {scenario_from_bytes(bytes([head, 3])).source.on_store_recovery for head in range(256)}
    assert drawn == {None, "nothing", "restart", "restart_if_stale"}


GENERATED_RESTART = """
name: restart-where-only-some-see-the-store-come-back
store: persistent
source: {on_store_recovery: restart}
steps:
- upsert: {flag: f1, version: 1}
- upsert: {flag: f1, version: 1}
- disconnect: {error: {kind: UNKNOWN}, reconnect_after: 250ms}
- store_down: {available: true}
- upsert: {flag: f1, version: 1}
  after: 5s
"""


def test_a_restart_only_targets_that_see_the_store_come_back_make_is_known():
    """Found by the explore property on SDK 9.18.0: told to restart, sdk-async (no store status) never
    does while the others restart after each poll that finds the store back; the known row says so."""
    scenario = harness.scenario_from_yaml(GENERATED_RESTART)
    targets = [t for t in ("contract", "sdk", "sdk-async", "go") if t in harness.targets()]
    report = harness.diff([scenario], targets=targets)
    assert [str(d) for d in report.new] == []
    async_pairs = [d for d in report.divergences if "sdk-async" in (d.left, d.right) and d.frame != "changes"]
    assert async_pairs and {d.known for d in async_pairs} == {"restart-after-store-recovery"}


RESTART_MEETS_A_POLL = """
name: restart-meets-a-poll
store: persistent
steps:
- store_down: {available: true}
- upsert: {flag: f1, version: 1}
- upsert: {flag: f1, version: 1}
  after: 1s
- upsert: {flag: f1, version: 1}
  after: 5s
- upsert: {flag: f1, version: 1}
  after: 1s
"""


@go_ready
def test_a_restart_due_at_a_polls_instant_is_the_known_same_instant_order():
    """Found by `harness explore` (seed 5, 30 steps): Go runs its availability poll before the restart's
    init due at the same instant, the contract the other way round, so their restarts drift apart."""
    report = harness.diff([harness.scenario_from_yaml(RESTART_MEETS_A_POLL)], targets=["go", "contract"])
    assert [d.known for d in report.divergences] == ["same-instant-order"]
