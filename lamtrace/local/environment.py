"""One Lambda execution environment on this machine: the real awslambdaric behind a local Runtime API.

>>> with LocalEnvironment(handler="app.handler", path="examples/functions") as env:
...     result = env.invoke({"key": "value"})
>>> result.status, result.cold, result.output_lines
('success', True, ['[INFO]\\t2026-...Z\\t<request id>\\thello'])

An environment keeps one log stream for its life. Its runtime starts on the first invocation (on-demand: that
invocation is *cold*) or at ``start()`` (provisioned concurrency), later invocations reuse it (*warm*). A timeout or a
crash kills the runtime; the next invocation starts a new one (cold again) in the same stream. ``result.events`` holds
the attempt's CloudWatch events exactly as Lambda writes them (platform lines included, see ``platform``).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from lamtrace.local import platform
from lamtrace.local.capture import LogLine
from lamtrace.local.config import FunctionConfig
from lamtrace.local.process import RuntimeProcess, lambda_environment, runtime_name
from lamtrace.local.runtime_api import Invocation, RuntimeAPIServer

INIT_TIMEOUT_S = 10.0  # Lambda's limit for the init phase of on-demand environments
ON_DEMAND = "on-demand"
PROVISIONED = "provisioned-concurrency"


def new_log_stream(version: str, at: float | None = None) -> str:
    """A stream name of Lambda's shape: ``YYYY/MM/DD/[<version>]<32 hex>`` (date = environment creation, UTC)."""
    return time.strftime("%Y/%m/%d/", time.gmtime(at)) + f"[{version}]{secrets.token_hex(16)}"


