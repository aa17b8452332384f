"""Pull raw trace documents from AWS X-Ray: trace ids from GetTraceSummaries, documents from BatchGetTraces.

GetTraceSummaries accepts windows of at most 6 hours, so longer windows are cut; BatchGetTraces takes at most 5 ids
per call, and ids X-Ray could not process yet (``UnprocessedTraceIds``) are asked for again a few times.

Example::

    xray = collectors.aws.client("xray")
    ids = iter_trace_ids(xray, start_ms, end_ms, filter_expression='service("orders")')
    for document in iter_trace_documents(xray, ids):
        ...
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from collectors.aws import call

MAX_WINDOW_MS = 6 * 3600 * 1000
TRACE_ID = re.compile(r"\b1-[0-9a-f]{8}-[0-9a-f]{24}\b")
BATCH_SIZE = 5
UNPROCESSED_ROUNDS = 4  # further BatchGetTraces rounds for UnprocessedTraceIds
UNPROCESSED_WAIT_S = 1.0


@dataclass
class TraceStats:
    """Trace ids listed, traces and segments fetched, ids X-Ray never returned."""

    trace_ids: int = 0
    traces: int = 0
    segments: int = 0
    throttled: int = 0
    unprocessed: list[str] = field(default_factory=list)

    def count_throttle(self) -> None:
        self.throttled += 1


def plan_windows(start_ms: int, end_ms: int, window_ms: int = MAX_WINDOW_MS) -> list[tuple[int, int]]:
    """``[start_ms, end_ms]`` as consecutive windows no longer than ``window_ms``."""
    if end_ms < start_ms:
        raise ValueError("the time window ends before it starts")
    windows, lo = [], start_ms
    while True:
        hi = min(lo + window_ms, end_ms)
        windows.append((lo, hi))
        if hi >= end_ms:
            return windows
        lo = hi


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def iter_trace_ids(
    xray_client: Any,
    start_ms: int,
    end_ms: int,
    *,
    filter_expression: str | None = None,
    stats: TraceStats | None = None,
) -> Iterator[str]:
    """Distinct trace ids X-Ray has for the window (GetTraceSummaries, paged, in ≤ 6 h windows)."""
    stats = stats if stats is not None else TraceStats()
    seen: set[str] = set()
    for lo, hi in plan_windows(start_ms, end_ms):
        request: dict[str, Any] = {"StartTime": _time(lo), "EndTime": _time(hi), "TimeRangeType": "TraceId"}
        if filter_expression:
            request["FilterExpression"] = filter_expression
        while True:
            response = call(
                xray_client.get_trace_summaries,
                request,
                action="list X-Ray traces",
                iam_action="xray:GetTraceSummaries",
                on_throttle=stats.count_throttle,
            )
            for summary in response.get("TraceSummaries", []):
                trace_id = summary.get("Id")
                if trace_id and trace_id not in seen:
                    seen.add(trace_id)
                    stats.trace_ids += 1
                    yield trace_id
            token = response.get("NextToken")
            if not token:
                break
            request["NextToken"] = token


def trace_ids_in(messages: Iterable[str]) -> list[str]:
    """Distinct X-Ray trace ids mentioned in log messages (REPORT ``XRAY TraceId``, Powertools/lamtrace
    ``xray_trace_id``, ``Root=`` of a trace header), in order of first mention. A token scan, not log parsing."""
    return list(dict.fromkeys(match for message in messages for match in TRACE_ID.findall(message)))


def iter_trace_documents(
    xray_client: Any, trace_ids: Iterable[str], *, stats: TraceStats | None = None
) -> Iterator[dict[str, Any]]:
    """Raw trace documents (one per segment) of ``trace_ids``, fetched 5 ids per BatchGetTraces call.

    Ids returned as unprocessed are retried in up to ``UNPROCESSED_ROUNDS`` later rounds; ids still missing then
    are listed in ``stats.unprocessed``. Ids X-Ray does not know are simply absent (as in X-Ray).
    """
    stats = stats if stats is not None else TraceStats()
    pending: list[str] = []
    unprocessed: list[str] = []
    for trace_id in dict.fromkeys(trace_ids):
        pending.append(trace_id)
        if len(pending) == BATCH_SIZE:
            yield from _batch(xray_client, pending, unprocessed, stats)
            pending = []
    if pending:
        yield from _batch(xray_client, pending, unprocessed, stats)
    for round_number in range(UNPROCESSED_ROUNDS):
        if not unprocessed:
            return
        time.sleep(UNPROCESSED_WAIT_S * (round_number + 1))
        retry, unprocessed = unprocessed, []
        for i in range(0, len(retry), BATCH_SIZE):
            yield from _batch(xray_client, retry[i : i + BATCH_SIZE], unprocessed, stats)
    stats.unprocessed.extend(unprocessed)


def _batch(
    xray_client: Any, ids: list[str], unprocessed: list[str], stats: TraceStats
) -> Iterator[dict[str, Any]]:
    request: dict[str, Any] = {"TraceIds": list(ids)}
    while True:
        response = call(
            xray_client.batch_get_traces,
            request,
            action="read X-Ray traces",
            iam_action="xray:BatchGetTraces",
            on_throttle=stats.count_throttle,
        )
        for trace in response.get("Traces", []):
            stats.traces += 1
            for segment in trace.get("Segments", []):
                stats.segments += 1
                yield {"trace_id": trace["Id"], "segment_id": segment["Id"], "document": segment["Document"]}
        unprocessed.extend(response.get("UnprocessedTraceIds", []))
        token = response.get("NextToken")
        if not token:
            return
        request["NextToken"] = token
