"""Per-format record streams: an open text stream of one file in, ``(kind, record)`` pairs out.

No file opening here (``collectors.files`` does that); unusable records are counted in the ``FileStats`` passed in.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from collectors import file_formats as ff
from collectors.events import OccurrenceCounter
from collectors.jsonstream import MalformedJSON, iter_items
from collectors.otlp import resource_spans_documents

LOG_EVENT, TRACE = ff.LOG_EVENT, ff.TRACE
_TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MAX_REASONS = 5


@dataclass
class FileStats:
    """What one file held: its format, records yielded, records skipped and the first few reasons."""

    path: str
    format: str
    events: int = 0
    traces: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped += count
        if len(self.reasons) < _MAX_REASONS:
            self.reasons.append(reason)


def read_json_lines(
    text: IO[str], fmt: str, group: str, stream: str, stats: FileStats
) -> Iterator[tuple[str, dict[str, Any]]]:
    """One record per line: canonical events or traces, FilterLogEvents or GetLogEvents items."""
    occurrences = OccurrenceCounter()
    for number, line in enumerate(lines(text), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if fmt == ff.EVENTS_JSONL:
                yield LOG_EVENT, ff.canonical_event(obj)
            elif fmt == ff.TRACES_JSONL:
                yield TRACE, ff.canonical_trace(obj)
            elif fmt == ff.GET_EVENTS_JSONL:
                yield LOG_EVENT, ff.get_event(obj, group, stream, occurrences)
            else:
                yield LOG_EVENT, ff.filter_event(obj, group)
        except (ValueError, ff.Skip) as exc:  # json.JSONDecodeError is a ValueError
            stats.skip(f"line {number}: {exc}")


_ARRAY_KEYS = {
    ff.FILTER_EVENTS_JSON: frozenset({"events"}),
    ff.GET_EVENTS_JSON: frozenset({"events"}),
    ff.BATCH_GET_TRACES_JSON: frozenset({"Traces"}),
    ff.OTLP_JSON: frozenset({"resourceSpans", "resource_spans"}),
    ff.SUBSCRIPTION: frozenset(),
}


def read_documents(
    text: IO[str], fmt: str, group: str, stream: str, stats: FileStats
) -> Iterator[tuple[str, dict[str, Any]]]:
    occurrences = OccurrenceCounter()
    items = iter_items(text, _ARRAY_KEYS[fmt])
    try:
        for key, value in items:
            try:
                if fmt == ff.SUBSCRIPTION:
                    yield from ((LOG_EVENT, e) for e in ff.subscription_events(value))
                elif key is None and fmt not in (ff.FILTER_EVENTS_JSON,):
                    continue  # a stray top-level value (e.g. `aws lambda invoke` output before the events)
                elif fmt == ff.FILTER_EVENTS_JSON and key in ("events", None):
                    yield LOG_EVENT, ff.filter_event(value, group)
                elif fmt == ff.GET_EVENTS_JSON and key == "events":
                    yield LOG_EVENT, ff.get_event(value, group, stream, occurrences)
                elif fmt == ff.BATCH_GET_TRACES_JSON and key == "Traces":
                    yield from ((TRACE, d) for d in ff.batch_trace_documents(value))
                elif fmt == ff.OTLP_JSON and key in ("resourceSpans", "resource_spans"):
                    yield from ((TRACE, d) for d in _otlp_documents(value))
            except ff.Skip as exc:
                stats.skip(str(exc))
    except MalformedJSON as exc:
        stats.skip(f"invalid JSON, rest of file not read: {exc}")


def _otlp_documents(value: Any) -> list[dict[str, Any]]:
    try:
        return list(resource_spans_documents(value))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ff.Skip(f"malformed OTLP resourceSpans ({exc.__class__.__name__}: {exc})") from None


def read_base64_payloads(text: IO[str], stats: FileStats) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(lines(text), 1):
        if not line.strip():
            continue
        try:
            payload = json.loads(gzip.decompress(base64.b64decode(line.strip(), validate=True)))
            yield from ((LOG_EVENT, e) for e in ff.subscription_events(payload))
        except (ValueError, OSError, EOFError, binascii.Error, ff.Skip) as exc:
            stats.skip(f"line {number}: not a gzip+base64 subscription payload ({exc})")


def read_export(
    text: IO[str], path: str, group: str | None, stream: str | None, stats: FileStats
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A CloudWatch export object: group and stream from the key path unless given."""
    default_group, default_stream = export_location(path)
    yield from _assemble(text, ff.ExportLines(group or default_group, stream or default_stream), stats)


def read_tail(text: IO[str], group: str, stats: FileStats) -> Iterator[tuple[str, dict[str, Any]]]:
    """``aws logs tail`` output: the stream is on every line, the group is given."""
    yield from _assemble(text, ff.ExportLines(group, "", with_stream=True), stats)


def _assemble(
    text: IO[str], assembler: ff.ExportLines, stats: FileStats
) -> Iterator[tuple[str, dict[str, Any]]]:
    for line in lines(text):
        if (event := assembler.feed(line)) is not None:
            yield LOG_EVENT, event
    if (event := assembler.finish()) is not None:
        yield LOG_EVENT, event
    if assembler.orphan_lines:
        stats.skip("continuation lines before the first timestamped line", assembler.orphan_lines)


def export_location(path: str) -> tuple[str, str]:
    """(log group, log stream) from an export object's key ``<prefix>/<task id>/<stream…>/000000.gz``.

    The stream is everything between the task id and the file name (Lambda stream names contain ``/``); the group
    is the path part just before the task id (the export prefix). Without a task id: the parent folder is the
    stream and the one above it the group.
    """
    parts = path.replace("\\", "/").split("/")[:-1]
    for i, part in enumerate(parts):
        if _TASK_ID.match(part) and i + 1 < len(parts):
            group = parts[i - 1] if i > 0 else ""
            return group, "/".join(parts[i + 1 :])
    stream = parts[-1] if parts else ""
    group = parts[-2] if len(parts) > 1 else ""
    return group, stream


def lines(text: IO[str]) -> Iterator[str]:
    """Physical lines split on ``\\n`` only (``\\r`` stays inside messages), without the newline."""
    for line in text:
        yield line[:-1] if line.endswith("\n") else line
