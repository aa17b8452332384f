"""Getting raw log events (docs/schema.md) into DuckDB, through ``collectors.files`` for anything non-canonical.

Canonical files — raw-event JSON lines and Parquet (``collectors.file_formats.FAST_PATH_FORMATS``) — are read by
DuckDB itself: the fast path. A canonical file DuckDB rejects (a truncated line, a wrong type) is re-read by
``collectors.files``, which skips and counts what is unusable and keeps every valid event. Every other format
(CloudWatch API dumps, subscription payloads, exports) is read by ``collectors.files`` too. Python iterables of
raw-event dicts are checked here, row by row. Files holding trace documents are set aside for the trace join.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from collectors import file_formats as ff
from collectors import files
from lamtrace.errors import InputError

RAW_COLUMNS = {
    "log_group": "VARCHAR",
    "log_stream": "VARCHAR",
    "timestamp": "BIGINT",
    "message": "VARCHAR",
    "event_id": "VARCHAR",
    "ingestion_time": "BIGINT",
}
RAW_SCHEMA = pa.schema(
    [(name, pa.int64() if typ == "BIGINT" else pa.string()) for name, typ in RAW_COLUMNS.items()]
)
TRACE_FORMATS = frozenset({ff.TRACES_JSONL, ff.TRACES_PARQUET, ff.BATCH_GET_TRACES_JSON, ff.OTLP_JSON})
BATCH = 50_000


@dataclass
class InputStats:
    """What reading the inputs found; ``as_dict()`` becomes ``Dataset.coverage["files"]``."""

    read: files.ReadStats = field(default_factory=files.ReadStats)  # files read by collectors.files
    files: int = 0
    fast_path_files: int = 0
    reread_files: int = 0  # canonical files DuckDB rejected, read by collectors.files instead
    malformed_events: int = 0  # iterable items without a string message or an integer timestamp
    missing_event_id: int = 0  # iterable items kept with a synthetic id
    replaced_bytes_events: int = 0  # events holding U+FFFD: non-UTF-8 bytes were replaced while reading

    def as_dict(self) -> dict[str, Any]:
        reasons = [f"{f.path}: {r}" for f in self.read.files for r in f.reasons][:10]
        return {
            "files": self.files,
            "fast_path_files": self.fast_path_files,
            "reread_files": self.reread_files,
            "skipped_records": self.read.skipped + self.malformed_events,
            "skip_reasons": reasons,
            "missing_event_id": self.missing_event_id,
            "replaced_bytes_events": self.replaced_bytes_events,
        }


@dataclass
class EventSources:
    """The raw-event inputs of one analysis, staged as the DuckDB view ``raw``."""

    jsonl: list[str] = field(default_factory=list)
    parquet: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    trace_files: list[str] = field(default_factory=list)
    iterables: list[Iterable[Mapping[str, Any]]] = field(default_factory=list)
    stats: InputStats = field(default_factory=InputStats)

    def add(self, spec: Any) -> None:
        """Add a path, glob, directory, ``s3://`` prefix, a list of those, or an iterable of raw-event dicts."""
        if spec is None:
            return
        if isinstance(spec, (str, os.PathLike)) or (
            isinstance(spec, (list, tuple)) and spec and all(isinstance(s, (str, os.PathLike)) for s in spec)
        ):
            for path in files.expand(spec):
                self._add_file(path)
        elif isinstance(spec, Iterable) and not isinstance(spec, (bytes, Mapping)):
            self.iterables.append(spec)
        else:
            raise InputError(
                f"cannot read logs from {type(spec).__name__}: give paths, globs or raw-event dicts"
            )

    def _add_file(self, path: str) -> None:
        fmt = files.detect_format(path)
        self.stats.files += 1
        if fmt == ff.EVENTS_JSONL:
            self.jsonl.append(path)
        elif fmt == ff.EVENTS_PARQUET:
            self.parquet.append(path)
        elif fmt in TRACE_FORMATS:
            self.trace_files.append(path)
        elif fmt not in (ff.EMPTY, ff.IGNORED):
            self.other.append(path)
        self.stats.fast_path_files = len(self.jsonl) + len(self.parquet)

    def stage(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the view ``raw`` over every input (non-canonical inputs go into table ``raw_mem``)."""
        columns = ", ".join(f"{name} {typ}" for name, typ in RAW_COLUMNS.items())
        con.execute(f"CREATE OR REPLACE TABLE raw_mem ({columns})")
        for iterable in self.iterables:
            self._insert(con, (self._clean(e) for e in iterable))
        if self.other:
            self._insert(con, files.iter_log_events(self.other, stats=self.stats.read))
        self.iterables, self.other = [], []
        self._create_view(con)

    def demote_bad_files(self, con: duckdb.DuckDBPyConnection) -> None:
        """After DuckDB rejected the canonical files: find the bad ones and read those with ``collectors.files``."""
        good = []
        for path in self.jsonl:
            try:
                con.execute(f"SELECT count(*) FROM {_read_json([path])}").fetchall()
                good.append(path)
            except duckdb.Error:
                self.stats.reread_files += 1
                self._insert(con, files.iter_log_events(path, stats=self.stats.read))
        self.jsonl = good
        self.stats.fast_path_files = len(self.jsonl) + len(self.parquet)
        self._create_view(con)

    def _create_view(self, con: duckdb.DuckDBPyConnection) -> None:
        names = ", ".join(RAW_COLUMNS)
        parts = [f"SELECT {names} FROM raw_mem"]
        if self.jsonl:
            parts.append(f"SELECT {names} FROM {_read_json(self.jsonl)}")
        if self.parquet:
            parts.append(f"SELECT {names} FROM read_parquet({_list(self.parquet)}, union_by_name = true)")
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS " + " UNION ALL ".join(parts))

    def _insert(self, con: duckdb.DuckDBPyConnection, events: Iterable[dict[str, Any] | None]) -> None:
        batch: list[dict[str, Any]] = []
        for row in events:
            if row is None:
                continue
            if "\ufffd" in row["message"]:
                self.stats.replaced_bytes_events += 1
            batch.append(row)
            if len(batch) >= BATCH:
                _append(con, batch)
                batch = []
        if batch:
            _append(con, batch)

    def _clean(self, event: Any) -> dict[str, Any] | None:
        """An iterable item as a raw event with the contract's types; ``None`` (counted) without message/timestamp."""
        if not isinstance(event, Mapping):
            self.stats.malformed_events += 1
            return None
        message, timestamp = event.get("message"), _as_int(event.get("timestamp"))
        if not isinstance(message, str) or timestamp is None:
            self.stats.malformed_events += 1
            return None
        event_id = event.get("event_id")
        if event_id is None or event_id == "":
            self.stats.missing_event_id += 1  # synthesised in SQL from stream, timestamp and message
        return {
            "log_group": _as_str(event.get("log_group")),
            "log_stream": _as_str(event.get("log_stream")),
            "timestamp": timestamp,
            "message": message,
            "event_id": None if event_id in (None, "") else str(event_id),
            "ingestion_time": _as_int(event.get("ingestion_time")),
        }


def trace_documents(spec: Any, extra_files: list[str]) -> Iterator[dict[str, Any]]:
    """Raw trace documents from a traces spec (paths via ``collectors.files``, or an iterable) and extra files."""
    if extra_files:
        yield from files.iter_trace_documents(extra_files)
    if spec is None:
        return
    if isinstance(spec, (str, os.PathLike)) or (
        isinstance(spec, (list, tuple)) and spec and all(isinstance(s, (str, os.PathLike)) for s in spec)
    ):
        yield from files.iter_trace_documents(spec)
    else:
        yield from spec


def _read_json(paths: list[str]) -> str:
    columns = "{" + ", ".join(f"'{name}': '{typ}'" for name, typ in RAW_COLUMNS.items()) + "}"
    return f"read_json({_list(paths)}, format = 'newline_delimited', columns = {columns})"


def _append(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    con.register("raw_batch", pa.Table.from_pylist(rows, schema=RAW_SCHEMA))
    try:
        con.execute("INSERT INTO raw_mem SELECT * FROM raw_batch")
    finally:
        con.unregister("raw_batch")


def _list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value:
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _as_str(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
