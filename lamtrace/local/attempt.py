"""Turn what an environment measured during one attempt into Lambda's log events and an ``InvocationResult``.

Pure: the environment (``environment.py``) runs the process and measures; this module decides what Lambda would
print and answer. Event order (Text format)::

    [INIT_START] [init output] [INIT_REPORT…] START <output> [timeout | runtime exit] END REPORT
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lamtrace.local import platform
from lamtrace.local.capture import LogLine
from lamtrace.local.config import FunctionConfig
from lamtrace.local.process import runtime_name

ON_DEMAND = "on-demand"


@dataclass
class InitPhase:
    """One run of the init phase: start/end (epoch s), output, and the error when it failed."""

    began: float
    ended: float
    output: list[LogLine]
    error: dict[str, Any] | None = None
    max_memory_mb: int = 0  # peak memory of a failed init's runtime

    @property
    def ms(self) -> float:
        return (self.ended - self.began) * 1000


@dataclass
class Measured:
    """Everything the environment observed for one attempt."""

    request_id: str
    status: str  # success | error | timeout | crash | oom | init_error
    start: float
    end: float
    invoked_arn: str
    timeout_s: float
    max_memory_mb: int
    output: list[LogLine] = field(default_factory=list)
    response: bytes | None = None
    error_body: bytes | None = None
    error_header_type: str | None = None
    xray_error_cause: str | None = None
    crash_reason: str | None = None
    inits: list[tuple[str, InitPhase]] = field(
        default_factory=list
    )  # (phase init|invoke, run) for a cold attempt
    print_init_start: bool = False  # the environment's first init: INIT_START
    trace_header: str | None = None
    xray_segment_id: str | None = None


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
    init_ms: float | None  # set on a cold start (init ran inside this invocation)
    init_start: float | None  # epoch seconds the runtime started, when it started for this attempt
    init_end: float | None
    cold: bool
    init_type: str
    memory_mb: int
    max_memory_mb: int
    log_group: str
    log_stream: str
    trace_header: str | None
    xray_error_cause: str | None = None  # the X-Ray cause awslambdaric sent with an error
    output: list[LogLine] = field(default_factory=list)  # the function's own output (init output first)
    events: list[LogLine] = field(default_factory=list)  # every CloudWatch event of the attempt

    @property
    def output_lines(self) -> list[str]:
        """The function's output, one string per event, without the trailing newline."""
        return [line.message.rstrip("\n") for line in self.output]

    @property
    def payload(self) -> Any:
        """The response decoded from JSON; the raw bytes when it is not JSON; None when the invocation failed."""
        if not self.response:
            return None
        try:
            return json.loads(self.response)
        except ValueError:
            return self.response


def decode_error(body: bytes, header_type: str | None = None) -> dict[str, Any]:
    """The error document a runtime posted (tolerating non-JSON bodies)."""
    try:
        error = json.loads(body)
    except ValueError:
        error = {"errorMessage": body.decode("utf-8", errors="replace")}
    if not isinstance(error, dict):
        error = {"errorMessage": str(error)}
    if header_type and not error.get("errorType"):
        error["errorType"] = header_type
    return error


def sampled_ids(trace_header: str | None, segment_id: str | None) -> tuple[str, str] | None:
    """(trace id, segment id) when the header says Sampled=1."""
    if not trace_header:
        return None
    parts = dict(part.split("=", 1) for part in trace_header.split(";") if "=" in part)
    if parts.get("Sampled") != "1" or "Root" not in parts:
        return None
    return parts["Root"], segment_id or parts.get("Parent", "")


def _at(epoch_s: float, message: str | None) -> LogLine | None:
    return LogLine(int(epoch_s * 1000), message) if message is not None else None


def _clamp(line: LogLine, start: float, end: float) -> LogLine:
    """Keep an output line's time inside [start, end] (stdout lines are stamped when read)."""
    ts = min(max(line.timestamp, int(start * 1000)), int(end * 1000))
    return line if ts == line.timestamp else LogLine(ts, line.message, line.micros)


