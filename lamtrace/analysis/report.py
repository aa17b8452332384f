"""``build_report``: a loaded dataset -> a :class:`Report` (to_dict / to_frame / _repr_html_ / render / plots).

``Report.to_dict()`` is the source of the CLI's JSON output; its schema is versioned (``SCHEMA``) and documented,
with the definition of every figure, in docs/report.md.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from lamtrace.analysis.pricing import load_price_table, prices_for
from lamtrace.analysis.report_figures import FINAL, figures, final_mask
from lamtrace.analysis.traces import TRACE_COLUMNS, join
from lamtrace.errors import InputError
from lamtrace.render import FORMATS, render

SCHEMA = "lamtrace.report/1"
GROUP_KEYS = {"function": "function", "version": "version", "trigger": "trigger", "log_stream": "log_stream",
              "stream": "log_stream"}  # fmt: skip
LISTED = ("function", "version", "log_stream", "request_id", "attempt", "start_time", "duration_ms", "init_ms",
          "start_kind", "outcome", "error_type", "error_message", "trace_id")  # fmt: skip
# Contract columns (docs/schema.md) the report reads, with the value used when a table lacks one.
DEFAULT_COLUMNS: dict[str, Any] = {
    "function": None, "version": None, "log_stream": None, "request_id": None, "attempt": 1,
    "start_time": pd.NaT, "end_time": pd.NaT, "duration_ms": np.nan, "billed_ms": np.nan, "memory_mb": np.nan,
    "max_memory_mb": np.nan, "init_ms": np.nan, "restore_ms": np.nan, "cold_start": False, "start_kind": None,
    "outcome": None, "error_type": None, "error_message": None, "trace_id": None, "sampled": None, "trigger": None,
    "delivery_key": None, "delivery_attempt": np.nan, "app_errors": 0, "has_report": False, "has_app_logs": False,
    "has_trace": False,
}  # fmt: skip


@dataclass
class Report:
    """The analysis result: figures per function (or group), totals, listings, coverage; tables and plots of them.

    ``invocations`` is the invocation table the figures were computed from (trace columns joined).
    """

    data: dict[str, Any]
    invocations: pd.DataFrame = field(repr=False)
    segments: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-serialisable data (no numpy types, no NaN: ``None``). Schema: docs/report.md."""
        return copy.deepcopy(self.data)

    def to_frame(self) -> pd.DataFrame:
        """One row per function (or group) with every figure, nested keys joined by ``.`` (``duration_ms.p99``)."""
        return pd.json_normalize(self.data["functions"], sep=".")

    def render(self, format: str = "table") -> str:
        """The report as text, as ``lamtrace report --format`` prints it.

        ``format``: ``table`` (plain text), ``json``, ``csv``, ``markdown`` or ``html`` — a fragment, the same as
        in Jupyter (``lamtrace.render.render(report.to_dict(), "html", figures=...)`` makes the whole page).
        An unknown format raises :class:`~lamtrace.errors.InputError`.
        """
        return render(self.data, format, fragment=True)

    def _repr_html_(self) -> str:
        """Jupyter's view: summary cards, the tables, slowest / failed attempts and coverage in one styled ``<div>``."""
        return render(self.data, "html", fragment=True)

    def __repr__(self) -> str:
        totals = self.data["totals"]
        return (
            f"<Report: {len(self.data['functions'])} rows, {totals['attempts']} attempts, "
            f"{totals['invocations']} invocations>"
        )

    # Plots: matplotlib is imported inside lamtrace.analysis.plots, only when one is drawn.
    def plot_latency(self, **options: Any) -> Any:
        """Duration distribution, cold vs warm (histogram and CDF). Returns a matplotlib Figure."""
        from lamtrace.analysis import plots

        return plots.latency(self.invocations, **options)

    def plot_timeline(self, **options: Any) -> Any:
        """Attempts over time per execution environment, with concurrency. Returns a matplotlib Figure."""
        from lamtrace.analysis import plots

        return plots.timeline(self.invocations, **options)

    def plot_failures(self, **options: Any) -> Any:
        """Failures and retries per time bucket. Returns a matplotlib Figure."""
        from lamtrace.analysis import plots

        return plots.failures(self.invocations, **options)

    def plot_xray(self, **options: Any) -> Any:
        """Where time goes in traced attempts: X-Ray phases and downstream services. Returns a matplotlib Figure."""
        from lamtrace.analysis import plots

        return plots.xray(self.data, **options)

    def plot_cost(self, **options: Any) -> Any:
        """Estimated cost per function, requests vs compute. Returns a matplotlib Figure."""
        from lamtrace.analysis import plots

        return plots.cost(self.data, **options)


