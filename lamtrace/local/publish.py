"""Send a ``lamtrace local`` output directory to CloudWatch Logs and X-Ray (a real account, or a local endpoint).

``publish(out_dir, logs_client=..., xray_client=...)`` creates the log groups and streams, uploads the events with
PutLogEvents (per stream, in time order, in batches within the API limits: 10,000 events, 1,048,576 bytes counting
26 bytes of overhead per event, 24 hours) and the trace documents with PutTraceSegments (50 per call). The clients
are boto3 clients the caller makes, so the usual settings apply (profile, region, ``AWS_ENDPOINT_URL``).

This lets the whole pipeline run against the AWS APIs: ``lamtrace local run`` → ``publish`` → ``lamtrace collect``.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamtrace.errors import InputError

MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26
MAX_BATCH_SPAN_MS = 24 * 3600 * 1000
MAX_SEGMENTS_PER_CALL = 50


@dataclass
class PublishStats:
    """What was sent, and what the APIs rejected."""

    log_groups: int = 0
    log_streams: int = 0
    events: int = 0
    put_log_events_calls: int = 0
    rejected_events: int = 0
    documents: int = 0
    unprocessed_documents: int = 0


def _rows(directory: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    yield json.loads(line)
                except ValueError:
                    raise InputError(f"{path}:{number}: not a JSON line") from None


def log_batches(events: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Split one stream's events (sorted by time) into PutLogEvents batches within the API limits."""
    batch: list[dict[str, Any]] = []
    size = 0
    for event in events:
        event_size = len(event["message"].encode("utf-8")) + EVENT_OVERHEAD_BYTES
        if batch and (
            len(batch) >= MAX_BATCH_EVENTS
            or size + event_size > MAX_BATCH_BYTES
            or event["timestamp"] - batch[0]["timestamp"] >= MAX_BATCH_SPAN_MS
        ):
            yield batch
            batch, size = [], 0
        batch.append(event)
        size += event_size
    if batch:
        yield batch


def publish(out_dir: str | Path, *, logs_client: Any = None, xray_client: Any = None) -> PublishStats:
    """Upload ``out_dir/logs`` with ``logs_client`` and ``out_dir/traces`` with ``xray_client`` (either may be None)."""
    out = Path(out_dir)
    if not (out / "logs").is_dir() and not (out / "traces").is_dir():
        raise InputError(f"{out} holds no logs/ or traces/ folder (a `lamtrace local` output directory)")
    stats = PublishStats()
    if logs_client is not None and (out / "logs").is_dir():
        _publish_logs(out / "logs", logs_client, stats)
    if xray_client is not None and (out / "traces").is_dir():
        _publish_traces(out / "traces", xray_client, stats)
    return stats


def _publish_logs(directory: Path, client: Any, stats: PublishStats) -> None:
    streams: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(directory):
        streams[(row["log_group"], row["log_stream"])].append(
            {"timestamp": row["timestamp"], "message": row["message"]}
        )
    groups = sorted({group for group, _ in streams})
    for group in groups:
        with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
            client.create_log_group(logGroupName=group)
    stats.log_groups = len(groups)
    for (group, stream), events in sorted(streams.items()):
        with contextlib.suppress(client.exceptions.ResourceAlreadyExistsException):
            client.create_log_stream(logGroupName=group, logStreamName=stream)
        stats.log_streams += 1
        events.sort(key=lambda event: event["timestamp"])
        for batch in log_batches(events):
            answer = client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            stats.put_log_events_calls += 1
            rejected = answer.get("rejectedLogEventsInfo") or {}
            bad = _rejected_count(rejected, len(batch))
            stats.rejected_events += bad
            stats.events += len(batch) - bad


def _rejected_count(info: dict[str, int], batch_size: int) -> int:
    """How many events of a batch PutLogEvents refused, from its ``rejectedLogEventsInfo`` indexes."""
    rejected = set()
    if "tooOldLogEventEndIndex" in info:
        rejected.update(range(0, info["tooOldLogEventEndIndex"]))
    if "expiredLogEventEndIndex" in info:
        rejected.update(range(0, info["expiredLogEventEndIndex"]))
    if "tooNewLogEventStartIndex" in info:
        rejected.update(range(info["tooNewLogEventStartIndex"], batch_size))
    return len(rejected)


def _publish_traces(directory: Path, client: Any, stats: PublishStats) -> None:
    documents = [row["document"] for row in _rows(directory)]
    for start in range(0, len(documents), MAX_SEGMENTS_PER_CALL):
        chunk = documents[start : start + MAX_SEGMENTS_PER_CALL]
        answer = client.put_trace_segments(TraceSegmentDocuments=chunk)
        unprocessed = len(answer.get("UnprocessedTraceSegments") or [])
        stats.unprocessed_documents += unprocessed
        stats.documents += len(chunk) - unprocessed
