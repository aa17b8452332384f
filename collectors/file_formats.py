"""Recognise an input file's format from its first characters, and turn its records into raw shapes.

Pure: text and parsed JSON in, raw log events / raw trace documents out. Opening files is ``collectors.files``' job.
Every format name here is part of the public API (``collectors.files.detect_format`` returns them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from collectors.events import (
    RAW_EVENT_KEYS,
    RAW_TRACE_KEYS,
    OccurrenceCounter,
    from_filter_event,
    is_raw_event,
    is_raw_trace,
    raw_event,
    synthetic_event_id,
)

# --- format names ----------------------------------------------------------------------------------------------------
EVENTS_JSONL = (
    "lamtrace-events-jsonl"  # raw log events, one JSON object per line, exactly the contract's keys
)
TRACES_JSONL = "lamtrace-traces-jsonl"  # raw trace documents, one per line
EVENTS_PARQUET = "lamtrace-events-parquet"  # the collect store's log files
TRACES_PARQUET = "lamtrace-traces-parquet"  # the collect store's trace files
FILTER_EVENTS_JSONL = (
    "filter-log-events-jsonl"  # FilterLogEvents events[] items, one per line (+ optional logGroupName)
)
FILTER_EVENTS_JSON = "filter-log-events-json"  # `aws logs filter-log-events` output: {"events": [...], ...}
GET_EVENTS_JSONL = "get-log-events-jsonl"  # GetLogEvents events[] items, one per line (no stream, no eventId)
GET_EVENTS_JSON = "get-log-events-json"  # `aws logs get-log-events` output: events without stream or eventId
CLOUDWATCH_EXPORT = "cloudwatch-export"  # CreateExportTask objects: "<ISO time>Z <message>" lines
LOGS_TAIL = "aws-logs-tail"  # `aws logs tail` output: "<ISO time>+00:00 <stream> <message>" lines
SUBSCRIPTION = "subscription"  # subscription-filter payloads as JSON (lines, concatenated, or gzipped)
SUBSCRIPTION_BASE64 = (
    "subscription-base64"  # the same payloads gzipped + base64, one per line (Kinesis records)
)
BATCH_GET_TRACES_JSON = "batch-get-traces-json"  # `aws xray batch-get-traces` output
OTLP_JSON = "otlp-json"  # OTLP/JSON ExportTraceServiceRequest documents (file exporter / collector output)
EMPTY = "empty"  # no content (yields nothing)
IGNORED = "ignored"  # CloudWatch's `aws-logs-write-test` object in an export bucket (yields nothing)

JSON_LINES_FORMATS = frozenset({EVENTS_JSONL, TRACES_JSONL, FILTER_EVENTS_JSONL, GET_EVENTS_JSONL})

#: Formats DuckDB can read directly (read_json / read_parquet) because they already hold the raw shapes.
FAST_PATH_FORMATS = frozenset({EVENTS_JSONL, TRACES_JSONL, EVENTS_PARQUET, TRACES_PARQUET})

LOG_EVENT = "log_event"
TRACE = "trace"

_EXPORT_LINE = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)Z (?P<message>.*)\Z", re.DOTALL
)
_TAIL_LINE = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)\+00:00 (?P<stream>\S+) (?P<message>.*)\Z", re.DOTALL
)
_GZIP_BASE64 = re.compile(r"\s*H4sI[A-Za-z0-9+/=]{8,}")


class Skip(ValueError):
    """One record that cannot be used; counted by the reader, never fatal."""


def detect(head: str) -> str | None:
    """The format of text starting with ``head`` (the first ~64 KB, decompressed), or None when unknown."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if not stripped:
        return EMPTY
    if stripped[0] not in "{[":
        first_lines = stripped.split("\n", 5)[:5]
        if any(_EXPORT_LINE.match(line) for line in first_lines):
            return CLOUDWATCH_EXPORT
        if any(_TAIL_LINE.match(line) for line in first_lines):
            return LOGS_TAIL
    if _GZIP_BASE64.match(stripped):
        return SUBSCRIPTION_BASE64
    if stripped[0] not in "{[":
        return None
    first = _first_json_line(stripped)
    if isinstance(first, dict):
        if set(first) == set(RAW_EVENT_KEYS):
            return EVENTS_JSONL
        if set(first) == set(RAW_TRACE_KEYS):
            return TRACES_JSONL
        if {"logStreamName", "timestamp", "message"} <= set(first):
            return FILTER_EVENTS_JSONL
        if {"timestamp", "message"} <= set(first) and set(first) <= {"timestamp", "message", "ingestionTime"}:
            return GET_EVENTS_JSONL
    return _detect_document(stripped)


def _detect_document(text: str) -> str | None:
    if re.search(r'"messageType"\s*:\s*"(?:DATA|CONTROL)_MESSAGE"', text):
        return SUBSCRIPTION
    if re.search(r'"(?:resourceSpans|resource_spans)"\s*:', text):
        return OTLP_JSON
    if re.search(r'"Traces"\s*:\s*\[', text):
        return BATCH_GET_TRACES_JSON
    events = re.search(r'"events"\s*:\s*\[', text)
    if events or text[0] == "[":
        if '"logStreamName"' in text or '"searchedLogStreams"' in text:
            return FILTER_EVENTS_JSON
        if events and re.search(r'"(?:nextForwardToken|nextBackwardToken|ingestionTime)"', text):
            return GET_EVENTS_JSON
    return None


