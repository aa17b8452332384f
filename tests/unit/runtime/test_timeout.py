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
