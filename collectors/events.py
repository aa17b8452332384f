"""The raw shapes every collector yields (docs/schema.md), and small pure helpers to build them.

A raw log event is a dict with exactly ``RAW_EVENT_KEYS``; a raw trace document a dict with exactly ``RAW_TRACE_KEYS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

RAW_EVENT_KEYS = ("log_group", "log_stream", "timestamp", "message", "event_id", "ingestion_time")
RAW_TRACE_KEYS = ("trace_id", "segment_id", "document")

SYNTHETIC_ID_PREFIX = "lt-"


def raw_event(
    log_group: str,
    log_stream: str,
    timestamp: int,
    message: str,
    event_id: str,
    ingestion_time: int | None = None,
) -> dict[str, Any]:
    """A raw log event with the contract's keys, in the contract's order."""
    return {
        "log_group": log_group,
        "log_stream": log_stream,
        "timestamp": timestamp,
        "message": message,
        "event_id": event_id,
        "ingestion_time": ingestion_time,
    }


def from_filter_event(event: Mapping[str, Any], log_group: str) -> dict[str, Any]:
    """Turn one FilterLogEvents ``events[]`` item (``logStreamName, timestamp, message, ingestionTime, eventId``)
    into a raw log event of ``log_group``."""
    return raw_event(
        log_group,
        event["logStreamName"],
        int(event["timestamp"]),
        event["message"],
        str(event["eventId"]),
        _int_or_none(event.get("ingestionTime")),
    )


def synthetic_event_id(log_stream: str, timestamp: int, message: str, occurrence: int = 0) -> str:
    """A stable event id for sources that carry none (GetLogEvents output, S3 exports).

    ``lt-`` + the first 40 hex digits of SHA-1 over stream, timestamp, message and ``occurrence`` (0 for the first
    event with this stream/timestamp/message in the source, 1 for the second identical one, ...). Reading the same file
    twice gives the same ids, so a second import deduplicates; the id never equals a real CloudWatch eventId (those
    are all digits).
    """
    digest = hashlib.sha1(f"{log_stream}\x00{timestamp}\x00{occurrence}\x00{message}".encode()).hexdigest()
    return SYNTHETIC_ID_PREFIX + digest[:40]


class OccurrenceCounter:
    """Numbers identical (stream, timestamp, message) events so their synthetic ids stay distinct.

    Only events sharing one timestamp are remembered, so memory stays small on time-ordered input.
    """

    def __init__(self) -> None:
        self._timestamp: int | None = None
        self._seen: dict[tuple[str, str], int] = {}

    def next(self, log_stream: str, timestamp: int, message: str) -> int:
        if timestamp != self._timestamp:
            self._timestamp, self._seen = timestamp, {}
        key = (log_stream, message)
        n = self._seen.get(key, 0)
        self._seen[key] = n + 1
        return n


def is_raw_event(obj: Any) -> bool:
    """True when ``obj`` is a dict with exactly the raw event keys and usable types."""
    return (
        isinstance(obj, dict)
        and len(obj) == len(RAW_EVENT_KEYS)
        and all(k in obj for k in RAW_EVENT_KEYS)
        and isinstance(obj["log_group"], str)
        and isinstance(obj["log_stream"], str)
        and isinstance(obj["timestamp"], int)
        and not isinstance(obj["timestamp"], bool)
        and isinstance(obj["message"], str)
        and isinstance(obj["event_id"], str)
        and (obj["ingestion_time"] is None or isinstance(obj["ingestion_time"], int))
    )


def is_raw_trace(obj: Any) -> bool:
    """True when ``obj`` is a dict with exactly the raw trace document keys, all strings."""
    return (
        isinstance(obj, dict)
        and len(obj) == len(RAW_TRACE_KEYS)
        and all(isinstance(obj.get(k), str) for k in RAW_TRACE_KEYS)
    )


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
