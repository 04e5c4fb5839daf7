"""The virtual clock, its timers, the freeze, and the sandbox around the SDK."""

import threading
import time
from datetime import datetime, timezone

import pytest

import harness
from harness.replay.clock import VirtualClock, to_micros
from harness.replay.freeze import frozen_clock, is_frozen
from harness.errors import VirtualTimeError
from harness.drivers.python_sdk.sandbox import no_real_time, repeating_task_on

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_timers_fire_in_time_order_then_schedule_order():
    clock = VirtualClock(START)
    fired = []
    clock.call_later(2_000_000, lambda: fired.append(("b", clock.elapsed)))
    clock.call_later(1_000_000, lambda: fired.append(("a", clock.elapsed)))
    clock.call_later(2_000_000, lambda: fired.append(("c", clock.elapsed)))
    clock.call_later(9_000_000, lambda: fired.append(("late", clock.elapsed)))
    clock.advance_by(5_000_000)
    assert fired == [("a", 1_000_000), ("b", 2_000_000), ("c", 2_000_000)]
    assert clock.elapsed == 5_000_000
    assert [t.label for t in clock.pending()] == ["timer"]


def test_next_due_skips_cancelled_timers():
    clock = VirtualClock(START)
    assert clock.next_due() is None
    early = clock.call_later(1_000_000, lambda: None)
    clock.call_later(3_000_000, lambda: None)
    assert clock.next_due() == clock.now + 1_000_000
    early.cancel()
    assert clock.next_due() == clock.now + 3_000_000


def test_a_timer_scheduled_while_firing_fires_in_the_same_advance():
    clock = VirtualClock(START)
    seen = []
    clock.call_later(1_000_000, lambda: clock.call_later(500_000, lambda: seen.append(clock.elapsed)))
    clock.advance_by(2_000_000)
    assert seen == [1_500_000]


def test_cancelled_timers_do_not_fire_and_time_cannot_go_back():
    clock = VirtualClock(START)
    timer = clock.call_later(10, lambda: pytest.fail("cancelled timer fired"))
    timer.cancel()
    clock.advance_by(100)
    with pytest.raises(VirtualTimeError):
        clock.advance_to(clock.now - 1)


def test_a_timer_that_reschedules_itself_with_no_delay_is_stopped():
    clock = VirtualClock(START)

    def again():
        clock.call_later(0, again)
    clock.call_later(0, again)
    with pytest.raises(VirtualTimeError, match="reschedules itself"):
        clock.run_due()


def test_the_frozen_wall_clock_follows_the_virtual_clock():
    assert not is_frozen()
    with frozen_clock(START) as clock:
        assert time.time() == START.timestamp()
        mono = time.monotonic()
        clock.advance_by(2_500_000)
        assert time.time() == START.timestamp() + 2.5
        assert time.monotonic() - mono == pytest.approx(2.5)
        assert datetime.now(timezone.utc) == datetime(2024, 1, 1, 0, 0, 2, 500000, tzinfo=timezone.utc)
    assert not is_frozen()
    assert time.time() > START.timestamp() + 3600


def test_virtual_time_is_one_freeze_shared_by_nested_users():
    with harness.virtual_time():
        assert is_frozen()
        with harness.virtual_time():
            assert is_frozen()
        assert is_frozen()
    assert not is_frozen()


@harness.virtual_time()
def test_virtual_time_works_as_a_decorator():
    assert is_frozen()


def test_virtual_time_fixture(virtual_time):
    assert is_frozen()


def test_real_threads_and_sleeps_fail_loudly_inside_the_sandbox():
    with no_real_time():
        with pytest.raises(VirtualTimeError, match="real thread"):
            threading.Thread(target=lambda: None, name="sneaky").start()
        with pytest.raises(VirtualTimeError, match="sleep"):
            time.sleep(0.01)
    done = threading.Event()
    t = threading.Thread(target=done.set)
    t.start()
    t.join()
    assert done.is_set()


def test_virtual_repeating_task_matches_the_sdk_task_timing():
    clock = VirtualClock(START)
    calls = []
    task_class = repeating_task_on(clock, lambda label, e: calls.append(("error", str(e))))
    task = task_class.at_interval("poll", 0.5, 0, lambda: calls.append(clock.elapsed))
    task.start()
    clock.run_due()
    assert calls == [0]
    clock.advance_by(1_200_000)
    assert calls == [0, 500_000, 1_000_000]
    task.stop()
    clock.advance_by(5_000_000)
    assert calls == [0, 500_000, 1_000_000]
    assert task_class.started_tasks == [task]


def test_to_micros_is_exact():
    assert to_micros(datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)) == 1704067200000001
