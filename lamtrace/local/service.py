"""The local Lambda service: functions, versions and aliases, and the two invocation types.

* ``RequestResponse``: run now, return the result (``Throttled`` at the concurrency limit).
* ``Event``: queue and return the request id; a worker runs it, and after an error, timeout or crash retries it up to
  ``max_retry_attempts`` times (Lambda: 0-2, default 2) with Lambda's delays (about 1 and 2 minutes), **the same request
  id** and the same trace id, unless the event is older than ``max_event_age_s`` (default 6 hours). Events that
  exhaust their retries land in ``dead_letters`` (the on-failure destination).

Time: handler durations are real, but *waits* (retry delays, SQS visibility timeouts, idle reclaim) are multiplied by
``time_scale`` so a scenario spanning minutes of Lambda time runs in seconds. ``time_scale=1`` waits for real.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lamtrace.errors import InputError
from lamtrace.local.config import FunctionConfig
from lamtrace.local.environment import InvocationResult
from lamtrace.local.function import LocalFunction, Throttled
from lamtrace.local.recorder import Recorder
from lamtrace.local.store import OutputDir
from lamtrace.local.xray import TraceContext

ASYNC_RETRY_DELAYS_S = (60.0, 120.0)  # Lambda waits about 1 minute, then about 2 minutes


@dataclass
class AsyncPolicy:
    """A function's asynchronous invocation configuration."""

    max_retry_attempts: int = 2
    max_event_age_s: float = 6 * 3600
    retry_delays_s: tuple[float, ...] = ASYNC_RETRY_DELAYS_S


@dataclass(order=True)
class _Queued:
    due: float
    seq: int
    name: str = field(compare=False)
    qualifier: str | None = field(compare=False)
    event: Any = field(compare=False)
    request_id: str = field(compare=False)
    trace: TraceContext = field(compare=False)
    enqueued: float = field(compare=False)
    attempt: int = field(compare=False, default=1)


