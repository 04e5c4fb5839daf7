"""Ctrl-C: a SIGINT stops a run at its next safe point, with the clock real, nothing left behind.

The SIGINTs here are real ones, raised with ``signal.raise_signal`` on the main
thread (Python runs the handler as the call returns), so each lands at a
known instant. The storm at the end sends them from another process at random
instants into runs on every target (benchmarks/soak_interrupts.py, small).
"""

import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import freezegun.api
import pytest

import harness
from harness.drivers.python_sdk.sync import SdkWorld
from harness.replay import interrupts
from harness.replay.freeze import is_frozen
from harness.replay.interrupts import (check_interrupt, defers_interrupts, handling_interrupts, holds_interrupts,
                                       interrupt_pending)

ROOT = Path(__file__).resolve().parent.parent


def press() -> None:
    """One Ctrl-C, handled before this returns."""
    signal.raise_signal(signal.SIGINT)


@defers_interrupts
def in_a_run(body):
    with handling_interrupts():
        body()


@holds_interrupts
def in_a_hold(body):
    with handling_interrupts():
        body()


def clock_is_real() -> bool:
    real = time.clock_gettime(time.CLOCK_REALTIME)  # freezegun leaves clock_gettime alone
    return not is_frozen() and abs(time.time() - real) < 5 and abs(datetime.now().timestamp() - real) < 5