def build_report(
    dataset: Any,
    *,
    group_by: str | Sequence[str] = (),
    bucket: str | None = None,
    top: int = 10,
    region: str | None = None,
    architecture: str | None = None,
    price_table: Any = None,
) -> Report:
    """Aggregate a dataset (``.invocations``, ``.segments``, ``.coverage``) into a :class:`Report`.

    ``group_by``: any of ``function`` (always), ``version``, ``trigger``, ``log_stream`` (alias ``stream``).
    ``bucket``: a pandas frequency (``"1min"``, ``"5min"``, ``"1h"``) for the ``timeline`` section.
    ``top``: how many slowest and failed attempts to list. ``region`` / ``architecture`` / ``price_table``: pricing
    (defaults: the bundled table's default region, ``x86_64``).
    """
    keys = _group_keys(group_by)
    invocations = _with_columns(dataset.invocations)
    segments = getattr(dataset, "segments", None)
    segments = segments if isinstance(segments, pd.DataFrame) else pd.DataFrame()
    coverage = dict(getattr(dataset, "coverage", None) or {})
    if "traces" not in coverage or "xray_total_ms" not in invocations:
        if len(segments) and "trace_id" in segments:
            invocations, coverage["traces"] = join(invocations, segments)
        else:
            coverage.setdefault("traces", {"available": False})
    for column, dtype in TRACE_COLUMNS.items():
        if column not in invocations:
            invocations[column] = pd.Series(
                False if dtype == "bool" else None, index=invocations.index, dtype=dtype
            )
    if "documents" not in coverage["traces"] and "trace_documents" in segments.attrs:
        coverage["traces"] = {**coverage["traces"], "documents": segments.attrs["trace_documents"]}
    prices = prices_for(load_price_table(price_table), region, architecture)

    work = _working_frame(invocations)
    functions = []
    for values, group in work.groupby(keys, dropna=False, sort=True, observed=True):
        values = values if isinstance(values, tuple) else (values,)
        functions.append({**dict(zip(keys, values, strict=True)), **figures(group, prices)})
    totals = {"functions": int(invocations["function"].nunique()), **figures(work, prices)}
    failed = invocations["outcome"].notna() & (invocations["outcome"] != "success")
    data = {
        "schema": SCHEMA,
        "group_by": keys,
        "window": _window(invocations),
        "pricing": prices.as_dict(),
        "functions": functions,
        "totals": totals,
        "slowest": _listing(invocations, invocations["duration_ms"].nlargest(max(top, 0)).index),
        "failed": _listing(invocations, _latest(invocations["start_time"][failed], top)),
        "timeline": timeline(work, bucket) if bucket else [],
        "coverage": {**coverage, "table": _table_coverage(work)},
    }
    return Report(data=json_safe(data), invocations=invocations, segments=segments)


def timeline(invocations: pd.DataFrame, bucket: str) -> list[dict[str, Any]]:
    """Per function and time bucket (by attempt start): attempts, invocations, retries, outcomes, cold starts, p50/p99."""
    try:
        freq = pd.tseries.frequencies.to_offset(bucket)
    except ValueError:
        raise InputError(f"not a time bucket: {bucket!r} (use e.g. 1min, 5min, 1h)") from None
    columns = ["function", "start_time", "attempt", "duration_ms", "outcome", "cold_start"]
    frame = invocations.loc[invocations["start_time"].notna(), columns]
    rows = []
    slots = frame["start_time"].dt.floor(freq)
    for (function, start), group in frame.groupby(["function", slots], sort=True, observed=True):
        first = group["attempt"].fillna(1).astype(int) == 1
        duration = group["duration_ms"].dropna().to_numpy()
        rows.append(
            {
                "function": function,
                "bucket_start": start,
                "attempts": len(group),
                "invocations": int(first.sum()),
                "retries": int((~first).sum()),
                **{
                    o: int((group["outcome"] == o).sum())
                    for o in ("success", "error", "timeout", "crash", "init_error")
                },
                "cold_starts": int(group["cold_start"].fillna(False).astype(bool).sum()),
                "duration_p50_ms": float(np.percentile(duration, 50)) if duration.size else None,
                "duration_p99_ms": float(np.percentile(duration, 99)) if duration.size else None,
                "n": int(duration.size),
            }
        )
    return rows


