"""Run the analysis in DuckDB: raw events → parsed events (deduplicated) → invocation attempts, plus coverage.

One in-process DuckDB connection per analysis, with a memory limit and a spill directory, so memory stays bounded
as the input grows; pandas only sees the result (one row per attempt).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pandas as pd

from lamtrace.analysis.formats.fields import KINDS, PLATFORM_KINDS
from lamtrace.analysis.sources import EventSources
from lamtrace.analysis.sql.attempts import FINAL, STEPS
from lamtrace.analysis.sql.classify import classify_sql
from lamtrace.analysis.traces import TRACE_COLUMNS

Progress = Callable[[float], None]
DEFAULT_MEMORY_LIMIT = "600MB"  # DuckDB buffer pool; the process also holds the result and Python

# contract dtypes of the log-derived columns (docs/schema.md)
DTYPES = {
    "function": "string",
    "log_group": "string",
    "log_stream": "string",
    "version": "string",
    "request_id": "string",
    "attempt": "int64",
    "duration_ms": "float64",
    "billed_ms": "float64",
    "memory_mb": "Int64",
    "max_memory_mb": "Int64",
    "init_ms": "float64",
    "restore_ms": "float64",
    "billed_restore_ms": "float64",
    "cold_start": "bool",
    "start_kind": "string",
    "outcome": "string",
    "error_type": "string",
    "error_message": "string",
    "trace_id": "string",
    "sampled": "boolean",
    "trigger": "string",
    "delivery_key": "string",
    "delivery_attempt": "Int64",
    "log_format": "string",
    "app_lines": "int64",
    "app_errors": "int64",
    "app_warnings": "int64",
    "has_report": "bool",
    "has_app_logs": "bool",
}
# filled by the trace join (lamtrace.analysis.traces.join); null/False before it
TRACE_DTYPES = TRACE_COLUMNS
COLUMNS = [
    *list(DTYPES)[:6],
    "start_time",
    "end_time",
    *list(DTYPES)[6:],
    *TRACE_DTYPES,
]


@contextmanager
def connect(
    memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection for one analysis, removed afterwards.

    The database is a temporary *file*, not memory: DuckDB then stores the parsed-event table compressed
    (NULL-heavy and repeated columns shrink ~10x), keeps only what fits ``memory_limit`` in its buffer pool and
    pages the rest to the file, so memory stays bounded as the input grows.
    """
    directory = tempfile.mkdtemp(prefix="lamtrace-duckdb-")
    config = {"memory_limit": memory_limit, "preserve_insertion_order": False, "temp_directory": directory}
    con = duckdb.connect(os.path.join(directory, "analysis.duckdb"), config=config)
    try:
        # Progress is tracked (for ``query_progress``) but never printed by DuckDB itself. Inside Jupyter without
        # ipywidgets DuckDB may refuse these settings: there is then no percentage, nothing else changes.
        with contextlib.suppress(duckdb.Error):
            con.execute("SET enable_progress_bar_print = false")
            con.execute("SET progress_bar_time = 0")
            con.execute("SET enable_progress_bar = true")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        yield con
    finally:
        con.close()
        shutil.rmtree(directory, ignore_errors=True)


def parse_events(
    con: duckdb.DuckDBPyConnection, sources: EventSources, on_progress: Progress | None = None
) -> tuple[int, int]:
    """Create table ``ev``: every raw event parsed, one row per distinct event id. Returns (events read, unique).

    ``on_progress(fraction)`` is called about ten times a second with the parse's progress (0..1).
    """
    sources.stage(con)
    try:
        _run_reporting(con, _PARSE, on_progress)
    except duckdb.Error:
        # a file the fast JSON reader rejects: find it, read it line by line, try again
        sources.demote_bad_files(con)
        _run_reporting(con, _PARSE, on_progress)
    # Deduplicating costs a hash aggregate over every column; a cheap distinct count of the ids' 64-bit hashes
    # proves there is nothing to drop (hash collisions can only make it look like there are duplicates).
    total, distinct = con.execute("SELECT count(*), count(DISTINCT eid) FROM ev_all").fetchone()
    if total == distinct:
        con.execute("ALTER TABLE ev_all RENAME TO ev")
        return total, total
    # Real pulls overlap, so this path is common: delete the extra copies in place (found by a hash aggregate of
    # the three integer keys) rather than rewrite the table through a DISTINCT over every column (~4x slower).
    con.execute(
        """
        DELETE FROM ev_all WHERE rowid IN (
          SELECT e.rowid FROM ev_all e
          JOIN (SELECT eid, sid, timestamp, min(rowid) AS keep FROM ev_all GROUP BY ALL HAVING count(*) > 1) d
            USING (eid, sid, timestamp)
          WHERE e.rowid <> d.keep)
        """
    )
    con.execute("ALTER TABLE ev_all RENAME TO ev")
    unique = con.execute("SELECT count(*) FROM ev").fetchone()[0]
    return total, unique