def _outcome(
    m: Measured, fmt: str, memory_mb: int
) -> tuple[str, str, dict | None, str | None, float, int, list]:
    """(status, report status, error payload, error type, duration ms, max memory, extra lines before END)."""
    duration_ms = (m.end - m.start) * 1000
    if m.status == "success":
        return "success", "success", None, None, duration_ms, m.max_memory_mb, []
    if m.status == "error":
        error = decode_error(m.error_body or b"{}", m.error_header_type)
        return (
            "error",
            "error",
            error,
            error.get("errorType") or "Unhandled",
            duration_ms,
            m.max_memory_mb,
            [],
        )
    if m.status == "timeout":
        elapsed = m.end - m.start
        message = (
            f"{platform.iso_ms(m.end - 0.001)} {m.request_id} Task timed out after {elapsed:.2f} seconds"
        )
        lines = [
            _at(m.end, platform.timeout(fmt, m.end, request_id=m.request_id, elapsed_s=elapsed)),
            _at(m.end, platform.runtime_done(fmt, m.end, request_id=m.request_id, status="timeout", duration_ms=m.timeout_s * 1000)),
        ]  # fmt: skip
        error = {"errorType": "Sandbox.Timedout", "errorMessage": message}
        return "timeout", "timeout", error, "Sandbox.Timedout", m.timeout_s * 1000, m.max_memory_mb, lines
    # the runtime exited before answering: a crash, or Lambda's out-of-memory kill
    oom = m.status == "oom"
    reason = "signal: killed" if oom else m.crash_reason
    error_type = "Runtime.OutOfMemory" if oom else "Runtime.ExitError"
    error = {
        "errorType": error_type,
        "errorMessage": f"RequestId: {m.request_id} Error: Runtime exited with error: {reason}",
    }
    line = _at(
        m.end, platform.runtime_exit(fmt, request_id=m.request_id, reason=reason, error_type=error_type)
    )
    return "crash", "error", error, error_type, duration_ms, memory_mb if oom else m.max_memory_mb, [line]


def build_result(
    config: FunctionConfig, log_stream: str, init_type: str, instance_id: str, m: Measured
) -> InvocationResult:
    """The attempt's events and result, as Lambda would log and answer."""
    fmt = config.log_format
    events: list[LogLine | None] = []
    init_output: list[LogLine] = []
    init_ms = None
    if m.inits and m.print_init_start:
        began = m.inits[0][1].began
        events.append(_at(began, platform.init_start(
            fmt, began, runtime=runtime_name(), region=config.region, init_type=init_type,
            function_name=config.name, version=config.version, instance_id=instance_id, memory_mb=config.memory_mb,
        )))  # fmt: skip
    for phase, init in m.inits:
        events += init.output
        init_output += init.output
        if init.error:
            events.append(init_report_line(fmt, init, phase, init_type))
    if m.inits and m.status != "init_error":  # init ran inside this invocation: a cold start
        init_ms = m.inits[-1][1].ms
    events.append(
        _at(
            m.start,
            platform.start(
                fmt, m.start, request_id=m.request_id, version=config.version, function_arn=m.invoked_arn
            ),
        )
    )
    output = [_clamp(line, m.start, m.end) for line in m.output]
    events += output

    if m.status == "init_error":
        failed = m.inits[-1][1]
        error = {k: v for k, v in (failed.error or {}).items() if k != "status"}
        status, report_status, error_type = "init_error", "error", error.get("errorType")
        duration_ms, max_memory, extra = failed.ms, failed.max_memory_mb, []
    else:
        status, report_status, error, error_type, duration_ms, max_memory, extra = _outcome(
            m, fmt, config.memory_mb
        )
    events += extra
    ids = sampled_ids(m.trace_header, m.xray_segment_id)
    billed = platform.billed_ms(duration_ms, init_ms)
    facts = platform.Report(
        request_id=m.request_id,
        duration_ms=duration_ms,
        billed_ms=billed,
        memory_mb=config.memory_mb,
        max_memory_mb=max_memory,
        init_ms=init_ms,
        status=report_status,
        error_type=error_type if report_status != "success" else None,
        trace_id=ids[0] if ids else None,
        segment_id=ids[1] if ids else None,
        trace_header=m.trace_header,
    )
    events.append(_at(m.end, platform.end(fmt, m.end, request_id=m.request_id)))
    events.append(_at(m.end, platform.report(fmt, m.end, facts)))
    return InvocationResult(
        request_id=m.request_id,
        status=status,
        response=m.response if status == "success" else None,
        error=error,
        error_type=error_type,
        start=m.start,
        end=m.end,
        duration_ms=duration_ms,
        billed_ms=billed,
        init_ms=init_ms,
        init_start=m.inits[-1][1].began if m.inits else None,
        init_end=m.inits[-1][1].ended if m.inits else None,
        cold=bool(m.inits),
        init_type=init_type,
        memory_mb=config.memory_mb,
        max_memory_mb=max_memory,
        log_group=config.log_group,
        log_stream=log_stream,
        trace_header=m.trace_header,
        xray_error_cause=m.xray_error_cause,
        output=init_output + output,
        events=[line for line in events if line is not None],
    )


def init_report_line(fmt: str, init: InitPhase, phase: str, init_type: str) -> LogLine | None:
    """INIT_REPORT of a failed init."""
    error = init.error or {}
    message = platform.init_report(
        fmt,
        init.ended,
        init_ms=init.ms,
        phase=phase,
        init_type=init_type,
        status=error.get("status", "error"),
        error_type=error.get("errorType"),
    )
    return _at(init.ended, message)
