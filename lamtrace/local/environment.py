"""One Lambda execution environment on this machine: the real awslambdaric behind a local Runtime API.

>>> with LocalEnvironment(handler="app.handler", path="examples/functions") as env:
...     result = env.invoke({"key": "value"})
>>> result.status, result.cold, result.output_lines
('success', True, ['[INFO]\\t2026-...Z\\t<request id>\\thello'])

An environment keeps one log stream for its life. Its runtime starts on the first invocation (on-demand: that
invocation is *cold*) or at ``start()`` (provisioned concurrency), later invocations reuse it (*warm*). A timeout or a
crash kills the runtime; the next invocation starts a new one (cold again) in the same stream. ``result.events`` holds
the attempt's CloudWatch events exactly as Lambda writes them (see ``attempt`` and ``platform``).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any

from lamtrace.local import platform
from lamtrace.local.attempt import (
    ON_DEMAND,
    InitPhase,
    InvocationResult,
    Measured,
    build_result,
    decode_error,
    init_report_line,
)
from lamtrace.local.capture import LogLine
from lamtrace.local.config import FunctionConfig
from lamtrace.local.process import RuntimeProcess, lambda_environment, runtime_name
from lamtrace.local.runtime_api import Invocation, RuntimeAPIServer

INIT_TIMEOUT_S = 10.0  # Lambda's limit for the init phase of on-demand environments
PROVISIONED = "provisioned-concurrency"

__all__ = ["LocalEnvironment", "InvocationResult", "new_log_stream", "ON_DEMAND", "PROVISIONED"]


def new_log_stream(version: str, at: float | None = None) -> str:
    """A stream name of Lambda's shape: ``YYYY/MM/DD/[<version>]<32 hex>`` (date = environment creation, UTC)."""
    return time.strftime("%Y/%m/%d/", time.gmtime(at)) + f"[{version}]{secrets.token_hex(16)}"


