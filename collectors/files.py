"""Read exported and local telemetry files as raw log events and raw trace documents.

One entry point, ``read(paths)``, takes files, directories (recursive), globs and ``s3://bucket/prefix`` URLs, detects
each file's format (``detect_format``; names in ``collectors.file_formats``), decompresses gzip transparently and
streams: memory is bounded by the largest single record, not by the file. Unusable records are counted in a
``ReadStats`` (never fatal); a file whose format is unknown raises ``InputError`` naming it.

Example::

    stats = ReadStats()
    for kind, record in read(["exports/", "traces.json.gz"], stats=stats):
        ...  # kind is "log_event" or "trace"
    print(stats.events, stats.skipped)
"""

from __future__ import annotations

import base64
import binascii
import glob
import gzip
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from collectors import file_formats as ff
from collectors.events import OccurrenceCounter
from collectors.jsonstream import MalformedJSON, iter_items
from collectors.otlp import resource_spans_documents
from lamtrace.errors import InputError

LOG_EVENT, TRACE = ff.LOG_EVENT, ff.TRACE
FAST_PATH_FORMATS = ff.FAST_PATH_FORMATS
_HEAD_CHARS = 64 * 1024
_TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MAX_REASONS = 5

__all__ = [
    "FAST_PATH_FORMATS",
    "LOG_EVENT",
    "TRACE",
    "FileStats",
    "ReadStats",
    "detect_format",
    "expand",
    "iter_log_events",
    "iter_trace_documents",
    "read",
]


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


@dataclass
class ReadStats:
    """Counts over every file read; pass one to ``read`` and inspect it afterwards."""

    files: list[FileStats] = field(default_factory=list)

    @property
    def events(self) -> int:
        return sum(f.events for f in self.files)

    @property
    def traces(self) -> int:
        return sum(f.traces for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)


def expand(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], s3_client: Any = None
) -> list[str]:
    """Files named by paths, directories (recursively, hidden entries skipped), globs and ``s3://`` prefixes."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    found: list[str] = []
    for item in map(str, paths):
        if item.startswith("s3://"):
            found.extend(_s3_list(item, s3_client))
        elif os.path.isdir(item):
            for root, dirs, files in os.walk(item):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(os.path.join(root, f) for f in sorted(files) if not f.startswith("."))
        elif os.path.exists(item):
            found.append(item)
        elif glob.has_magic(item):
            matches = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
            if not matches:
                raise InputError(f"no files match {item}")
            found.extend(matches)
        else:
            raise InputError(f"no such file or directory: {item}")
    return found


def detect_format(path: str | os.PathLike[str], s3_client: Any = None) -> str:
    """The format name of one file (see ``collectors.file_formats``); raises InputError when unknown."""
    path = str(path)
    if os.path.basename(path) == "aws-logs-write-test":
        return ff.IGNORED
    with _open_binary(path, s3_client) as raw:
        if raw.peek(4)[:4] == b"PAR1":
            return _parquet_format(path)
        fmt = ff.detect(_head(_text(raw)))
    if fmt is None:
        raise InputError(
            f"{path}: unknown file format (see docs/collectors.md for the formats lamtrace reads)"
        )
    return fmt


def read(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    log_group: str | None = None,
    log_stream: str | None = None,
    stats: ReadStats | None = None,
    s3_client: Any = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(kind, record)`` for every record in ``paths``: kind ``"log_event"`` with a raw log event, or
    ``"trace"`` with a raw trace document (docs/schema.md).

    ``log_group`` / ``log_stream`` fill in what a format does not carry (FilterLogEvents output has no group,
    GetLogEvents output no stream, exports no group); without them the group is taken from the path and the stream
    from the file name — see docs/collectors.md.
    """
    stats = stats if stats is not None else ReadStats()
    for path in expand(paths, s3_client):
        fmt = detect_format(path, s3_client)
        file_stats = FileStats(path, fmt)
        stats.files.append(file_stats)
        try:
            for kind, record in _read_one(path, fmt, log_group, log_stream, file_stats, s3_client):
                if kind == LOG_EVENT:
                    file_stats.events += 1
                else:
                    file_stats.traces += 1
                yield kind, record
        except (EOFError, gzip.BadGzipFile) as exc:  # a truncated or corrupt gzip stream
            file_stats.skip(f"compressed data ends early or is corrupt, rest of file not read: {exc}")


def iter_log_events(paths: Any, **options: Any) -> Iterator[dict[str, Any]]:
    """Only the raw log events of ``read(paths, **options)``."""
    return (record for kind, record in read(paths, **options) if kind == LOG_EVENT)