@pytest.fixture(autouse=True)
def python_handles_sigint():
    """Every test starts and must end with Python's own SIGINT handler and nothing waiting."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    yield
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not interrupt_pending()


# ----------------------------------------------------------------------------- the mechanism

def test_in_a_run_a_sigint_waits_for_a_safe_point():
    seen = []

    def body():
        press()
        seen.append("went on")
        assert interrupt_pending()
        check_interrupt()
        seen.append("never")
    with pytest.raises(KeyboardInterrupt):
        in_a_run(body)
    assert seen == ["went on"]


def test_a_sigint_no_safe_point_took_is_raised_as_the_run_ends():
    seen = []
    with pytest.raises(KeyboardInterrupt):
        in_a_run(lambda: (press(), seen.append("went on")))
    assert seen == ["went on"]


def test_a_safe_point_with_nothing_waiting_does_nothing():
    check_interrupt()
    in_a_run(check_interrupt)


def test_in_a_hold_even_a_safe_point_waits():
    seen = []

    def body():
        press()
        check_interrupt()
        press()  # a second press, however late, waits too
        seen.append("held")
    with pytest.raises(KeyboardInterrupt):
        in_a_hold(body)
    assert seen == ["held"]


def test_nested_the_outermost_delivers():
    seen = []

    def inner():
        press()
        seen.append("inner went on")

    def outer():
        in_a_run(inner)
        seen.append("outer went on")
        check_interrupt()
        seen.append("never")
    with pytest.raises(KeyboardInterrupt):
        in_a_run(outer)
    assert seen == ["inner went on", "outer went on"]


def test_a_hold_inside_a_run_holds_the_safe_points_in_it():
    seen = []

    def hold():
        press()
        check_interrupt()
        seen.append("held")

    def run():
        in_a_hold(hold)
        seen.append("after the hold")
        check_interrupt()
        seen.append("never")
    with pytest.raises(KeyboardInterrupt):
        in_a_run(run)
    assert seen == ["held", "after the hold"]


def test_outside_marked_code_a_sigint_is_raised_at_once_even_with_the_kits_handler_in_place():
    seen = []
    with pytest.raises(KeyboardInterrupt):
        with harness.virtual_time():  # the kit's handler is in place while the freeze is held
            assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
            press()
            seen.append("never")
    assert seen == [] and clock_is_real()


def test_a_second_press_after_a_wait_cuts_into_a_stuck_run(monkeypatch):
    seen = []

    def stuck():
        press()
        seen.append("first waits")
        press()
        seen.append("never")
    monkeypatch.setattr(interrupts, "URGENT_AFTER", 0.0)
    with pytest.raises(KeyboardInterrupt):
        in_a_run(stuck)
    assert seen == ["first waits"]


def test_a_quick_second_press_counts_as_the_first(monkeypatch):
    seen = []

    def double():
        press()
        press()
        seen.append("went on")
    monkeypatch.setattr(interrupts, "URGENT_AFTER", 3600.0)
    with pytest.raises(KeyboardInterrupt):
        in_a_run(double)
    assert seen == ["went on"]


def test_the_previous_handler_is_the_one_delivered_to_and_put_back():
    calls = []

    def own(signum, frame):
        calls.append(signum)
    signal.signal(signal.SIGINT, own)
    try:
        in_a_run(lambda: (press(), calls.append("went on"), check_interrupt(), calls.append("after")))
        assert calls == ["went on", signal.SIGINT, "after"]
        assert signal.getsignal(signal.SIGINT) is own
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def test_an_ignored_sigint_stays_ignored():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        seen = []
        in_a_run(lambda: (press(), seen.append(interrupt_pending()), check_interrupt()))
        assert seen == [False] and signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def test_off_the_main_thread_nothing_changes():
    seen = []

    def worker():
        in_a_run(lambda: seen.append(signal.getsignal(signal.SIGINT)))
        with harness.virtual_time():
            seen.append(harness.run("scenarios/status/off_is_final.yaml", "contract").ok)
    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler, True]


# ----------------------------------------------------------------------------- the freeze

def test_a_sigint_while_the_freeze_starts_leaves_no_freeze_behind(monkeypatch):
    real_start = freezegun.api._freeze_time.start

    def start(self):
        press()  # lands inside freezegun's start, half of its patches done or not
        return real_start(self)
    monkeypatch.setattr(freezegun.api._freeze_time, "start", start)
    body = []
    with pytest.raises(KeyboardInterrupt):
        with harness.virtual_time():
            body.append(is_frozen())
    assert body == [True]  # the freeze started whole; the interrupt came as it ended
    assert clock_is_real()


def test_a_sigint_while_the_freeze_stops_is_raised_after_it_stopped(monkeypatch):
    real_stop = freezegun.api._freeze_time.stop

    def stop(self):
        press()
        return real_stop(self)
    monkeypatch.setattr(freezegun.api._freeze_time, "stop", stop)
    with pytest.raises(KeyboardInterrupt):
        with harness.virtual_time():
            pass
    assert clock_is_real()


def test_a_sigint_while_a_runs_freeze_starts_stops_the_run_at_its_first_safe_point(monkeypatch):
    real_start = freezegun.api._freeze_time.start
    evaluated = []

    def start(self):
        press()
        return real_start(self)
    monkeypatch.setattr(freezegun.api._freeze_time, "start", start)
    monkeypatch.setattr(SdkWorld, "on_evaluate", lambda world, action: evaluated.append(action.flag))
    scenario = harness.scenario("s").init(flags={"f1": {"version": 1}}).evaluate("f1").build()
    with pytest.raises(KeyboardInterrupt):
        harness.run(scenario, "sdk")
    assert evaluated == [] and clock_is_real()
    monkeypatch.undo()
    assert harness.run(scenario, "sdk").ok


# ----------------------------------------------------------------------------- runs on a real SDK

def two_evaluations():
    return (harness.scenario("two-evaluations", store="persistent")
            .init(flags={"f1": {"version": 1}}).status("VALID").listen(True)
            .evaluate("f1").store_down(message="gone").wait("2s").evaluate("f1").build())


def frames_of(raised) -> list[str]:
    return [entry.name for entry in raised.traceback]


@pytest.mark.parametrize("target", ["sdk", "sdk-async"])
def test_a_sigint_inside_the_sdk_under_its_lock_stops_the_run_after_the_step_with_the_lock_free(monkeypatch, target):
    from ldclient.impl.rwlock import ReadWriteLock
    locks, armed, evaluated = [], [], []
    real_rlock, real_listen = ReadWriteLock.rlock, SdkWorld.on_listen

    def rlock(lock):
        real_rlock(lock)
        locks.append(lock)
        if armed:
            armed.clear()
            press()  # lands in the SDK with a read lock taken, before its try: finally

    def on_listen(world, action):
        real_listen(world, action)
        armed.append(True)  # the upsert's change event takes the listeners' read lock
    monkeypatch.setattr(ReadWriteLock, "rlock", rlock)
    monkeypatch.setattr(SdkWorld, "on_listen", on_listen)
    monkeypatch.setattr(SdkWorld, "on_evaluate", lambda world, action: evaluated.append(action.flag))
    scenario = (harness.scenario("listened-upsert").init(flags={"f1": {"version": 1}}).status("VALID")
                .listen(True).upsert(flag="f1", version=2).evaluate("f1").build())
    threads = threading.active_count()
    with pytest.raises(KeyboardInterrupt) as raised:
        harness.run(scenario, target)
    assert not armed and evaluated == []  # the press landed in the upsert, which finished; nothing after it ran
    assert "check_interrupt" in frames_of(raised)
    assert locks and [lock._readers for lock in locks] == [0] * len(locks)  # every read lock given back
    assert clock_is_real() and threading.active_count() == threads
    monkeypatch.undo()
    assert harness.run(two_evaluations(), target).ok


def test_a_sigint_between_timers_stops_a_wait(monkeypatch):
    from harness.replay.clock import VirtualClock
    fired = []
    clock = VirtualClock(datetime(2024, 1, 1, tzinfo=timezone.utc))
    clock.call_later(1, lambda: (fired.append(1), press()))
    clock.call_later(2, lambda: fired.append(2))
    with pytest.raises(KeyboardInterrupt):
        in_a_run(lambda: clock.advance_by(10))
    assert fired == [1] and clock.elapsed == 1


def test_a_stuck_run_stops_on_a_second_press_and_cleans_up(monkeypatch):
    monkeypatch.setattr(interrupts, "URGENT_AFTER", 0.0)
    monkeypatch.setattr(SdkWorld, "on_evaluate", lambda world, action: (press(), press()))
    with pytest.raises(KeyboardInterrupt) as raised:
        harness.run(two_evaluations(), "sdk")
    assert "_on_sigint" in frames_of(raised) and "check_interrupt" not in frames_of(raised)  # cut in at once
    assert clock_is_real()
    monkeypatch.undo()
    assert harness.run(two_evaluations(), "sdk").ok


CATALOGUED = "scenarios/status/off_is_final.yaml"
WAYS_IN = {
    "run": lambda: harness.run(CATALOGUED, "sdk"),
    "run_many": lambda: list(harness.run_many([harness.load_scenario(CATALOGUED)], ["sdk"])),
    "diff": lambda: harness.diff([CATALOGUED], ["contract", "sdk"]),
    "explore": lambda: harness.explore(["sdk"], max_examples=8),
}


@pytest.mark.parametrize("way", [*WAYS_IN, "cli"])
def test_every_way_in_stops_at_a_safe_point_with_the_clock_real(monkeypatch, way):
    from harness.cli import main
    from harness.drivers.python_sdk import sync
    real = sync.run

    def pressed(scenario, clock):
        press()  # lands as the run begins on the SDK
        return real(scenario, clock)
    monkeypatch.setattr(sync, "run", pressed)
    if way == "cli":
        assert main(["run", CATALOGUED, "--target", "sdk"]) == 130
    else:
        with pytest.raises(KeyboardInterrupt) as raised:
            WAYS_IN[way]()
        assert "check_interrupt" in frames_of(raised)
    assert clock_is_real()
    monkeypatch.undo()
    assert harness.run(CATALOGUED, "sdk").ok


def test_the_pytest_plugin_stops_at_a_safe_point_and_lets_the_freeze_go(pytester, monkeypatch):
    from harness.drivers.python_sdk import sync
    real = sync.run
    monkeypatch.setattr(sync, "run", lambda scenario, clock: (press(), real(scenario, clock))[1])
    pytester.makefile(".yaml", **{"scenarios/a": (ROOT / CATALOGUED).read_text(),
                                  "scenarios/b": (ROOT / CATALOGUED).read_text().replace("off-is-final", "b")})
    recorded = pytester.inline_run("scenarios", "--harness-target", "sdk", no_reraise_ctrlc=True)
    assert recorded.ret == pytest.ExitCode.INTERRUPTED
    interrupt = recorded.getcalls("pytest_keyboard_interrupt")[-1].excinfo
    assert "check_interrupt" in frames_of(interrupt)
    assert clock_is_real()  # the plugin's shared freeze let go at the session's end


# ----------------------------------------------------------------------------- the storm

def test_a_sigint_storm_on_every_target_leaves_nothing_behind():
    """Real SIGINTs at random instants from another process into short and long runs on every ready target."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak_interrupts.py"), "--interrupts", "300",
                           "--max-delay", "0.02", "--long-writes", "300", "--hang-after", "20"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "soak: 300 interrupts and " in out and ", ".join(harness.targets()) in out
    for line in ("hangs: 0", "frozen clock: 0", "handler not restored: 0", "leaked thread: 0", "leaked driver: 0",
                 "following run failed: 0"):
        assert f"  {line}\n" in out, out
    assert "at a safe point" in out