@dataclass
class InvocationResult:
    """What one invocation attempt did."""

    request_id: str
    status: str  # success | error | timeout | crash | init_error
    response: bytes | None
    error: dict[str, Any] | None  # the error payload the caller receives
    error_type: str | None
    start: float  # epoch seconds (START)
    end: float  # epoch seconds (response, or kill)
    duration_ms: float
    billed_ms: int
    init_ms: float | None  # set on a cold start of an on-demand environment
    init_start: float | None  # epoch seconds the runtime started, when it started for this attempt
    init_end: float | None
    cold: bool
    init_type: str
    memory_mb: int
    max_memory_mb: int
    log_group: str
    log_stream: str
    trace_header: str | None
    output: list[LogLine] = field(default_factory=list)  # the function's own output
    events: list[LogLine] = field(default_factory=list)  # every CloudWatch event of the attempt

    @property
    def output_lines(self) -> list[str]:
        """The function's output, one string per event, without the trailing newline."""
        return [line.message.rstrip("\n") for line in self.output]

    @property
    def payload(self) -> Any:
        """The response decoded from JSON (None when the invocation failed)."""
        return json.loads(self.response) if self.response else None


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
        self.log_stream = log_stream or new_log_stream(self.config.version)
        self.instance_id = self.log_stream.replace("/[", f"/{self.config.name}[", 1)
        self.server = RuntimeAPIServer().start()
        self.process: RuntimeProcess | None = None
        self.invocations = 0
        self.last_used = time.time()
        self._init_failed = False

    # --- lifecycle ---------------------------------------------------------------------------------------------------
    def __enter__(self) -> LocalEnvironment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.exit_reason() is None

    def start(self) -> list[LogLine]:
        """Run the init phase now (provisioned concurrency); returns its events. The first invocation is then warm."""
        if self.alive:
            return []
        began, ended, error, lines = self._init()
        events = [self._init_start_event(began), *lines]
        if error:
            self._init_failed = True
            events.append(self._init_report_event(ended, began, "init", error))
        return [line for line in events if line.message is not None]

    def close(self) -> None:
        """Shut the environment down (Lambda's shutdown phase)."""
        if self.process:
            self.process.stop()
        self.server.stop()

    def _spawn(self) -> None:
        cfg = self.config
        env = lambda_environment(
            cfg, runtime_api=self.server.address, log_stream=self.log_stream, init_type=self.init_type
        )
        if self.process:  # a new runtime in the same environment (after a timeout, crash or failed init)
            self.process.kill()
            self.server.reset()
        self.process = RuntimeProcess(cfg.handler, env, cfg.path)

    def _init(self) -> tuple[float, float, dict[str, Any] | None, list[LogLine]]:
        """Start a runtime and wait for its first poll; returns (began, ended, init error or None, output)."""
        began = time.time()
        self._spawn()
        process = self.process
        while True:
            if self.server.first_poll.wait(0.002):
                ended = self.server.first_poll_at or time.time()
                return began, ended, None, process.output.drain()
            if (
                self.server.init_error_event.is_set()
                or process.exit_reason()
                or time.time() - began > INIT_TIMEOUT_S
            ):
                break
        ended = time.time()
        timed_out = not self.server.init_error and process.exit_reason() is None
        if (
            self.server.init_error
        ):  # awslambdaric exits right after posting the init error: let it finish writing
            process.wait_exit(1.0)
        process.kill()
        process.output.wait_closed(1.0)
        if self.server.init_error:
            error = _decode_error(self.server.init_error.body, self.server.init_error.error_type)
        elif timed_out:
            error = {"errorType": "Runtime.Unknown", "errorMessage": "init timed out", "status": "timeout"}
        else:
            reason = process.exit_reason()
            error = {"errorType": "Runtime.ExitError", "errorMessage": f"Runtime exited with error: {reason}"}
        return began, ended, error, process.output.drain(flush_partial=True)

    # --- invoke ------------------------------------------------------------------------------------------------------
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
        request_id = request_id or str(uuid.uuid4())
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        events: list[LogLine] = []
        init_ms = init_start = init_end = None
        init_lines: list[LogLine] = []
        cold = False
        if self._init_failed or not self.alive:
            cold = True
            init_start, init_end, error, lines = self._init()
            if (
                not self._init_failed
            ):  # Lambda prints INIT_START once per environment, not on its init retries
                events.append(self._init_start_event(init_start))
            events += lines
            init_lines = lines
            if error:
                return self._init_failed_attempt(
                    request_id, init_start, init_end, error, events, lines, trace_header
                )
            init_ms = (init_end - init_start) * 1000 if self.init_type == ON_DEMAND else None
            self._init_failed = False

        self.invocations += 1
        timeout = timeout_s or cfg.timeout_s
        start = time.time()
        invocation = Invocation(
            request_id=request_id,
            event=body,
            deadline_ms=int((start + timeout) * 1000),
            invoked_function_arn=invoked_arn or cfg.arn(),
            trace_header=trace_header,
            client_context=json.dumps(client_context) if client_context else None,
            cognito_identity=json.dumps(cognito_identity) if cognito_identity else None,
        )
        events.append(
            self._line(
                start,
                platform.start(
                    cfg.log_format,
                    start,
                    request_id=request_id,
                    version=cfg.version,
                    function_arn=invocation.invoked_function_arn,
                ),
            )
        )
        self.server.submit(invocation)
        status, crash_reason = self._wait(invocation, start + timeout)
        process = self.process
        max_memory = process.memory_mb() or 0
        if status in ("timeout", "crash", "oom"):
            self.server.abandon(request_id)
            process.kill()
            process.output.wait_closed(1.0)
        end = invocation.responded_at if status in ("success", "error") else time.time()
        output = [_clamp(line, start, end) for line in process.output.drain(flush_partial=True)]
        events += output
        if init_lines:
            output = init_lines + output

        error = error_type = None
        duration_ms = (end - start) * 1000
        report_status = status
        if status == "success":
            pass
        elif status == "error":
            error = _decode_error(invocation.error or b"{}", invocation.error_type)
            error_type = error.get("errorType") or "Unhandled"
        elif status == "timeout":
            duration_ms = timeout * 1000
            message = (
                f"{platform.iso_ms(end - 0.001)} {request_id} Task timed out after {end - start:.2f} seconds"
            )
            error, error_type = {"errorType": "Sandbox.Timedout", "errorMessage": message}, "Sandbox.Timedout"
            events.append(
                self._line(
                    end, platform.timeout(cfg.log_format, end, request_id=request_id, elapsed_s=end - start)
                )
            )
            events.append(
                self._line(
                    end,
                    platform.runtime_done(
                        cfg.log_format, end, request_id=request_id, status="timeout", duration_ms=duration_ms
                    ),
                )
            )
        else:  # crash / oom: the runtime exited before answering
            if status == "oom":
                crash_reason, error_type, max_memory = "signal: killed", "Runtime.OutOfMemory", cfg.memory_mb
            else:
                error_type = "Runtime.ExitError"
            error = {
                "errorType": error_type,
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {crash_reason}",
            }
            events.append(
                self._line(
                    end,
                    platform.runtime_exit(
                        cfg.log_format, request_id=request_id, reason=crash_reason, error_type=error_type
                    ),
                )
            )
            status, report_status = "crash", "error"

        sampled = _sampled_ids(trace_header, xray_segment_id)
        billed = platform.billed_ms(duration_ms, init_ms)
        facts = platform.Report(
            request_id=request_id,
            duration_ms=duration_ms,
            billed_ms=billed,
            memory_mb=cfg.memory_mb,
            max_memory_mb=max_memory,
            init_ms=init_ms,
            status=report_status,
            error_type=error_type if report_status != "success" else None,
            trace_id=sampled[0] if sampled else None,
            segment_id=sampled[1] if sampled else None,
            trace_header=trace_header,
        )
        events.append(self._line(end, platform.end(cfg.log_format, end, request_id=request_id)))
        events.append(self._line(end, platform.report(cfg.log_format, end, facts)))
        self.last_used = time.time()
        return InvocationResult(
            request_id=request_id,
            status=status,
            response=invocation.response if status == "success" else None,
            error=error,
            error_type=error_type,
            start=start,
            end=end,
            duration_ms=duration_ms,
            billed_ms=billed,
            init_ms=init_ms,
            init_start=init_start,
            init_end=init_end,
            cold=cold,
            init_type=self.init_type,
            memory_mb=cfg.memory_mb,
            max_memory_mb=max_memory,
            log_group=cfg.log_group,
            log_stream=self.log_stream,
            trace_header=trace_header,
            output=output,
            events=[line for line in events if line.message is not None],
        )

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

    # --- events --------------------------------------------------------------------------------------------------------
    def _line(self, at: float, message: str | None) -> LogLine:
        return LogLine(int(at * 1000), message)  # message None (not in this format) is dropped later

    def _init_start_event(self, at: float) -> LogLine:
        cfg = self.config
        message = platform.init_start(
            cfg.log_format,
            at,
            runtime=runtime_name(),
            region=cfg.region,
            init_type=self.init_type,
            function_name=cfg.name,
            version=cfg.version,
            instance_id=self.instance_id,
            memory_mb=cfg.memory_mb,
        )
        return self._line(at, message)

    def _init_report_event(self, at: float, began: float, phase: str, error: dict[str, Any]) -> LogLine:
        message = platform.init_report(
            self.config.log_format,
            at,
            init_ms=(at - began) * 1000,
            phase=phase,
            init_type=self.init_type,
            status=error.get("status", "error"),
            error_type=error.get("errorType"),
        )
        return self._line(at, message)

    def _init_failed_attempt(
        self, request_id, began, ended, error, events, lines, trace_header
    ) -> InvocationResult:
        """Init failed: Lambda reports it (phase init), retries init inside the invoke (phase invoke), then fails it."""
        cfg = self.config
        if not self._init_failed:
            events.append(self._init_report_event(ended, began, "init", error))
            began, ended, error, lines = self._init()
            events += lines
        self._init_failed = True
        events.append(self._init_report_event(ended, began, "invoke", error))
        start = end = ended
        duration_ms = (ended - began) * 1000
        events.append(
            self._line(
                start,
                platform.start(
                    cfg.log_format, start, request_id=request_id, version=cfg.version, function_arn=cfg.arn()
                ),
            )
        )
        facts = platform.Report(
            request_id,
            duration_ms,
            platform.billed_ms(duration_ms),
            cfg.memory_mb,
            0,
            status="error",
            error_type=error.get("errorType"),
        )
        events.append(self._line(end, platform.end(cfg.log_format, end, request_id=request_id)))
        events.append(self._line(end, platform.report(cfg.log_format, end, facts)))
        self.invocations += 1
        self.last_used = time.time()
        return InvocationResult(
            request_id, "init_error", None, {k: v for k, v in error.items() if k != "status"}, error.get("errorType"),
            start, end, duration_ms, facts.billed_ms, None, began, ended, True, self.init_type, cfg.memory_mb, 0,
            cfg.log_group, self.log_stream, trace_header, lines, [e for e in events if e.message is not None],
        )  # fmt: skip


def _decode_error(body: bytes, header_type: str | None) -> dict[str, Any]:
    try:
        error = json.loads(body)
    except ValueError:
        error = {"errorMessage": body.decode("utf-8", errors="replace")}
    if not isinstance(error, dict):
        error = {"errorMessage": str(error)}
    if header_type and not error.get("errorType"):
        error["errorType"] = header_type
    return error


def _clamp(line: LogLine, start: float, end: float) -> LogLine:
    """Keep an output line's time inside [start, end] (stdout lines are stamped when read)."""
    ts = min(max(line.timestamp, int(start * 1000)), int(end * 1000))
    return line if ts == line.timestamp else LogLine(ts, line.message, line.micros)


def _sampled_ids(trace_header: str | None, segment_id: str | None) -> tuple[str, str] | None:
    """(trace id, segment id) when the header says Sampled=1."""
    if not trace_header:
        return None
    parts = dict(part.split("=", 1) for part in trace_header.split(";") if "=" in part)
    if parts.get("Sampled") != "1" or "Root" not in parts:
        return None
    return parts["Root"], segment_id or parts.get("Parent", "")
