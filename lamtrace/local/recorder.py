"""Where local invocations leave their traces: log events, X-Ray documents, and a ledger of what happened.

The ledger (``Recorder.attempts``) is the ground truth of a run — one ``Attempt`` per execution of a request id —
so tests and the demo can compare what the analyzer reports with what the emulator did.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from lamtrace.local.capture import LogLine
from lamtrace.local.config import FunctionConfig
from lamtrace.local.environment import InvocationResult
from lamtrace.local.store import OutputDir
from lamtrace.local.xray import TraceContext, fault_cause, lambda_segments, nest_subsegments


@dataclass(frozen=True)
class Attempt:
    """One invocation attempt as the emulator ran it."""

    function: str
    version: str
    request_id: str
    attempt: int  # 1..n for the same request id (async retries)
    invocation_type: str  # RequestResponse | Event
    trigger: str  # direct | sqs
    status: str  # success | error | timeout | crash | init_error
    cold: bool
    init_type: str
    log_stream: str
    trace_id: str
    sampled: bool
    start: float
    duration_ms: float
    delivery_key: str | None = None  # SQS messageId (batches: the first record's)
    delivery_attempt: int | None = None  # SQS ApproximateReceiveCount
    provisioned_environment: bool = False  # served by an environment started as provisioned concurrency


class Recorder:
    """Collects a run's output: writes log events as they come, assembles traces at ``finish()``."""

    def __init__(self, out: OutputDir | None = None) -> None:
        self.out = out
        self.attempts: list[Attempt] = []
        self.platform_segments: dict[str, list[dict]] = {}  # function -> Lambda's segments
        self.received: list[dict] = []  # documents from the local X-Ray daemon
        self._lock = threading.Lock()

    def write_events(self, config: FunctionConfig, log_stream: str, lines: list[LogLine]) -> None:
        """Write events that belong to no attempt (provisioned init)."""
        if self.out and lines:
            self.out.write_events(config.name, config.log_group, log_stream, lines)

    def on_document(self, document: dict) -> None:
        """Callback for ``collectors.daemon.XRayDaemon``."""
        with self._lock:
            self.received.append(document)

    def record(
        self,
        config: FunctionConfig,
        result: InvocationResult,
        trace: TraceContext,
        *,
        arrived: float,
        ready: float,
        invoked_arn: str,
        attempt: int = 1,
        invocation_type: str = "RequestResponse",
        trigger: str = "direct",
        delivery_key: str | None = None,
        delivery_attempt: int | None = None,
        provisioned_environment: bool = False,
    ) -> Attempt:
        """Write one attempt's events and (sampled) segments; add it to the ledger."""
        if self.out:
            self.out.write_events(config.name, config.log_group, result.log_stream, result.events)
        row = Attempt(
            config.name,
            config.version,
            result.request_id,
            attempt,
            invocation_type,
            trigger,
            result.status,
            result.cold,
            result.init_type,
            result.log_stream,
            trace.trace_id,
            trace.sampled,
            result.start,
            result.duration_ms,
            delivery_key,
            delivery_attempt,
            provisioned_environment,
        )
        segments = []
        if trace.sampled:
            failed = result.status != "success"
            cause = None
            if failed:
                message = (result.error or {}).get("errorMessage")
                cause = fault_cause(result.xray_error_cause, result.error_type, message)
            segments = lambda_segments(
                trace,
                function_name=config.name,
                function_arn=invoked_arn,
                account_id=config.account_id,
                log_group=config.log_group,
                request_id=result.request_id,
                arrived=arrived,
                init=(result.init_start, result.init_end) if result.cold and result.init_start else None,
                start=result.start,
                end=result.end,
                ready=max(ready, result.end),
                status_code=202 if invocation_type == "Event" else 200,
                fault_cause=cause,
            )
        with self._lock:
            self.attempts.append(row)
            self.platform_segments.setdefault(config.name, []).extend(segments)
        return row

    def finish(self) -> None:
        """Nest the daemon's subsegments into Lambda's segments and write all trace documents."""
        with self._lock:
            received, self.received = self.received, []
            platform, self.platform_segments = self.platform_segments, {}
        everything = [segment for segments in platform.values() for segment in segments]
        orphans = nest_subsegments(everything, received)
        if self.out:
            for function, segments in platform.items():
                self.out.write_documents(function, segments)
            self.out.write_documents("daemon", orphans)

    def summary(self) -> dict[str, int]:
        """Counts of what the run did (the ground truth the analyzer's report should match)."""
        attempts = self.attempts
        by_status = Counter(a.status for a in attempts)
        request_ids = {(a.function, a.request_id) for a in attempts}
        return {
            "attempts": len(attempts),
            "requests": len(request_ids),
            "cold_starts": sum(a.cold and a.status != "init_error" for a in attempts),
            "provisioned_invocations": sum(a.provisioned_environment for a in attempts),
            "retries": sum(a.attempt > 1 for a in attempts),
            "redeliveries": sum((a.delivery_attempt or 1) > 1 for a in attempts),
            "success": by_status["success"],
            "errors": by_status["error"],
            "timeouts": by_status["timeout"],
            "crashes": by_status["crash"],
            "init_errors": by_status["init_error"],
            "sampled": sum(a.sampled for a in attempts),
        }
