"""Segment table -> one row per traced Lambda attempt with its X-Ray time breakdown.

A traced attempt is an ``AWS::Lambda`` service segment together with the ``AWS::Lambda::Function`` segments whose
``parent_id`` is its id; a function segment without a service segment (or an OTLP invocation span) stands alone,
and so does a service segment without a function segment (e.g. init failed, or the function segment was not
collected). Everything below the function segment is attributed to that attempt by walking ``parent_id`` links,
so several attempts in one trace (async retries reuse the trace) stay apart.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd

from lamtrace.analysis.formats.xray import LAMBDA_FUNCTION, LAMBDA_SERVICE

ATTEMPT_COLUMNS = (
    "trace_id",
    "request_id",
    "function",
    "start_time",
    "xray_total_ms",
    "xray_init_ms",
    "xray_invocation_ms",
    "xray_overhead_ms",
    "downstream_ms",
    "downstream",
    "xray_fault",
    "xray_error",
    "xray_throttle",
)
PHASES = {
    "Initialization": "xray_init_ms",
    "Invocation": "xray_invocation_ms",
    "Overhead": "xray_overhead_ms",
}
DOWNSTREAM_NAMESPACES = ("aws", "remote")


def traced_attempts(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per traced Lambda attempt (columns ``ATTEMPT_COLUMNS``); ``downstream`` is a dict {service: ms}."""
    records: list[dict[str, Any]] = []
    if len(segments):
        by_trace: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for row in _records(segments):
            by_trace[row["trace_id"]].append(row)
        for rows in by_trace.values():
            records.extend(_trace_attempts(rows))
    frame = pd.DataFrame.from_records(records, columns=list(ATTEMPT_COLUMNS))
    return frame.sort_values(["trace_id", "start_time"], kind="stable", ignore_index=True)


def _records(segments: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with ``None`` for missing values (column by column: far faster than per-cell conversion)."""
    columns = list(segments.columns)
    values = [segments[c].astype(object).where(segments[c].notna(), None).tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _trace_attempts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    children: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["parent_id"]:
            children[row["parent_id"]].append(row)
    services = [r for r in rows if r["kind"] == "segment" and r["origin"] == LAMBDA_SERVICE]
    functions = [r for r in rows if r["kind"] == "segment" and r["origin"] == LAMBDA_FUNCTION]
    service_ids = {s["segment_id"] for s in services}
    claimed: dict[str, list[dict]] = defaultdict(list)
    alone = []
    for function in functions:
        if function["parent_id"] in service_ids:
            claimed[function["parent_id"]].append(function)
        else:
            alone.append(function)
    units = [(s, claimed.get(s["segment_id"], [])) for s in services] + [(None, [f]) for f in alone]
    return [_attempt(service, funcs, children) for service, funcs in units]


def _attempt(service: dict | None, functions: list[dict], children: dict[str, list[dict]]) -> dict[str, Any]:
    main = service or functions[0]
    result: dict[str, Any] = {
        "trace_id": main["trace_id"],
        "request_id": main["request_id"]
        or next((f["request_id"] for f in functions if f["request_id"]), None),
        "function": main["function"] or next((f["function"] for f in functions if f["function"]), None),
        "start_time": main["start_time"],
        "xray_total_ms": service["duration_ms"] if service else None,
    }
    result.update(dict.fromkeys(PHASES.values()))
    flagged = [service] if service else []
    downstream: dict[str, float] = defaultdict(float)
    for function in functions:
        flagged.append(function)
        if function["source"] == "otlp":  # the invocation span is the handler's time
            result["xray_invocation_ms"] = _add(result["xray_invocation_ms"], function["duration_ms"])
        for child in children.get(function["segment_id"], ()):
            column = PHASES.get(child["name"])
            if column and child["kind"] == "subsegment":
                result[column] = _add(result[column], child["duration_ms"])
        for row, inside_downstream in _descendants(function, children):
            flagged.append(row)
            if (
                row["namespace"] in DOWNSTREAM_NAMESPACES
                and row["kind"] == "subsegment"
                and not inside_downstream
                and row["duration_ms"] is not None
            ):
                downstream[_service_key(row)] += row["duration_ms"]
    result["downstream"] = {k: round(v, 3) for k, v in downstream.items()}
    result["downstream_ms"] = (
        round(sum(downstream.values()), 3) if downstream else (0.0 if functions else None)
    )
    result["xray_fault"] = any(r["fault"] for r in flagged)
    result["xray_error"] = any(r["error"] for r in flagged)
    result["xray_throttle"] = any(r["throttle"] for r in flagged)
    return result


def _descendants(root: dict, children: dict[str, list[dict]]):
    """Yield (row, inside a downstream call) for every row below ``root``, not crossing into other segments."""
    stack = [(child, False) for child in children.get(root["segment_id"], ())]
    seen = {id(root)}
    while stack:
        row, inside = stack.pop()
        if row["kind"] == "segment" or id(row) in seen:
            continue  # another service's segment called from here belongs to its own attempt; ids may cycle
        seen.add(id(row))
        yield row, inside
        below = inside or row["namespace"] in DOWNSTREAM_NAMESPACES
        stack.extend((child, below) for child in children.get(row["segment_id"], ()))


def _service_key(row: dict) -> str:
    if row["namespace"] == "aws":
        return row["name"] or "aws"
    return f"remote:{row['remote_service'] or row['name'] or 'unknown'}"


def _add(total: float | None, value: float | None) -> float | None:
    if value is None:
        return total
    return value if total is None else total + value
