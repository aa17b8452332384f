"""Getting raw log events (docs/schema.md) into DuckDB: canonical JSON-lines and Parquet files, and Python iterables.

Clean files are read by DuckDB itself (the fast path). A file DuckDB rejects — truncated JSON, non-UTF-8 bytes,
a wrong type — is re-read line by line here, counting what is wrong and keeping every valid event.

Other file formats (CloudWatch API dumps, subscription payloads, exports) are the job of ``collectors.files``;
once that lands its iterators feed :meth:`EventSources.add_events`.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

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
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
BATCH = 50_000


@dataclass
class FileStats:
    """What reading the input files found; becomes part of ``Dataset.coverage``."""

    files: int = 0
    files_reread: int = 0  # rejected by the fast reader, read line by line
    lines_reread: int = 0
    malformed_lines: int = 0  # not a JSON object, or without message / timestamp
    non_utf8_lines: int = 0  # kept, with undecodable bytes replaced by U+FFFD
    missing_event_id: int = 0  # kept, given a synthetic id

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class EventSources:
    """The raw-event inputs of one analysis, staged as the DuckDB view ``raw``."""

    jsonl: list[str] = field(default_factory=list)
    parquet: list[str] = field(default_factory=list)
    iterables: list[Iterable[Mapping[str, Any]]] = field(default_factory=list)
    stats: FileStats = field(default_factory=FileStats)

    def add(self, spec: Any) -> None:
        """Add a path, glob, directory, a list of those, or an iterable of raw-event dicts."""
        if spec is None:
            return
        if isinstance(spec, (str, os.PathLike)):
            for path in expand_paths(spec):
                self._add_file(path)
        elif isinstance(spec, (list, tuple)) and all(isinstance(s, (str, os.PathLike)) for s in spec):
            for item in spec:
                self.add(item)
        elif isinstance(spec, Iterable):
            self.iterables.append(spec)
        else:
            raise InputError(
                f"cannot read logs from {type(spec).__name__}: give paths, globs or raw-event dicts"
            )

    def _add_file(self, path: str) -> None:
        self.stats.files += 1
        if path.endswith(PARQUET_SUFFIXES):
            self.parquet.append(path)
        else:
            self.jsonl.append(path)

    def stage(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create the view ``raw`` over every input (iterables and re-read files go into table ``raw_mem``)."""
        columns = ", ".join(f"{name} {typ}" for name, typ in RAW_COLUMNS.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_mem ({columns})")
        for iterable in self.iterables:
            self._insert(con, iterable)
        self.iterables = []
        self._create_view(con)

    def demote_bad_files(self, con: duckdb.DuckDBPyConnection) -> None:
        """After the fast reader failed: find the files it rejects and read those line by line instead."""
        good = []
        for path in self.jsonl:
            try:
                con.execute(f"SELECT count(*) FROM {_read_json([path])}").fetchall()
                good.append(path)
            except duckdb.Error:
                self.stats.files_reread += 1
                self._insert(con, self._read_tolerant(path))
        self.jsonl = good
        self._create_view(con)

    def _create_view(self, con: duckdb.DuckDBPyConnection) -> None:
        names = ", ".join(RAW_COLUMNS)
        parts = [f"SELECT {names} FROM raw_mem"]
        if self.jsonl:
            parts.append(f"SELECT {names} FROM {_read_json(self.jsonl)}")
        if self.parquet:
            files = "[" + ", ".join(_lit(p) for p in self.parquet) + "]"
            parts.append(f"SELECT {names} FROM read_parquet({files}, union_by_name = true)")
        con.execute("CREATE OR REPLACE TEMP VIEW raw AS " + " UNION ALL ".join(parts))

    def _insert(self, con: duckdb.DuckDBPyConnection, events: Iterable[Mapping[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for event in events:
            row = self._clean(event)
            if row is not None:
                batch.append(row)
            if len(batch) >= BATCH:
                _append(con, batch)
                batch = []
        if batch:
            _append(con, batch)

    def _clean(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        """A raw event with the contract's types, or ``None`` (counted) when it lacks message or timestamp."""
        if not isinstance(event, Mapping):
            self.stats.malformed_lines += 1
            return None
        message, timestamp = event.get("message"), _as_int(event.get("timestamp"))
        if not isinstance(message, str) or timestamp is None:
            self.stats.malformed_lines += 1
            return None
        event_id = event.get("event_id")
        if event_id is None or event_id == "":
            self.stats.missing_event_id += 1
            event_id = None  # synthesised in SQL from stream, timestamp and message
        return {
            "log_group": _as_str(event.get("log_group")),
            "log_stream": _as_str(event.get("log_stream")),
            "timestamp": timestamp,
            "message": message,
            "event_id": None if event_id is None else str(event_id),
            "ingestion_time": _as_int(event.get("ingestion_time")),
        }

    def _read_tolerant(self, path: str) -> Iterator[Mapping[str, Any]]:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as handle:
            for raw_line in handle:
                if not raw_line.strip():
                    continue
                self.stats.lines_reread += 1
                try:
                    line = raw_line.decode("utf-8")
                except UnicodeDecodeError:
                    self.stats.non_utf8_lines += 1
                    line = raw_line.decode("utf-8", errors="replace")
                try:
                    obj = json.loads(line)
                except ValueError:
                    self.stats.malformed_lines += 1
                    continue
                yield obj


def expand_paths(spec: str | os.PathLike[str]) -> list[str]:
    """Files named by a path, a glob or a directory (searched recursively for JSON-lines and Parquet files)."""
    text = os.fspath(spec)
    if any(ch in text for ch in "*?["):
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise InputError(f"no files match {text}")
        return [p for m in matches for p in expand_paths(m)]
    path = Path(text)
    if path.is_dir():
        return sorted(
            str(p)
            for p in path.rglob("*")
            if p.is_file() and p.name.endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES)
        )
    if not path.exists():
        raise InputError(f"no such file or directory: {text}")
    return [text]


def _read_json(paths: list[str]) -> str:
    files = "[" + ", ".join(_lit(p) for p in paths) + "]"
    columns = "{" + ", ".join(f"'{name}': '{typ}'" for name, typ in RAW_COLUMNS.items()) + "}"
    return f"read_json({files}, format = 'newline_delimited', columns = {columns})"


def _append(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    con.register("raw_batch", pa.Table.from_pylist(rows, schema=RAW_SCHEMA))
    try:
        con.execute("INSERT INTO raw_mem SELECT * FROM raw_batch")
    finally:
        con.unregister("raw_batch")


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