class LocalLambda:
    """Functions on this machine, writing their telemetry to ``out`` (a directory) if given."""

    def __init__(
        self,
        out: str | Path | None = None,
        *,
        time_scale: float = 1.0,
        async_workers: int = 4,
        seed: int | None = None,
        xray_daemon: bool = True,
    ) -> None:
        self.out = OutputDir(out) if out else None
        self.recorder = Recorder(self.out)
        self.time_scale = time_scale
        self.rng = random.Random(seed)
        self.functions: dict[str, dict[str, LocalFunction]] = {}  # name -> version -> function
        self.aliases: dict[str, dict[str, str]] = {}  # name -> alias -> version
        self.async_policy: dict[str, AsyncPolicy] = {}
        self.dead_letters: list[dict[str, Any]] = []
        self.daemon = None
        if xray_daemon:
            from collectors.daemon import XRayDaemon

            self.daemon = XRayDaemon(port=0, on_document=self.recorder.on_document).start()
        self._queue: list[_Queued] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._in_flight = 0
        self._closed = False
        self._pool = ThreadPoolExecutor(async_workers, thread_name_prefix="lambda-async")
        self._scheduler = threading.Thread(target=self._schedule, name="lambda-async-scheduler", daemon=True)
        self._scheduler.start()

    # --- functions, versions, aliases -----------------------------------------------------------------------------------
    def create_function(
        self,
        config: FunctionConfig,
        *,
        provisioned: int = 0,
        reserved_concurrency: int | None = None,
        idle_timeout_s: float = 600.0,
        sample_rate: float = 1.0,
        async_policy: AsyncPolicy | None = None,
    ) -> LocalFunction:
        """Register ``$LATEST`` of a function (X-Ray goes to this service's daemon)."""
        if self.daemon and not config.xray_daemon_address:
            config = replace(config, xray_daemon_address=self.daemon.address)
        fn = LocalFunction(
            config,
            self.recorder,
            provisioned=provisioned,
            reserved_concurrency=reserved_concurrency,
            idle_timeout_s=idle_timeout_s * self.time_scale,
            sample_rate=sample_rate,
            rng=self.rng,
        )
        self.functions[config.name] = {"$LATEST": fn}
        self.aliases[config.name] = {}
        self.async_policy[config.name] = async_policy or AsyncPolicy()
        return fn

    def publish_version(self, name: str, *, provisioned: int = 0) -> str:
        """Publish ``$LATEST`` as the next version number; returns it."""
        versions = self._versions(name)
        latest = versions["$LATEST"]
        number = str(sum(v != "$LATEST" for v in versions) + 1)
        versions[number] = LocalFunction(
            replace(latest.config, version=number),
            self.recorder,
            provisioned=provisioned,
            reserved_concurrency=latest.reserved_concurrency,
            idle_timeout_s=latest.idle_timeout_s,
            sample_rate=latest.sample_rate,
            rng=self.rng,
        )
        return number

    def create_alias(self, name: str, alias: str, version: str) -> None:
        """Point ``alias`` at a published version."""
        if version not in self._versions(name) or alias.isdigit() or alias == "$LATEST":
            raise InputError(f"cannot alias {alias!r} to version {version!r} of {name}")
        self.aliases[name][alias] = version

    def _versions(self, name: str) -> dict[str, LocalFunction]:
        if name not in self.functions:
            raise InputError(f"no function named {name!r}")
        return self.functions[name]

    def resolve(self, name: str, qualifier: str | None = None) -> tuple[LocalFunction, str]:
        """The function version a (name, qualifier) invokes, and the invoked ARN."""
        versions = self._versions(name)
        version = self.aliases[name].get(qualifier or "", qualifier or "$LATEST")
        if version not in versions:
            raise InputError(f"{name} has no version or alias {qualifier!r}")
        fn = versions[version]
        return fn, fn.config.arn(qualifier)

    # --- invoking ---------------------------------------------------------------------------------------------------------
    def invoke(
        self,
        name: str,
        event: Any = None,
        *,
        qualifier: str | None = None,
        invocation_type: str = "RequestResponse",
    ) -> InvocationResult | str:
        """Invoke a function. RequestResponse returns the result; Event queues it and returns the request id."""
        fn, arn = self.resolve(name, qualifier)
        if invocation_type == "RequestResponse":
            return fn.invoke(event, invoked_arn=arn)
        if invocation_type != "Event":
            raise InputError(f"invocation type must be RequestResponse or Event, got {invocation_type!r}")
        now = time.time()
        request_id = str(uuid.uuid4())
        queued = _Queued(now, next(self._seq), name, qualifier, event, request_id, fn.new_trace(), now)
        with self._cv:
            heapq.heappush(self._queue, queued)
            self._cv.notify_all()
        return request_id

    def _schedule(self) -> None:
        with self._cv:
            while not self._closed:
                if not self._queue:
                    self._cv.wait()
                    continue
                wait = self._queue[0].due - time.time()
                if wait > 0:
                    self._cv.wait(wait)
                    continue
                item = heapq.heappop(self._queue)
                self._in_flight += 1
                self._pool.submit(self._run_async, item)

    def _run_async(self, item: _Queued) -> None:
        try:
            fn, arn = self.resolve(item.name, item.qualifier)
            policy = self.async_policy[item.name]
            try:
                result = fn.invoke(
                    item.event, request_id=item.request_id, trace=item.trace, invoked_arn=arn,
                    arrived=item.due, attempt=item.attempt, invocation_type="Event",
                )  # fmt: skip
                failed = result.status != "success"
            except Throttled:  # Lambda keeps throttled events and retries them (not counted as an attempt)
                self._requeue(item, 1.0, attempt=item.attempt)
                return
            if not failed:
                return
            age_s = (time.time() - item.enqueued) / self.time_scale
            if item.attempt <= policy.max_retry_attempts and age_s < policy.max_event_age_s:
                delays = policy.retry_delays_s or (0.0,)
                delay = delays[min(item.attempt - 1, len(delays) - 1)]
                self._requeue(item, delay, attempt=item.attempt + 1)
            else:
                reason = (
                    "RetriesExhausted" if item.attempt > policy.max_retry_attempts else "EventAgeExceeded"
                )
                self.dead_letters.append(
                    {"function": item.name, "request_id": item.request_id, "attempts": item.attempt,
                     "condition": reason, "error": result.error, "event": item.event}
                )  # fmt: skip
        finally:
            with self._cv:
                self._in_flight -= 1
                self._cv.notify_all()

    def _requeue(self, item: _Queued, delay_s: float, *, attempt: int) -> None:
        due = time.time() + delay_s * self.time_scale
        with self._cv:
            heapq.heappush(self._queue, replace(item, due=due, seq=next(self._seq), attempt=attempt))
            self._cv.notify_all()

    def wait_async(self, timeout_s: float = 600.0) -> bool:
        """Wait until every queued event (with its retries) is done; False on timeout."""
        deadline = time.time() + timeout_s
        with self._cv:
            while self._queue or self._in_flight:
                remaining = deadline - time.time()
                if remaining <= 0:
                    return False
                self._cv.wait(min(remaining, 0.1))
        return True

    def reap_idle(self) -> int:
        """Reclaim idle environments of every function version."""
        return sum(fn.reap_idle() for versions in self.functions.values() for fn in versions.values())

    def sleep(self, lambda_seconds: float) -> None:
        """Let ``lambda_seconds`` of Lambda time pass (scaled by ``time_scale``)."""
        time.sleep(lambda_seconds * self.time_scale)

    def close(self) -> dict[str, int]:
        """Finish queued work, shut all environments down, write the traces; returns the run's summary."""
        self.wait_async()
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        self._pool.shutdown(wait=True)
        for versions in self.functions.values():
            for fn in versions.values():
                fn.close()
        if self.daemon:
            self.daemon.stop()
        self.recorder.finish()
        summary = self.recorder.summary()
        summary["throttles"] = sum(fn.throttles for v in self.functions.values() for fn in v.values())
        summary["reclaimed"] = sum(fn.reclaimed for v in self.functions.values() for fn in v.values())
        summary["dead_letters"] = len(self.dead_letters)
        return summary

    def __enter__(self) -> LocalLambda:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