def _first_json_line(text: str) -> Any:
    line = text.split("\n", 1)[0]
    try:
        return json.loads(line)
    except ValueError:
        return None


# --- converters: one parsed record in, raw shapes out (raise Skip for unusable records) ------------------------------


def canonical_event(obj: Any) -> dict[str, Any]:
    if not is_raw_event(obj):
        raise Skip("not a raw log event (keys or types differ from docs/schema.md)")
    return obj


def canonical_trace(obj: Any) -> dict[str, Any]:
    if not is_raw_trace(obj):
        raise Skip("not a raw trace document (keys or types differ from docs/schema.md)")
    return obj


def filter_event(obj: Any, default_group: str) -> dict[str, Any]:
    """A FilterLogEvents item; its own ``logGroupName`` wins over ``default_group``."""
    try:
        group = obj.get("logGroupName") or default_group
        if "eventId" not in obj:
            raise Skip("FilterLogEvents event without eventId")
        return from_filter_event(obj, group)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Skip(f"not a FilterLogEvents event ({exc.__class__.__name__}: {exc})") from None


def get_event(obj: Any, group: str, stream: str, occurrences: OccurrenceCounter) -> dict[str, Any]:
    """A GetLogEvents item (no stream, no eventId): the stream is given, the id synthesised."""
    try:
        ts, message = int(obj["timestamp"]), obj["message"]
        if not isinstance(message, str):
            raise TypeError("message is not a string")
        ingestion = obj.get("ingestionTime")
        event_id = synthetic_event_id(stream, ts, message, occurrences.next(stream, ts, message))
        return raw_event(group, stream, ts, message, event_id, None if ingestion is None else int(ingestion))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Skip(f"not a GetLogEvents event ({exc.__class__.__name__}: {exc})") from None


def subscription_events(payload: Any) -> Iterator[dict[str, Any]]:
    """The raw events of one subscription-filter payload; CONTROL_MESSAGE payloads hold none."""
    if not isinstance(payload, dict) or "messageType" not in payload:
        raise Skip("not a subscription payload")
    if payload["messageType"] != "DATA_MESSAGE":
        return
    try:
        group, stream = payload["logGroup"], payload["logStream"]
        events = [
            raw_event(group, stream, int(e["timestamp"]), e["message"], str(e["id"]), None)
            for e in payload["logEvents"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise Skip(f"subscription payload without {exc}") from None
    yield from events


def batch_trace_documents(trace: Any) -> Iterator[dict[str, Any]]:
    """The raw trace documents of one BatchGetTraces ``Traces[]`` item."""
    try:
        trace_id = trace["Id"]
        docs = [
            {
                "trace_id": trace_id,
                "segment_id": seg["Id"],
                "document": seg["Document"]
                if isinstance(seg["Document"], str)
                else json.dumps(seg["Document"]),
            }
            for seg in trace["Segments"]
        ]
    except (KeyError, TypeError) as exc:
        raise Skip(f"BatchGetTraces trace without {exc}") from None
    yield from docs


class ExportLines:
    """Assemble time-prefixed text lines into events: a line with the prefix starts an event, a line without
    continues the previous event's message.

    CloudWatch export lines are ``<ISO ms>Z <message>``; with ``with_stream`` (``aws logs tail`` output) they are
    ``<ISO µs>+00:00 <stream> <message>`` and the stream comes from each line.
    """

    def __init__(self, group: str, stream: str, with_stream: bool = False) -> None:
        self.group, self.stream = group, stream
        self._pattern = _TAIL_LINE if with_stream else _EXPORT_LINE
        self._occurrences = OccurrenceCounter()
        self._ts: int | None = None
        self._event_stream = stream
        self._parts: list[str] = []
        self.orphan_lines = 0  # continuation lines before any timestamped line

    def feed(self, line: str) -> dict[str, Any] | None:
        """Add one physical line (without its newline); returns the previous event once it is complete."""
        match = self._pattern.match(line)
        if not match:
            if self._ts is None:
                self.orphan_lines += 1
            else:
                self._parts.append(line)
            return None
        done = self.finish()
        self._ts, self._parts = iso_to_ms(match.group(1)), [match.group("message")]
        self._event_stream = match.group("stream") if self._pattern is _TAIL_LINE else self.stream
        return done

    def finish(self) -> dict[str, Any] | None:
        """The last pending event, if any."""
        if self._ts is None:
            return None
        message, ts, stream = "\n".join(self._parts), self._ts, self._event_stream
        self._ts, self._parts = None, []
        event_id = synthetic_event_id(stream, ts, message, self._occurrences.next(stream, ts, message))
        return raw_event(self.group, stream, ts, message, event_id, None)


def iso_to_ms(text: str) -> int:
    """``2020-09-08T04:00:24.123`` (UTC, no zone) → epoch milliseconds."""
    days = _days_from_civil(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    seconds = days * 86400 + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
    return seconds * 1000 + int((text[20:] + "000")[:3])


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; no datetime objects per line)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
