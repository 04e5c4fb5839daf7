"""``store: {type: redis}``: the SDKs' own Redis integrations against a real redis-server the kit
starts, behind a real fault proxy; the helper processes never outlive the kit."""

import os
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import harness
from harness.drivers import get_target, refusal, release_target
from harness.errors import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
REDIS = ROOT / "scenarios" / "redis"
TARGETS = ["sdk", "sdk-async", "go", "go-v6", "contract"]

if shutil.which("redis-server") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must have redis-server: .ci/run installs it (apt-get install redis-server)")
    pytest.skip("no redis-server here (apt-get install redis-server); CI installs it", allow_module_level=True)


def environment():
    from harness.drivers.redis import redis_environment
    return redis_environment()


def test_the_redis_folder_has_the_scenarios_the_issue_asks_for():
    names = {path.stem for path in REDIS.glob("*.yaml")}
    assert {"outage_during_upsert", "outage_during_init", "recovery_with_a_cache", "recovery_without_a_cache",
            "cache_ttl_runs_out_during_outage", "prefix_isolation", "empty_init_leaves_the_store_initialized"} <= names


@pytest.mark.parametrize("target", ["sdk", "sdk-async", "go"])
def test_an_empty_init_writes_the_inited_key(target):
    harness.run(REDIS / "empty_init_leaves_the_store_initialized.yaml", target).raise_for_failures()
    server = environment().server
    assert server.command("EXISTS", "launchdarkly:$inited") == 1
    assert server.command("HLEN", "launchdarkly:features") == 0


@pytest.mark.parametrize("target", ["sdk", "sdk-async", "go"])
def test_a_prefix_keeps_to_its_own_keys(target, monkeypatch):
    from harness.drivers.redis import RedisEnvironment
    begin = RedisEnvironment.begin

    def begin_beside_another_app(self):  # another app's data under the default prefix, a newer f1
        begin(self)
        self.server.command("HSET", "launchdarkly:features", "f1", '{"key": "f1", "version": 99}')
        self.server.command("SET", "launchdarkly:$inited", "")

    monkeypatch.setattr(RedisEnvironment, "begin", begin_beside_another_app)
    harness.run(REDIS / "prefix_isolation.yaml", target).raise_for_failures()  # f1 v2 applied: v99 unseen
    server = environment().server
    assert server.command("HGET", "launchdarkly:features", "f1") == '{"key": "f1", "version": 99}'
    ours = sorted(key for key in server.command("KEYS", "*") if not key.startswith("launchdarkly:"))
    assert ours == ["app-a:$inited", "app-a:features", "app-a:segments"]


@pytest.mark.parametrize("scenario", ["outage_during_upsert", "recovery_without_a_cache"])
def test_a_slow_redis_gives_the_async_client_the_same_timeline(scenario):
    """The virtual loop waits for Redis's replies with virtual time standing still: replies slowed by
    30 real ms each (a Toxiproxy latency toxic) change nothing the kit records."""
    path = REDIS / f"{scenario}.yaml"
    quick = harness.run(path, "sdk-async").raise_for_failures()
    proxy = environment().proxy
    proxy._call("POST", "/proxies/redis/toxics", {"name": "slow", "type": "latency", "stream": "downstream",
                                                 "attributes": {"latency": 30}})
    try:
        slow = harness.run(path, "sdk-async").raise_for_failures()
    finally:
        proxy._call("DELETE", "/proxies/redis/toxics/slow", {})
    assert slow.timeline.equals(quick.timeline) and slow.store.equals(quick.store)
    assert "Connection closed by server." in set(quick.ops["error"].dropna()) | set(quick.logs["message"])


def test_each_scenario_starts_from_an_empty_server():
    environment().server.command("SET", "left-over", "1")
    harness.run(REDIS / "outage_during_upsert.yaml", "sdk").raise_for_failures()
    assert environment().server.command("EXISTS", "left-over") == 0


@pytest.mark.parametrize("target", ["sdk", "go"])
def test_an_outage_is_a_network_fault_the_proxy_makes(target):
    result = harness.run(REDIS / "outage_during_upsert.yaml", target).raise_for_failures()
    texts = " ".join([*result.ops["error"].dropna(), *result.logs["message"], *result.status["error_message"].dropna()])
    assert "<redis>" in texts and "127.0.0.1:" not in texts  # the proxy's port, which differs by process, scrubbed
    assert environment().proxy.enabled  # store_up let connections through again


def test_a_redis_outage_fails_every_operation():
    for down in ("{fail: [upsert]}", "{available: true}"):
        with pytest.raises(ScenarioError, match="leave out fail and available") as caught:
            harness.scenario_from_yaml(f"name: x\nstore: {{type: redis}}\nsteps: [{{init: {{}}}}, "
                                       f"{{store_down: {down}}}]\n")
        assert caught.value.key == "steps[1].store_down"


def test_targets_without_redis_say_why():
    scenario = harness.load_scenario(REDIS / "outage_during_upsert.yaml")
    assert "node takes no redis store" in refusal(get_target("node"), scenario)
    assert all(refusal(get_target(name), scenario) == "" for name in TARGETS)
    old = release_target("go@v6.0.0")
    assert "needs github.com/launchdarkly/go-server-sdk/v6@v6.0.1 or newer" in refusal(old, scenario)
    assert b"built without Redis" in old.flavour.files()["redis.go"]
    assert "redis_sdk.go" not in old.flavour.files()
    assert "go-server-sdk-redis-redigo/v3 v3.0.0" in release_target("go@v7.5.0").flavour.generated_go_mod()


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _ended(pid: int, seconds: float) -> bool:
    """Whether the process ends within ``seconds``: a pidfd turns readable when it does (no polling)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([handle], [], [], seconds)[0]) or not _running(pid)
    finally:
        os.close(handle)


STARTS_HELPERS = """
import sys
from harness.drivers.redis import redis_environment
e = redis_environment()
print(e.server.pid, e.proxy.pid, flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize("ending", ["exit", "SIGKILL"])
def test_no_helper_outlives_the_kit(ending):
    kit = subprocess.Popen([sys.executable, "-c", STARTS_HELPERS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    pids = [int(word) for word in kit.stdout.readline().split()]
    assert len(pids) == 2 and all(_running(pid) for pid in pids)
    if ending == "exit":
        kit.stdin.close()  # the kit ends normally: atexit stops both
    else:
        kit.send_signal(signal.SIGKILL)  # a crash: the kernel's parent-death signal stops both
    kit.wait(timeout=30)
    assert all(_ended(pid, 10) for pid in pids), f"left running after {ending}: {pids}"