def json_safe(value: Any) -> Any:
    """Recursively turn numpy / pandas values into JSON types; NaN, NaT, <NA> and infinities into ``None``."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [json_safe(v) for v in items]
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return None if pd.isna(value) else _iso(pd.Timestamp(value))
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _iso(stamp: pd.Timestamp) -> str:
    """``2026-11-28T10:00:00.123Z`` (UTC, milliseconds) like CloudWatch and lamtrace's own records."""
    if stamp.tzinfo is not None:
        return stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _group_keys(group_by: str | Iterable[str]) -> list[str]:
    names = [g.strip() for g in group_by.split(",")] if isinstance(group_by, str) else list(group_by)
    keys = ["function"]
    for name in filter(None, names):
        if name not in GROUP_KEYS:
            raise InputError(f"cannot group by {name!r}: use {', '.join(sorted(GROUP_KEYS))}")
        if GROUP_KEYS[name] not in keys:
            keys.append(GROUP_KEYS[name])
    return keys


def _with_columns(invocations: pd.DataFrame) -> pd.DataFrame:
    out = invocations.copy()
    for column, default in DEFAULT_COLUMNS.items():
        if column not in out:
            out[column] = default
    for column in ("start_time", "end_time"):
        if not isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = pd.to_datetime(out[column], utc=True)
    return out


def _window(invocations: pd.DataFrame) -> dict[str, Any]:
    starts = invocations["start_time"].dropna()
    ends = invocations["end_time"].dropna()
    return {
        "start": starts.min() if len(starts) else None,
        "end": max(ends.max(), starts.max()) if len(ends) and len(starts) else None,
    }


def _listing(frame: pd.DataFrame, index: pd.Index) -> list[dict[str, Any]]:
    columns = [c for c in LISTED if c in frame]
    return frame.loc[index, columns].to_dict("records")


def _latest(starts: pd.Series, top: int) -> pd.Index:
    """Index of the ``top`` latest start times (rows without one last), newest first."""
    order = np.argsort(-starts.to_numpy(dtype="datetime64[ms]").astype("int64"), kind="stable")
    valid = starts.notna().to_numpy()[order]
    chosen = np.concatenate([order[valid], order[~valid]])[: max(int(top), 0)]
    return starts.index[chosen]


# Columns the figures read; strings with few distinct values become categories (cheap to filter and group).
WORK_COLUMNS = ("function", "version", "trigger", "log_stream", "attempt", "start_time", "end_time", "duration_ms",
                "billed_ms", "memory_mb", "max_memory_mb", "init_ms", "restore_ms", "cold_start", "start_kind",
                "outcome", "delivery_key", "delivery_attempt", "app_errors", "has_report", "has_app_logs",
                "has_trace", "trace_id", *TRACE_COLUMNS)  # fmt: skip
CATEGORIES = ("function", "version", "trigger", "log_stream", "start_kind", "outcome")


def _working_frame(invocations: pd.DataFrame) -> pd.DataFrame:
    """The columns the figures need, low-cardinality strings as categories, and each row's final-attempt flag."""
    work = invocations[list(dict.fromkeys(WORK_COLUMNS))].copy()
    for column in CATEGORIES:
        work[column] = work[column].astype("category")
    work[FINAL] = final_mask(invocations).to_numpy()
    return work


def _table_coverage(invocations: pd.DataFrame) -> dict[str, int]:
    def count(column: str) -> int:
        return int(invocations[column].fillna(False).astype(bool).sum())

    return {
        "attempts": len(invocations),
        "invocations": int(invocations[FINAL].sum()),
        "attempts_with_report": count("has_report"),
        "attempts_without_report": len(invocations) - count("has_report"),
        "attempts_with_app_logs": count("has_app_logs"),
        "attempts_with_trace": count("has_trace"),
        "attempts_with_trace_id": int(invocations["trace_id"].notna().sum()),
    }


__all__ = ["FORMATS", "SCHEMA", "Report", "build_report", "json_safe", "timeline"]
