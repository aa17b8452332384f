"""Timeout warning: one record with the handler's stack shortly before the deadline, handler undisturbed."""

from __future__ import annotations

import threading
import time

import lamtrace
from lamtrace import records as R
from lamtrace.runtime.timeout import Alarm, Watchdog
from tests.unit.runtime.conftest import FakeContext, markers


def slow_step_waiting_on_a_downstream_call(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def test_warning_carries_the_handler_stack_and_the_handler_finishes(lines) -> None:
    @lamtrace.instrument(timeout_warning_ms=300)
    def handler(event, ctx):
        return slow_step_waiting_on_a_downstream_call(0.6)

    assert handler({}, FakeContext(timeout_ms=700)) == "done"
    records = lines()
    (warning,) = markers(records, R.TIMEOUT_WARNING)
    assert warning[R.LEVEL] == "WARNING"
    assert warning[R.FUNCTION_REQUEST_ID] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    assert "slow_step_waiting_on_a_downstream_call" in warning[R.STACK]
    assert warning[R.STACK].rstrip().splitlines()[-1].strip() == "time.sleep(seconds)"  # innermost call last
    assert 250 <= warning[R.DURATION_MS] <= 650 and 0 <= warning[R.REMAINING_MS] <= 450
    assert [r[R.MARKER_KEY] for r in records] == [R.ENV_INIT, R.TIMEOUT_WARNING, R.INVOCATION_END]


def test_no_warning_for_invocations_that_return_in_time(lines) -> None:
    handler = lamtrace.instrument(timeout_warning_ms=300)(lambda e, c: None)
    for _ in range(3):
        handler({}, FakeContext(timeout_ms=500))
    time.sleep(0.4)  # past every armed warning time: disarmed alarms stay silent
    assert not markers(lines(), R.TIMEOUT_WARNING)


def test_warning_can_be_turned_off(lines) -> None:
    handler = lamtrace.instrument(timeout_warning_ms=0)(lambda e, c: time.sleep(0.3))
    handler({}, FakeContext(timeout_ms=400))
    assert not markers(lines(), R.TIMEOUT_WARNING)


def test_an_earlier_deadline_wakes_the_watchdog() -> None:
    fired: list[Alarm] = []
    done = threading.Event()
    dog = Watchdog(lambda alarm, stack: (fired.append(alarm), done.set()))
    now = time.perf_counter()
    me = threading.get_ident()
    dog.arm(Alarm(now + 60, me, now, now + 61))
    time.sleep(0.05)  # the watchdog now sleeps towards +60 s
    dog.arm(Alarm(now + 0.1, me, now, now + 1))
    assert done.wait(2)
    assert fired == [Alarm(now + 0.1, me, now, now + 1)]


def _settled(dog: Watchdog, wake_at: float) -> None:
    """Wait until the watchdog thread sleeps towards ``wake_at``."""
    for _ in range(200):
        if dog._wake_at == wake_at:
            return
        time.sleep(0.005)
    raise AssertionError(f"watchdog never settled on {wake_at} (at {dog._wake_at})")


def test_back_to_back_alarms_with_later_deadlines_do_not_wake_the_thread() -> None:
    """A warm function arms the watchdog on every invocation, each deadline a little later than the last: the
    thread keeps sleeping (waking it is a thread switch per invocation), also across disarmed gaps."""
    dog = Watchdog(lambda alarm, stack: None)
    now, me = time.perf_counter(), threading.get_ident()
    dog.arm(Alarm(now + 60, me, now, now + 61))
    _settled(dog, now + 60)
    for i in range(1, 50):
        dog.disarm()
        dog.arm(Alarm(now + 60 + i / 1000, me, now, now + 61))
        assert dog._signal.locked()  # no wake-up pending
    dog.disarm()
    time.sleep(0.02)
    assert dog._wake_at == now + 60  # idle: still sleeping towards the last warning time it saw


def test_warning_for_a_later_invocation_after_a_quick_one(lines) -> None:
    """The second invocation's alarm does not wake the thread (its deadline is later); the thread wakes at the
    first one's warning time, finds the second armed, and warns for it."""

    @lamtrace.instrument(timeout_warning_ms=300)
    def handler(event, ctx):
        if event.get("slow"):
            slow_step_waiting_on_a_downstream_call(0.6)
        return "done"

    assert handler({}, FakeContext("r-quick", timeout_ms=700)) == "done"
    time.sleep(0.05)
    assert handler({"slow": True}, FakeContext("r-slow", timeout_ms=700)) == "done"
    (warning,) = markers(lines(), R.TIMEOUT_WARNING)
    assert warning[R.FUNCTION_REQUEST_ID] == "r-slow"
    assert "slow_step_waiting_on_a_downstream_call" in warning[R.STACK]
