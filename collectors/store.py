"""The collect store: raw log events and raw trace documents as Parquet files in one directory.

Layout (each file holds the full raw columns, so any single file is self-describing)::

    DIR/logs/group=<url-quoted log group>/date=<YYYY-MM-DD>/part-<time>-<id>.parquet
         columns: log_group, log_stream, timestamp (int64 ms), message, event_id, ingestion_time (int64, null)
    DIR/traces/date=<YYYY-MM-DD of the trace id>/part-<time>-<id>.parquet
         columns: trace_id, segment_id, document

Writing into an existing store appends new part files and skips events whose ``event_id`` (per log group) or
segments whose ``(trace_id, segment_id)`` are already stored, so collecting the same window twice adds nothing.
Files appear atomically (written under a hidden name, then renamed).

DuckDB reads the store directly::

    SELECT * FROM read_parquet('DIR/logs/**/*.parquet', hive_partitioning = true)  -- adds `group`, `date` columns
"""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from collectors.events import RAW_EVENT_KEYS, RAW_TRACE_KEYS
from lamtrace.errors import InputError, MissingExtraError

LOGS_DIR, TRACES_DIR = "logs", "traces"
DEFAULT_FLUSH_ROWS = 50_000


def require_pyarrow() -> None:
    """Raise ``MissingExtraError`` now if pyarrow (the ``analysis`` extra) is not installed."""
    _pa()


def _pa() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MissingExtraError("analysis", "pyarrow") from None
    return pyarrow


def event_schema() -> Any:
    pa = _pa()
    return pa.schema(
        [
            ("log_group", pa.string()),
            ("log_stream", pa.string()),
            ("timestamp", pa.int64()),
            ("message", pa.string()),
            ("event_id", pa.string()),
            ("ingestion_time", pa.int64()),
        ]
    )


def trace_schema() -> Any:
    pa = _pa()
    return pa.schema([("trace_id", pa.string()), ("segment_id", pa.string()), ("document", pa.string())])


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def _trace_day(trace_id: str) -> str:
    try:
        return _day(int(trace_id.split("-")[1], 16) * 1000)
    except (IndexError, ValueError):
        return "unknown"


