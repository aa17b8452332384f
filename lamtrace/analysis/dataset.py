"""``load()``: the analyzer's entry point for notebooks and the CLI — inputs in, a :class:`Dataset` out.

(Not named ``load.py``: a submodule named like the function would shadow it on the package.)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from lamtrace.analysis import engine
from lamtrace.analysis.sources import EventSources, trace_documents
from lamtrace.errors import InputError


@dataclass
class Dataset:
    """Loaded telemetry: one row per invocation attempt, the trace segments, and what the input covered.

    ``invocations`` and ``segments`` follow docs/schema.md; ``coverage`` counts events parsed and unparsed by
    kind, duplicates dropped, malformed lines, attempts with and without REPORT, app logs and traces.
    """

    invocations: pd.DataFrame
    segments: pd.DataFrame
    coverage: dict[str, Any] = field(default_factory=dict)

    def report(self, **options: Any) -> Any:
        """The report over this dataset (``lamtrace.analysis.report.build_report``)."""
        from lamtrace.analysis.report import build_report

        return build_report(self, **options)

    def __repr__(self) -> str:
        return f"<Dataset: {len(self.invocations)} attempts, {len(self.segments)} segments>"


def load(
    logs: Any = None,
    traces: Any = None,
    since: Any = None,
    until: Any = None,
    function: str | Iterable[str] | None = None,
    *,
    memory_limit: str = engine.DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> Dataset:
    """Load raw log events (and trace documents) into a :class:`Dataset`.

    ``logs``: a path, glob or directory of raw-event JSON lines (``.jsonl[.gz]``) or Parquet files, a list of
    those, or an iterable of raw-event dicts. A directory holding ``logs/`` and ``traces/`` folders (the output
    of ``lamtrace local``) supplies both. ``traces``: the same for raw trace documents. ``since``/``until``
    (datetime, ISO string or epoch ms) keep attempts that started in ``[since, until)``; ``function`` keeps one
    function (or several). ``progress(phase, fraction)``, if given, hears how far the load is (fraction of the
    whole, 0..1, several times a second during the parse): a progress bar's feed.

    >>> ds = load(logs="out/")                     # doctest: +SKIP
    >>> ds.invocations.groupby("outcome").size()   # doctest: +SKIP
    """
    logs, traces = _split_run_directory(logs, traces)
    if logs is None and traces is None:
        raise InputError("nothing to load: pass logs=... and/or traces=...")
    if isinstance(traces, (str, os.PathLike)):  # fail early on a path that does not exist
        from collectors import files

        files.expand(traces)
    sources = EventSources()
    sources.add(logs)
    report = _phases(progress)
    with engine.connect(memory_limit, threads) as con:
        counts = engine.parse_events(con, sources, report("parsing events"))
        attempts = engine.build_attempts(con, _where(since, until, function), report("assembling attempts"))
        coverage = engine.coverage(con, sources, counts, attempts)
    joining = report("joining traces")
    if joining is not None:
        joining(0.0)
    segments, attempts, trace_coverage = _join_traces(trace_documents(traces, sources.trace_files), attempts)
    coverage["traces"] = trace_coverage
    if joining is not None:
        joining(1.0)
    return Dataset(invocations=attempts, segments=segments, coverage=coverage)


# where each phase of a load starts and ends on the whole's 0..1 scale (measured shares of the time at 1M)
_PHASES = {"parsing events": (0.0, 0.7), "assembling attempts": (0.7, 0.95), "joining traces": (0.95, 1.0)}


def _phases(progress: Callable[[str, float], None] | None) -> Callable[[str], Callable[[float], None] | None]:
    """For phase name -> a callback taking that phase's own fraction, reporting the whole's (None: no progress)."""

    def phase(name: str) -> Callable[[float], None] | None:
        if progress is None:
            return None
        start, end = _PHASES[name]
        return lambda fraction: progress(name, start + (end - start) * fraction)

    return phase


def _split_run_directory(logs: Any, traces: Any) -> tuple[Any, Any]:
    """``logs=DIR`` where DIR has ``logs/`` (and ``traces/``) subfolders: use them."""
    if isinstance(logs, (str, os.PathLike)) and Path(logs).is_dir() and (Path(logs) / "logs").is_dir():
        root = Path(logs)
        if traces is None and (root / "traces").is_dir():
            traces = str(root / "traces")
        logs = str(root / "logs")
    return logs, traces


_JOIN_READS = ["function", "request_id", "trace_id", "sampled", "start_time", "attempt"]


def _join_traces(
    documents: Iterable[dict[str, Any]], attempts: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """The segment table, and the invocation table with its trace columns filled (``lamtrace.analysis.traces``)."""
    from lamtrace.analysis import traces

    segments = traces.segment_rows(documents)
    # the join copies what it is given: give it only the columns it reads, then take its columns back
    joined, counts = traces.join(attempts[_JOIN_READS], segments)
    for column in traces.TRACE_COLUMNS:
        attempts[column] = joined[column].array
    return segments, attempts, {**segments.attrs.get("trace_documents", {}), **counts}


def _where(since: Any, until: Any, function: str | Iterable[str] | None) -> str:
    clauses = ["true"]
    if since is not None:
        clauses.append(f"start_time >= {_epoch_ms(since)}")
    if until is not None:
        clauses.append(f"start_time < {_epoch_ms(until)}")
    if function is not None:
        names = [function] if isinstance(function, str) else list(function)
        quoted = ", ".join("'" + n.replace("'", "''") + "'" for n in names)
        clauses.append(f"function IN ({quoted})")
    return " AND ".join(clauses)


def _epoch_ms(value: Any) -> int:
    """Epoch milliseconds from an int (ms), a datetime (naive = UTC) or an ISO-8601 string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise InputError(f"not a time: {value!r} (use ISO 8601, e.g. 2026-11-28T10:00:00Z)") from error
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return int(value.timestamp() * 1000)
    raise InputError(f"not a time: {value!r}")
