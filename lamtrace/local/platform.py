"""Lambda's own log lines (START, END, REPORT, INIT_START, ...) in the Text and JSON log formats. Pure functions.

Byte shapes follow ``reference/FORMATS.md`` (raw CloudWatch API data): TAB between REPORT / INIT_START / INIT_REPORT
fields, single spaces in START / END, REPORT ends with ``\\t\\n`` and carries the XRAY part as a second line of the same
event, the timeout line ends with ``\\n\\n``. JSON-format events are ``{"time","type":"platform.*","record"}``.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass

TEXT = "Text"
JSON = "JSON"
LOG_FORMATS = (TEXT, JSON)


def iso_ms(epoch_s: float) -> str:
    """``2026-11-28T10:00:00.123Z`` (UTC, milliseconds)."""
    millis = int(epoch_s * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis // 1000)) + f".{millis % 1000:03d}Z"


def runtime_version(runtime: str) -> str:
    """Lambda's runtime version string for a runtime name: ``python3.12`` → ``python:3.12.v<N>``."""
    return runtime.replace("python", "python:") + ".v1"


def runtime_version_arn(region: str, version: str) -> str:
    """A stable runtime version ARN of Lambda's shape (64 hex digits derived from the version)."""
    return f"arn:aws:lambda:{region}::runtime:{hashlib.sha256(version.encode()).hexdigest()}"


def billed_ms(duration_ms: float, init_ms: float | None = None) -> int:
    """Billed Duration as current Lambda computes it: ceil to 1 ms, init of an on-demand cold start included."""
    return math.ceil(round(duration_ms + (init_ms or 0.0), 6))


@dataclass(frozen=True)
class Report:
    """The facts of one REPORT."""

    request_id: str
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_memory_mb: int
    init_ms: float | None = None
    status: str = "success"  # success | error | timeout
    error_type: str | None = None
    trace_id: str | None = None  # set only for sampled invocations
    segment_id: str | None = None
    trace_header: str | None = None  # full X-Amzn-Trace-Id, JSON format's tracing.value


def _event(kind: str, at: float, record: dict) -> str:
    return json.dumps(
        {"time": iso_ms(at), "type": f"platform.{kind}", "record": record}, separators=(",", ":")
    )


def init_start(
    log_format: str,
    at: float,
    *,
    runtime: str,
    region: str,
    init_type: str,
    function_name: str,
    version: str,
    instance_id: str,
    memory_mb: int,
) -> str:
    """INIT_START: a new execution environment begins its init phase."""
    rv = runtime_version(runtime)
    arn = runtime_version_arn(region, rv)
    if log_format == TEXT:
        return f"INIT_START Runtime Version: {rv}\tRuntime Version ARN: {arn}\n"
    return _event(
        "initStart",
        at,
        {
            "initializationType": init_type,
            "phase": "init",
            "runtimeVersion": rv,
            "runtimeVersionArn": arn,
            "functionName": function_name,
            "functionVersion": version,
            "instanceId": instance_id,
            "instanceMaxMemory": memory_mb * 1024 * 1024,
        },
    )


def init_report(
    log_format: str,
    at: float,
    *,
    init_ms: float,
    phase: str,
    init_type: str,
    status: str,
    error_type: str | None,
) -> str:
    """INIT_REPORT: printed when init failed (``phase`` init, then again as ``invoke`` when Lambda retries it)."""
    if log_format == TEXT:
        line = f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: {phase}\tStatus: {status}"
        return line + (f"\tError Type: {error_type}" if error_type else "") + "\n"
    record = {"initializationType": init_type, "phase": phase, "status": status}
    if error_type:
        record["errorType"] = error_type
    record["metrics"] = {"durationMs": round(init_ms, 3)}
    return _event("initReport", at, record)


def start(log_format: str, at: float, *, request_id: str, version: str, function_arn: str) -> str:
    """START of an invocation attempt."""
    if log_format == TEXT:
        return f"START RequestId: {request_id} Version: {version}\n"
    return _event("start", at, {"requestId": request_id, "functionArn": function_arn, "version": version})


def end(log_format: str, at: float, *, request_id: str) -> str | None:
    """END of an invocation attempt (the JSON format has no such event: None)."""
    return f"END RequestId: {request_id}\n" if log_format == TEXT else None


def report(log_format: str, at: float, facts: Report) -> str:
    """REPORT: durations, memory, and (sampled invocations) the X-Ray trace."""
    if log_format == TEXT:
        fields = [
            f"REPORT RequestId: {facts.request_id}",
            f"Duration: {facts.duration_ms:.2f} ms",
            f"Billed Duration: {facts.billed_ms} ms",
            f"Memory Size: {facts.memory_mb} MB",
            f"Max Memory Used: {facts.max_memory_mb} MB",
        ]
        if facts.init_ms is not None:
            fields.append(f"Init Duration: {facts.init_ms:.2f} ms")
        if facts.status != "success":
            fields.append(f"Status: {facts.status}")
            if facts.error_type:
                fields.append(f"Error Type: {facts.error_type}")
        line = "\t".join(fields) + "\t"
        if facts.trace_id:
            line += f"\nXRAY TraceId: {facts.trace_id}\tSegmentId: {facts.segment_id}\tSampled: true\t"
        return line + "\n"
    metrics: dict[str, float | int] = {
        "durationMs": round(facts.duration_ms, 3),
        "billedDurationMs": facts.billed_ms,
        "memorySizeMB": facts.memory_mb,
        "maxMemoryUsedMB": facts.max_memory_mb,
    }
    if facts.init_ms is not None:
        metrics["initDurationMs"] = round(facts.init_ms, 3)
    record: dict = {"requestId": facts.request_id, "metrics": metrics}
    if facts.trace_id:
        record["tracing"] = {
            "spanId": facts.segment_id,
            "type": "X-Amzn-Trace-Id",
            "value": facts.trace_header,
        }
    record["status"] = facts.status
    if facts.error_type:
        record["errorType"] = facts.error_type
    return _event("report", at, record)


def runtime_done(
    log_format: str, at: float, *, request_id: str, status: str, duration_ms: float
) -> str | None:
    """platform.runtimeDone (JSON format only; written for timeouts, as in real JSON-format timeout logs)."""
    if log_format == TEXT:
        return None
    return _event(
        "runtimeDone",
        at,
        {
            "requestId": request_id,
            "status": status,
            "metrics": {"durationMs": round(duration_ms, 3), "producedBytes": 0},
        },
    )


def timeout(log_format: str, at: float, *, request_id: str, elapsed_s: float) -> str | None:
    """``<ISO> <id> Task timed out after 3.00 seconds`` (Text format only; the embedded time is 1 ms before ``at``)."""
    if log_format != TEXT:
        return None
    return f"{iso_ms(at - 0.001)} {request_id} Task timed out after {elapsed_s:.2f} seconds\n\n"


def runtime_exit(log_format: str, *, request_id: str, reason: str, error_type: str) -> str | None:
    """``RequestId: <id> Error: Runtime exited with error: <reason>`` + the error type on a second line (Text only)."""
    if log_format != TEXT:
        return None
    return f"RequestId: {request_id} Error: Runtime exited with error: {reason}\n{error_type}\n"
