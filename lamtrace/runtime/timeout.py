"""Timeout warning: one watchdog thread that reports the handler thread's stack shortly before the deadline.

Starting a timer thread per invocation costs ~100 µs, so one daemon thread lives for the whole process, and arming
it is cheap: ``arm`` stores the alarm and wakes the thread only when the new warning time is earlier than the one
the thread will wake at anyway. When nothing is armed (between invocations) the thread keeps sleeping towards the
last alarm's warning time rather than "until armed": a warm function's next deadline lies at about the same
distance, so back-to-back invocations never wake the thread (each wake-up is a thread switch and a fight for the
GIL, several times the cost of the rest of the wrapper). It wakes about once per function timeout, sees the
current alarm, and sleeps again. Disarming is an assignment.

The handler thread is never touched: its stack is read with ``sys._current_frames`` and formatted on the
watchdog thread.
"""

from __future__ import annotations

import sys
import threading
import time

from lamtrace.runtime.values import Fields

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

INFINITY = float("inf")
WAKE_TOLERANCE_S = 0.01


class Alarm(Fields):
    """When to warn (``time.perf_counter()`` values) and about which thread (``threading.get_ident()``).

    ``Watchdog.arm`` takes any object with these four attributes (the wrapper passes its invocation state).
    """

    __slots__ = ("warn_at", "thread_id", "started", "deadline")

    def __init__(self, warn_at: float, thread_id: int, started: float, deadline: float) -> None:
        self.warn_at, self.thread_id, self.started, self.deadline = warn_at, thread_id, started, deadline


def format_stack(thread_id: int) -> str:
    """The current stack of thread ``thread_id``, innermost call last ("" if the thread is gone)."""
    import traceback

    frame = sys._current_frames().get(thread_id)
    return "".join(traceback.format_stack(frame)) if frame is not None else ""


class Watchdog:
    """Calls ``on_timeout(alarm, stack)`` once for an armed alarm that reaches ``warn_at`` before ``disarm``."""

    def __init__(self, on_timeout: Callable[[Any, str], None]) -> None:
        self._on_timeout = on_timeout
        self.alarm: Any = None  # the armed Alarm; ``disarm`` is assigning None
        self._fired: Any = None  # the last alarm reported (never cleared from here: ``arm`` owns ``alarm``)
        self._wake_at = INFINITY  # when the thread wakes by itself; it is woken for any earlier warning time
        self._signal = threading.Lock()  # released = "wake up" (a bare lock: cheaper than an Event to set)
        self._signal.acquire()
        self._thread = threading.Thread(target=self._run, name="lamtrace-watchdog", daemon=True)
        self._thread.start()

    def arm(self, alarm: Alarm | Any) -> None:
        """Warn at ``alarm.warn_at`` about thread ``alarm.thread_id`` unless disarmed before."""
        self.alarm = alarm
        # Deadlines come in whole milliseconds, so a warm invocation's deadline can look a hair earlier than the
        # previous one's: waking the thread for that would buy a warning at most WAKE_TOLERANCE_S earlier.
        if alarm.warn_at < self._wake_at - WAKE_TOLERANCE_S:
            try:  # noqa: SIM105 - contextlib is not on the default import path
                self._signal.release()
            except RuntimeError:  # already released: a wake-up is pending
                pass

    def disarm(self) -> None:
        self.alarm = None

    def _run(self) -> None:
        idle_until = INFINITY  # the last alarm's warning time: where to sleep towards while nothing is armed
        while True:
            # Publish a wake time no earlier than the one chosen below *before* reading the alarm: an ``arm`` that
            # stores its alarm after our read compares with a time at or after our real wake time, so it wakes us
            # whenever its warning is earlier than that.
            self._wake_at = INFINITY
            alarm = self.alarm
            now = time.perf_counter()
            if alarm is not None and alarm is not self._fired:
                if alarm.warn_at <= now:
                    self._fired = alarm
                    try:  # noqa: SIM105
                        self._on_timeout(alarm, format_stack(alarm.thread_id))
                    except Exception:
                        pass  # the callback guards itself; the watchdog must survive anything
                    continue
                until = idle_until = alarm.warn_at
            else:
                until = idle_until if idle_until > now else INFINITY
            self._wake_at = until
            self._signal.acquire(timeout=min(until - now, threading.TIMEOUT_MAX) if until < INFINITY else -1)