class StoreWriter:
    """Buffers raw events and trace documents and writes them into a store directory without duplicates.

    Use as a context manager (it flushes on exit, also when the block raises); ``on_flush`` is called after every
    flush, once everything added so far is on disk (the checkpoint of a pull is saved there).
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        flush_rows: int = DEFAULT_FLUSH_ROWS,
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        self.directory = str(directory)
        self.flush_rows, self.on_flush = flush_rows, on_flush
        self._events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._traces: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self._known: dict[str, set[str]] = {}
        self._buffered = 0
        self.events_written = self.traces_written = self.duplicates = 0

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        # Also on an error or Ctrl-C: what was received is kept (a resumed pull's dedupe makes that safe).
        try:
            self.close()
        except Exception:
            if exc_type is None:
                raise

    def add_event(self, event: dict[str, Any]) -> None:
        partition = os.path.join(
            LOGS_DIR, "group=" + quote(event["log_group"], safe=""), "date=" + _day(event["timestamp"])
        )
        self._events[partition].append(event)
        self._count_one()

    def add_trace(self, document: dict[str, Any]) -> None:
        partition = os.path.join(TRACES_DIR, "date=" + _trace_day(document["trace_id"]))
        self._traces[partition].append(document)
        self._count_one()

    def _count_one(self) -> None:
        self._buffered += 1
        if self._buffered >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        """Write everything buffered, skipping what the store already holds."""
        for partition, rows in self._events.items():
            self.events_written += self._write(partition, rows, event_schema(), lambda r: r["event_id"])
        for partition, rows in self._traces.items():
            key = _trace_key
            self.traces_written += self._write(partition, rows, trace_schema(), key)
        self._events.clear()
        self._traces.clear()
        self._buffered = 0
        if self.on_flush:
            self.on_flush()

    def close(self) -> None:
        self.flush()

    def _write(
        self, partition: str, rows: list[dict[str, Any]], schema: Any, key: Callable[[Any], str]
    ) -> int:
        known = self._known_keys(partition, key)
        fresh = []
        for row in rows:
            k = key(row)
            if k in known:
                self.duplicates += 1
                continue
            known.add(k)
            fresh.append(row)
        if not fresh:
            return 0
        if "timestamp" in schema.names:
            fresh.sort(key=lambda r: r["timestamp"])
        pa = _pa()
        table = pa.Table.from_pylist(fresh, schema=schema)
        folder = os.path.join(self.directory, partition)
        os.makedirs(folder, exist_ok=True)
        name = f"part-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:12]}.parquet"
        tmp = os.path.join(folder, "." + name + ".tmp")
        pa.parquet.write_table(table, tmp, compression="zstd")
        os.replace(tmp, os.path.join(folder, name))
        return len(fresh)

    def _known_keys(self, partition: str, key: Callable[[Any], str]) -> set[str]:
        if partition not in self._known:
            known: set[str] = set()
            folder = os.path.join(self.directory, partition)
            columns = ["event_id"] if partition.startswith(LOGS_DIR) else ["trace_id", "segment_id"]
            for path in _parquet_files(folder):
                for row in _pa().parquet.read_table(path, columns=columns).to_pylist():
                    known.add(key(row))
            self._known[partition] = known
        return self._known[partition]


def _trace_key(row: dict[str, Any]) -> str:
    return f"{row['trace_id']}/{row['segment_id']}"


def _parquet_files(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            os.path.join(root, f) for f in sorted(files) if f.endswith(".parquet") and not f.startswith(".")
        )
    return found


def log_files(directory: str | os.PathLike[str], groups: Iterable[str] | None = None) -> list[str]:
    """The Parquet files holding raw log events in a store (only those of ``groups`` when given)."""
    base = os.path.join(str(directory), LOGS_DIR)
    if groups is None:
        return _parquet_files(base)
    return [path for g in groups for path in _parquet_files(os.path.join(base, "group=" + quote(g, safe="")))]


def trace_files(directory: str | os.PathLike[str]) -> list[str]:
    """The Parquet files holding raw trace documents in a store."""
    return _parquet_files(os.path.join(str(directory), TRACES_DIR))


def is_store(directory: str | os.PathLike[str]) -> bool:
    """True when ``directory`` looks like a collect store (has a ``logs/`` or ``traces/`` folder)."""
    return any(os.path.isdir(os.path.join(str(directory), d)) for d in (LOGS_DIR, TRACES_DIR))


def read_log_events(directory: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Stream the raw log events of a store (file by file, in batches)."""
    _require_store(directory)
    for path in log_files(directory):
        yield from iter_parquet_file(path)


def read_trace_documents(directory: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Stream the raw trace documents of a store."""
    _require_store(directory)
    for path in trace_files(directory):
        yield from iter_parquet_file(path)


def _require_store(directory: str | os.PathLike[str]) -> None:
    if not is_store(directory):
        raise InputError(f"{directory}: not a lamtrace collect store (no logs/ or traces/ folder)")


def iter_parquet_file(path: str, batch_rows: int = 10_000) -> Iterator[dict[str, Any]]:
    """Rows of one store file as raw dicts (only the contract's columns), batch by batch."""
    kind = parquet_kind(path)
    columns = list(RAW_EVENT_KEYS if kind == "log_event" else RAW_TRACE_KEYS)
    parquet = _pa().parquet.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
        yield from batch.to_pylist()


def parquet_kind(path: str) -> str | None:
    """``"log_event"`` or ``"trace"`` from a Parquet file's columns; None when it holds neither."""
    names = set(_pa().parquet.read_schema(path).names)
    if set(RAW_EVENT_KEYS) <= names:
        return "log_event"
    if set(RAW_TRACE_KEYS) <= names:
        return "trace"
    return None


def write(directory: str | os.PathLike[str], records: Iterable[tuple[str, dict[str, Any]]]) -> StoreWriter:
    """Write ``(kind, record)`` pairs (as ``collectors.files.read`` yields them) into a store; returns the writer's
    counts."""
    with StoreWriter(directory) as writer:
        for kind, record in records:
            (writer.add_event if kind == "log_event" else writer.add_trace)(record)
    return writer