# Events are identified by a 64-bit hash of their id (a synthetic one from stream, time and message when missing)
# and environments by a hash of (log group, log stream): integer keys join and group far faster than strings.
# The dedupe key is (id hash, stream hash, timestamp): two different events colliding on all three is not a risk.
_EVENT_ID = (
    "coalesce(event_id, 'lt-' || md5(log_stream || chr(0) || timestamp::VARCHAR || chr(0) || message))"
)
_SOURCE = (
    f"(SELECT hash({_EVENT_ID}) AS eid, hash(log_group, log_stream) AS sid, * EXCLUDE (event_id) FROM raw)"
)
_PARSE = (
    "CREATE OR REPLACE TABLE ev_all AS SELECT *, hash(request_id) AS rid FROM ("
    + classify_sql(_SOURCE, columns=("eid", "sid", "log_group", "log_stream", "timestamp"))
    + ")"
)


def _run_reporting(con: duckdb.DuckDBPyConnection, sql: str, on_progress: Progress | None) -> None:
    """Run ``sql``; meanwhile a thread polls DuckDB's progress of it (DuckDB releases the GIL while it works)."""
    if on_progress is None:
        con.execute(sql)
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.1):
            percent = con.query_progress()
            if percent >= 0:
                on_progress(min(percent, 100.0) / 100)

    poller = threading.Thread(target=poll, name="lamtrace-progress", daemon=True)
    poller.start()
    try:
        con.execute(sql)
    finally:
        done.set()
        poller.join()
    on_progress(1.0)


def build_attempts(
    con: duckdb.DuckDBPyConnection, where: str = "true", on_progress: Progress | None = None
) -> pd.DataFrame:
    """The invocation attempt table (log-derived columns; trace columns null) from table ``ev``.

    ``on_progress(fraction)`` is called after each step (0..1).
    """
    for number, step in enumerate(STEPS, 1):
        con.execute(step)
        if on_progress is not None:
            on_progress(number / (len(STEPS) + 1))
    # via Arrow: about twice as fast as DuckDB's own DataFrame conversion here; sorted by Arrow too, which at
    # 1M attempts costs a third of DuckDB's ORDER BY (that one moves every column through its sort)
    table = con.sql(f"SELECT * FROM ({FINAL}) WHERE {where}").to_arrow_table()
    # The events are in the database file: give DuckDB's buffer pool back while pandas copies the table (at 1M
    # attempts the peak RSS drops from 1.43 to 1.05 GB), then restore the limit for the queries that follow.
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute("SET memory_limit = '100MB'")
    try:
        table = table.sort_by([("start_time", "ascending"), ("log_stream", "ascending")])
        return to_contract(table.to_pandas(self_destruct=True))
    finally:
        con.execute(f"SET memory_limit = '{limit}'")


def to_contract(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in contract order and dtype; times as UTC datetimes with millisecond precision (in place)."""
    for name in COLUMNS:
        if name in ("start_time", "end_time"):
            ms = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="float64")
            frame[name] = pd.to_datetime(ms, unit="ms", utc=True).astype("datetime64[ms, UTC]")
        elif name in frame:
            frame[name] = frame[name].astype(DTYPES.get(name) or TRACE_DTYPES[name])
        else:
            dtype = TRACE_DTYPES[name]
            frame[name] = pd.Series(False if dtype == "bool" else None, index=frame.index, dtype=dtype)
    return frame[COLUMNS]


def coverage(
    con: duckdb.DuckDBPyConnection, sources: EventSources, counts: tuple[int, int], attempts: pd.DataFrame
) -> dict[str, Any]:
    """Counts that say how much of the input the analysis understood (``Dataset.coverage``)."""
    total, unique = counts
    by_kind = dict(con.execute("SELECT kind, count(*) FROM ev GROUP BY kind").fetchall())
    by_kind = {kind: int(by_kind.get(kind, 0)) for kind in KINDS}
    unattributed = con.execute(
        "SELECT count(*) FROM ev WHERE request_id IS NULL AND kind IN ('unhandled_error', 'unknown_error', "
        "'timeout', 'runtime_exit', 'app', 'emf') AND rowid NOT IN (SELECT ev_row FROM assigned)"
    ).fetchone()[0]
    platform = sum(by_kind[k] for k in PLATFORM_KINDS)
    return {
        "files": sources.stats.as_dict(),
        "events_read": int(total),
        "duplicates_dropped": int(total - unique),
        "events": int(unique),
        "events_by_kind": by_kind,
        "platform_events": platform,
        "application_events": int(unique) - platform - by_kind["unparsed"],
        "unparsed_events": by_kind["unparsed"],
        "unattributed_events": int(unattributed),
        "attempts": len(attempts),
        "attempts_with_report": int(attempts["has_report"].sum()),
        "attempts_without_report": int((~attempts["has_report"]).sum()),
        "attempts_with_app_logs": int(attempts["has_app_logs"].sum()),
        "attempts_without_app_logs": int((~attempts["has_app_logs"]).sum()),
        "invocations": int(attempts[["function", "request_id"]].drop_duplicates().shape[0]),
    }
