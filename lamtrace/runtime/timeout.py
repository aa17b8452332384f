"""Timeout warning: one watchdog thread that reports the handler thread's stack shortly before the deadline.

Starting a timer thread per invocation costs ~100 µs, so one daemon thread lives for the whole process. Arming it
is an attribute assignment; it is woken only when the new deadline is earlier than the one it is sleeping towards
(deadlines normally only move later, since every invocation gets the same timeout). Disarming is an assignment too.

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

INFINITY = float("inf")
WAKE_TOLERANCE_S = 0.01


class Alarm(Fields):
    """When to warn (``time.perf_counter()`` values) and about which thread."""

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

    def __init__(self, on_timeout: Callable[[Alarm, str], None]) -> None:
        self._on_timeout = on_timeout
        self._alarm: Alarm | None = None
        self._fired: Alarm | None = (
            None  # the last alarm reported (never cleared from here: ``arm`` owns _alarm)
        )
        self._wake_at = INFINITY  # what the watchdog thread is sleeping towards
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lamtrace-watchdog", daemon=True)
        self._thread.start()

    def arm(self, warn_at: float, started: float, deadline: float) -> None:
        """Warn at ``warn_at`` about the calling thread (all three are ``time.perf_counter()`` values)."""
        self._alarm = Alarm(warn_at, threading.get_ident(), started, deadline)
        # Deadlines come in whole milliseconds, so a warm invocation's deadline can look a hair earlier than the
        # previous one's: waking the thread for that (a lock and a thread switch, most of an invocation's
        # overhead) would buy a warning at most WAKE_TOLERANCE_S earlier.
        if warn_at < self._wake_at - WAKE_TOLERANCE_S:
            self._wake.set()

    def disarm(self) -> None:
        self._alarm = None

    def _run(self) -> None:
        while True:
            # Publish the wake time *before* reading the alarm: an ``arm`` that reads the old wake time has
            # already stored its alarm, which we then see; one that reads the new one wakes us.
            self._wake_at = INFINITY
            alarm = self._alarm
            if alarm is None or alarm is self._fired:
                self._wake.wait()
                self._wake.clear()
                continue
            self._wake_at = alarm.warn_at
            delay = alarm.warn_at - time.perf_counter()
            if delay > 0:
                self._wake.wait(delay)
                self._wake.clear()
                continue
            if self._alarm is not alarm:  # the handler returned meanwhile
                continue
            self._fired = alarm
            try:  # noqa: SIM105 - contextlib is not on the default import path
                self._on_timeout(alarm, format_stack(alarm.thread_id))
            except Exception:
                pass  # the callback guards itself; the watchdog must survive anything