def iter_trace_documents(paths: Any, **options: Any) -> Iterator[dict[str, Any]]:
    """Only the raw trace documents of ``read(paths, **options)``."""
    return (record for kind, record in read(paths, **options) if kind == TRACE)


# --- per-format readers ------------------------------------------------------------------------------------------------


def _read_one(
    path: str, fmt: str, group: str | None, stream: str | None, stats: FileStats, s3_client: Any
) -> Iterator[tuple[str, dict[str, Any]]]:
    if fmt in (ff.EMPTY, ff.IGNORED):
        return
    if fmt in (ff.EVENTS_PARQUET, ff.TRACES_PARQUET):
        from collectors.store import iter_parquet_file

        kind = LOG_EVENT if fmt == ff.EVENTS_PARQUET else TRACE
        yield from ((kind, r) for r in iter_parquet_file(path))
        return
    with _open_binary(path, s3_client) as raw:
        text = _text(raw)
        if fmt == ff.CLOUDWATCH_EXPORT:
            yield from _read_export(text, path, group, stream, stats)
        elif fmt == ff.SUBSCRIPTION_BASE64:
            yield from _read_base64_payloads(text, stats)
        elif fmt in (ff.EVENTS_JSONL, ff.TRACES_JSONL, ff.FILTER_EVENTS_JSONL):
            yield from _read_json_lines(text, fmt, group or _default_group(path), stats)
        else:
            yield from _read_documents(text, fmt, group or _default_group(path), stream or _stem(path), stats)


def _read_json_lines(
    text: IO[str], fmt: str, group: str, stats: FileStats
) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(_lines(text), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if fmt == ff.EVENTS_JSONL:
                yield LOG_EVENT, ff.canonical_event(obj)
            elif fmt == ff.TRACES_JSONL:
                yield TRACE, ff.canonical_trace(obj)
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


def _read_documents(
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


def _read_base64_payloads(text: IO[str], stats: FileStats) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(_lines(text), 1):
        if not line.strip():
            continue
        try:
            payload = json.loads(gzip.decompress(base64.b64decode(line.strip(), validate=True)))
            yield from ((LOG_EVENT, e) for e in ff.subscription_events(payload))
        except (ValueError, OSError, EOFError, binascii.Error, ff.Skip) as exc:
            stats.skip(f"line {number}: not a gzip+base64 subscription payload ({exc})")


def _read_export(
    text: IO[str], path: str, group: str | None, stream: str | None, stats: FileStats
) -> Iterator[tuple[str, dict[str, Any]]]:
    default_group, default_stream = export_location(path)
    lines = ff.ExportLines(group or default_group, stream or default_stream)
    for line in _lines(text):
        if (event := lines.feed(line)) is not None:
            yield LOG_EVENT, event
    if (event := lines.finish()) is not None:
        yield LOG_EVENT, event
    if lines.orphan_lines:
        stats.skip("continuation lines before the first timestamped line", lines.orphan_lines)


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


# --- I/O helpers -------------------------------------------------------------------------------------------------------


def _lines(text: IO[str]) -> Iterator[str]:
    """Physical lines split on ``\\n`` only (``\\r`` stays inside messages), without the newline."""
    for line in text:
        yield line[:-1] if line.endswith("\n") else line


def _stem(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".gz", ".json", ".jsonl", ".ndjson", ".txt", ".log"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _default_group(path: str) -> str:
    return _stem(path)


def _open_binary(path: str, s3_client: Any) -> io.BufferedReader:
    if path.startswith("s3://"):
        from collectors.s3 import open_object

        return open_object(path, s3_client)
    try:
        return open(path, "rb")  # noqa: SIM115 - returned to the caller's `with`
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from None


def _head(text: IO[str]) -> str:
    """The first ``_HEAD_CHARS`` characters, or as many as a truncated gzip stream gives."""
    parts: list[str] = []
    size = 0
    try:
        while size < _HEAD_CHARS and (part := text.read(4096)):
            parts.append(part)
            size += len(part)
    except (EOFError, gzip.BadGzipFile):
        pass
    return "".join(parts)


def _text(raw: io.BufferedReader) -> IO[str]:
    stream: IO[bytes] = raw
    if raw.peek(2)[:2] == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="\n")


def _parquet_format(path: str) -> str:
    from collectors.store import parquet_kind

    kind = parquet_kind(path)
    if kind is None:
        raise InputError(f"{path}: a Parquet file without the raw log event or raw trace columns")
    return ff.EVENTS_PARQUET if kind == LOG_EVENT else ff.TRACES_PARQUET


def _s3_list(url: str, s3_client: Any) -> list[str]:
    from collectors.s3 import list_objects

    return list_objects(url, s3_client)
