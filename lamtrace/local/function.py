"""One published function version and its execution environments: reuse, concurrency, idle reclaim, provisioning.

Lambda's rules, as emulated here:

* an invocation takes an idle environment (provisioned ones first, then the most recently used — warm), or creates a
  new on-demand one (cold) when all are busy; concurrent invocations therefore run in separate environments;
* ``reserved_concurrency`` caps the environments; above it a synchronous invocation is throttled (``Throttled``);
* an on-demand environment idle for longer than ``idle_timeout_s`` is shut down (reclaimed); provisioned ones stay;
* ``provisioned`` environments are initialised up front with ``AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency``.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from lamtrace.errors import LamtraceError
from lamtrace.local.config import FunctionConfig
from lamtrace.local.environment import ON_DEMAND, PROVISIONED, InvocationResult, LocalEnvironment
from lamtrace.local.recorder import Recorder
from lamtrace.local.xray import TraceContext


class Throttled(LamtraceError):
    """TooManyRequestsException: the function's concurrency limit is reached."""


class LocalFunction:
    """The environments of one function version."""

    def __init__(
        self,
        config: FunctionConfig,
        recorder: Recorder,
        *,
        provisioned: int = 0,
        reserved_concurrency: int | None = None,
        idle_timeout_s: float = 600.0,
        sample_rate: float = 1.0,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.recorder = recorder
        self.reserved_concurrency = reserved_concurrency
        self.idle_timeout_s = idle_timeout_s
        self.sample_rate = sample_rate
        self.rng = rng or random.Random()
        self._lock = threading.Lock()
        self._idle: list[LocalEnvironment] = []
        self._busy: set[LocalEnvironment] = set()
        self.environments_created = 0
        self.reclaimed = 0
        self.throttles = 0
        for _ in range(provisioned):
            env = self._new_environment(PROVISIONED)
            recorder.write_events(config, env.log_stream, env.start())
            self._idle.append(env)

    def _new_environment(self, init_type: str) -> LocalEnvironment:
        self.environments_created += 1
        return LocalEnvironment(self.config, init_type=init_type)

    def new_trace(self, trace_id: str | None = None) -> TraceContext:
        """A trace for an invocation: sampled when tracing is Active and the sampler says so."""
        sampled = self.config.tracing == "Active" and self.rng.random() < self.sample_rate
        return TraceContext.new(sampled, trace_id)

    def reap_idle(self, now: float | None = None) -> int:
        """Shut down on-demand environments idle for longer than ``idle_timeout_s``; returns how many."""
        now = time.time() if now is None else now
        with self._lock:
            stale = [
                env
                for env in self._idle
                if env.init_type == ON_DEMAND and now - env.last_used > self.idle_timeout_s
            ]
            self._idle = [env for env in self._idle if env not in stale]
            self.reclaimed += len(stale)
        for env in stale:
            env.close()
        return len(stale)

    def _acquire(self) -> LocalEnvironment:
        self.reap_idle()
        with self._lock:
            if self._idle:
                provisioned = [env for env in self._idle if env.init_type == PROVISIONED]
                env = provisioned[-1] if provisioned else self._idle[-1]
                self._idle.remove(env)
            elif self.reserved_concurrency is not None and len(self._busy) >= self.reserved_concurrency:
                self.throttles += 1
                raise Throttled(f"Rate Exceeded: {self.config.name} is at its concurrency limit")
            else:
                env = self._new_environment(ON_DEMAND)
            self._busy.add(env)
            return env

    def _release(self, env: LocalEnvironment) -> None:
        with self._lock:
            self._busy.discard(env)
            self._idle.append(env)

    def invoke(
        self,
        event: Any,
        *,
        request_id: str | None = None,
        trace: TraceContext | None = None,
        invoked_arn: str | None = None,
        arrived: float | None = None,
        attempt: int = 1,
        invocation_type: str = "RequestResponse",
        trigger: str = "direct",
        delivery_key: str | None = None,
        delivery_attempt: int | None = None,
    ) -> InvocationResult:
        """Run one attempt in an environment and record it. Raises ``Throttled`` at the concurrency limit."""
        arrived = time.time() if arrived is None else arrived
        trace = trace or self.new_trace()
        invoked_arn = invoked_arn or self.config.arn()
        env = self._acquire()
        try:
            result = env.invoke(
                event,
                request_id=request_id,
                trace_header=trace.header,
                xray_segment_id=trace.service_segment_id,
                invoked_arn=invoked_arn,
            )
        finally:
            self._release(env)
        self.recorder.record(
            self.config,
            result,
            trace,
            arrived=arrived,
            ready=time.time(),
            invoked_arn=invoked_arn,
            attempt=attempt,
            invocation_type=invocation_type,
            trigger=trigger,
            delivery_key=delivery_key,
            delivery_attempt=delivery_attempt,
            provisioned_environment=env.provisioned,
        )
        return result

    def close(self) -> None:
        """Shut every environment down."""
        with self._lock:
            envs = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
        for env in envs:
            env.close()
