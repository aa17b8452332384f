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

import glob
import gzip
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from collectors import file_formats as ff
from collectors import file_readers
from collectors.file_readers import FileStats
from lamtrace.errors import InputError

LOG_EVENT, TRACE = ff.LOG_EVENT, ff.TRACE
FAST_PATH_FORMATS = ff.FAST_PATH_FORMATS
_HEAD_CHARS = 64 * 1024

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
        if fmt == ff.LOGS_TAIL:
            yield from file_readers.read_tail(text, group or _stem(path), stats)
        elif fmt == ff.CLOUDWATCH_EXPORT:
            yield from file_readers.read_export(text, path, group, stream, stats)
        elif fmt == ff.SUBSCRIPTION_BASE64:
            yield from file_readers.read_base64_payloads(text, stats)
        elif fmt in ff.JSON_LINES_FORMATS:
            yield from file_readers.read_json_lines(
                text, fmt, group or _stem(path), stream or _stem(path), stats
            )
        else:
            yield from file_readers.read_documents(
                text, fmt, group or _stem(path), stream or _stem(path), stats
            )


# --- I/O helpers -------------------------------------------------------------------------------------------------------


def _stem(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".gz", ".json", ".jsonl", ".ndjson", ".txt", ".log"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


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