class LocalEnvironment:
    """An execution environment: a runtime process (restarted after a timeout or crash), a Runtime API, a log stream."""

    def __init__(
        self,
        config: FunctionConfig | None = None,
        *,
        init_type: str = ON_DEMAND,
        log_stream: str | None = None,
        **config_fields: Any,
    ) -> None:
        self.config = config or FunctionConfig(**config_fields)
        self.init_type = init_type
        self.provisioned = (
            init_type == PROVISIONED
        )  # started as provisioned concurrency (kept after a re-init)
        self.log_stream = log_stream or new_log_stream(self.config.version)
        self.instance_id = self.log_stream.replace("/[", f"/{self.config.name}[", 1)
        self.server = RuntimeAPIServer().start()
        self.process: RuntimeProcess | None = None
        self.invocations = 0
        self.last_used = time.time()
        self._init_failed = False  # a failed init is retried by every later invocation

    def __enter__(self) -> LocalEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.exit_reason() is None

    def close(self) -> None:
        """Shut the environment down (Lambda's shutdown phase)."""
        if self.process:
            self.process.stop()
        self.server.stop()

    # --- init ----------------------------------------------------------------------------------------------------------
    def start(self) -> list[LogLine]:
        """Run the init phase now (provisioned concurrency); returns its events. The first invocation is then warm."""
        if self.alive:
            return []
        init = self._init()
        events = [self._init_start_line(init.began), *init.output]
        if init.error:
            self._init_failed = True
            events.append(init_report_line(self.config.log_format, init, "init", self.init_type))
        return [line for line in events if line is not None]

    def _init_start_line(self, at: float) -> LogLine | None:
        cfg = self.config
        message = platform.init_start(
            cfg.log_format, at, runtime=runtime_name(), region=cfg.region, init_type=self.init_type,
            function_name=cfg.name, version=cfg.version, instance_id=self.instance_id, memory_mb=cfg.memory_mb,
        )  # fmt: skip
        return LogLine(int(at * 1000), message) if message else None

    def _spawn(self) -> RuntimeProcess:
        if self.process:  # a new runtime in the same environment (after a timeout, crash or failed init)
            self.process.kill()
            self.server.reset()
        env = lambda_environment(
            self.config, runtime_api=self.server.address, log_stream=self.log_stream, init_type=self.init_type
        )
        self.process = RuntimeProcess(self.config.handler, env, self.config.path)
        return self.process

    def _init(self) -> InitPhase:
        """Start a runtime and wait until it asks for work (init done), posts an init error, exits or times out."""
        began = time.time()
        process = self._spawn()
        server = self.server
        while not server.first_poll.wait(0.002):
            if (
                server.init_error_event.is_set()
                or process.exit_reason()
                or time.time() - began > INIT_TIMEOUT_S
            ):
                break
        else:
            return InitPhase(began, server.first_poll_at or time.time(), process.output.drain())
        ended = time.time()
        peak_mb = process.memory_mb() or 0
        if server.init_error:  # awslambdaric exits right after posting it: let it finish writing
            process.wait_exit(1.0)
            error = decode_error(server.init_error.body, server.init_error.error_type)
        elif process.exit_reason():
            error = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"Runtime exited with error: {process.exit_reason()}",
            }
        else:
            error = {"errorType": "Runtime.Unknown", "errorMessage": "init timed out", "status": "timeout"}
        process.kill()
        process.output.wait_closed(1.0)
        return InitPhase(began, ended, process.output.drain(flush_partial=True), error, peak_mb)

    def _cold_inits(self, m: Measured) -> bool:
        """Run init for a cold attempt (twice when it fails the first time, as Lambda does); True when it worked."""
        m.print_init_start = not self._init_failed  # Lambda's retries of a failed init print no INIT_START
        init = self._init()
        if init.error and not self._init_failed:
            m.inits.append(("init", init))
            init = self._init()  # Lambda retries a failed init inside the invoke phase
        m.inits.append(("invoke" if init.error else "init", init))
        self._init_failed = init.error is not None
        if init.error:
            m.start = m.end = init.ended
        return init.error is None

    # --- invoke --------------------------------------------------------------------------------------------------------
    def invoke(
        self,
        event: Any = None,
        *,
        request_id: str | None = None,
        trace_header: str | None = None,
        xray_segment_id: str | None = None,
        invoked_arn: str | None = None,
        client_context: dict | None = None,
        cognito_identity: dict | None = None,
        timeout_s: float | None = None,
    ) -> InvocationResult:
        """Invoke the function once and wait for the outcome (response, error, timeout or crash).

        ``event`` is JSON-encoded unless it is ``bytes``. ``trace_header`` is the ``X-Amzn-Trace-Id`` handed to the
        runtime; when it says ``Sampled=1`` the REPORT carries the XRAY part (SegmentId ``xray_segment_id``, else the
        header's Parent).
        """
        cfg = self.config
        m = Measured(
            request_id=request_id or str(uuid.uuid4()),
            status="init_error",
            start=0.0,
            end=0.0,
            invoked_arn=invoked_arn or cfg.arn(),
            timeout_s=timeout_s or cfg.timeout_s,
            max_memory_mb=0,
            trace_header=trace_header,
            xray_segment_id=xray_segment_id,
        )
        self.invocations += 1
        if (
            self.process and not self.alive
        ):  # the runtime died (timeout, crash): the invocation re-inits on demand
            self.init_type = ON_DEMAND
        if (self._init_failed or not self.alive) and not self._cold_inits(m):
            return self._finish(m)
        m.start = time.time()
        invocation = Invocation(
            request_id=m.request_id,
            event=event if isinstance(event, bytes) else json.dumps(event).encode(),
            deadline_ms=int((m.start + m.timeout_s) * 1000),
            invoked_function_arn=m.invoked_arn,
            trace_header=trace_header,
            client_context=json.dumps(client_context) if client_context else None,
            cognito_identity=json.dumps(cognito_identity) if cognito_identity else None,
        )
        self.server.submit(invocation)
        m.status, m.crash_reason = self._wait(invocation, m.start + m.timeout_s)
        process = self.process
        m.max_memory_mb = process.memory_mb() or 0
        if m.status in ("success", "error"):
            m.end = invocation.responded_at
            m.response, m.error_body = invocation.response, invocation.error
            m.error_header_type, m.xray_error_cause = invocation.error_type, invocation.xray_error_cause
        else:  # timeout, crash, out of memory: the runtime is gone (killed) and restarts on the next invocation
            m.end = time.time()
            self.server.abandon(m.request_id)
            process.kill()
            process.output.wait_closed(1.0)
        m.output = process.output.drain(flush_partial=True)
        return self._finish(m)

    def _finish(self, m: Measured) -> InvocationResult:
        self.last_used = time.time()
        return build_result(self.config, self.log_stream, self.init_type, self.instance_id, m)

    def _wait(self, invocation: Invocation, deadline: float) -> tuple[str, str | None]:
        """Wait for the runtime's answer; returns (success | error | timeout | crash | oom, exit reason)."""
        process = self.process
        poll_s = 0.005 if self.config.enforce_memory else 0.02
        while not invocation.done.wait(min(poll_s, max(deadline - time.time(), 0))):
            if time.time() >= deadline:
                return "timeout", None
            reason = process.exit_reason()
            if reason:
                return "crash", reason
            if self.config.enforce_memory and (process.memory_mb("VmRSS") or 0) > self.config.memory_mb:
                return "oom", None
        return ("error" if invocation.error is not None else "success"), None
