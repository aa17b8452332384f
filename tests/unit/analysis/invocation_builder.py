"""Hand-made invocation tables following docs/schema.md, for testing code downstream of the log parser."""

from __future__ import annotations

from typing import Any

import pandas as pd

DEFAULTS: dict[str, Any] = {
    "function": "orders",
    "log_group": None,
    "log_stream": "2026/11/28/[$LATEST]00000000000000000000000000000001",
    "version": "$LATEST",
    "request_id": None,
    "attempt": 1,
    "start_time": "2026-11-28T10:00:00Z",
    "end_time": None,
    "duration_ms": 100.0,
    "billed_ms": 100.0,
    "memory_mb": 128,
    "max_memory_mb": 64,
    "init_ms": None,
    "restore_ms": None,
    "billed_restore_ms": None,
    "cold_start": False,
    "start_kind": "warm",
    "outcome": "success",
    "error_type": None,
    "error_message": None,
    "trace_id": None,
    "sampled": None,
    "trigger": None,
    "delivery_key": None,
    "delivery_attempt": None,
    "log_format": "text",
    "app_lines": 0,
    "app_errors": 0,
    "app_warnings": 0,
    "has_report": True,
    "has_app_logs": False,
    "has_trace": False,
}


def invocations(*rows: dict[str, Any]) -> pd.DataFrame:
    """Rows (overrides of ``DEFAULTS``) -> an invocation table with the contract's dtypes.

    ``request_id`` defaults to ``req-<n>``; ``log_group`` to ``/aws/lambda/<function>``; ``end_time`` to
    ``start_time + duration``. Keys beyond ``DEFAULTS`` (e.g. trace columns) become columns too.
    """
    records = []
    for n, row in enumerate(rows):
        record = {**DEFAULTS, **row}
        record["request_id"] = record["request_id"] or f"req-{n}"
        record["log_group"] = record["log_group"] or f"/aws/lambda/{record['function']}"
        records.append(record)
    extra = [key for record in records for key in record if key not in DEFAULTS]
    frame = pd.DataFrame.from_records(records, columns=list(dict.fromkeys([*DEFAULTS, *extra])))
    frame["start_time"] = pd.to_datetime(frame["start_time"], utc=True, format="ISO8601").astype(
        "datetime64[ms, UTC]"
    )
    end = pd.to_datetime(frame["end_time"], utc=True, format="ISO8601").astype("datetime64[ms, UTC]")
    computed = frame["start_time"] + pd.to_timedelta(frame["duration_ms"].fillna(0), unit="ms")
    frame["end_time"] = end.fillna(computed.astype("datetime64[ms, UTC]"))
    for column in ("duration_ms", "billed_ms", "init_ms", "restore_ms", "billed_restore_ms"):
        frame[column] = frame[column].astype("float64")
    for column in ("memory_mb", "max_memory_mb", "delivery_attempt"):
        frame[column] = pd.array(frame[column].tolist(), dtype="Int64")
    frame["sampled"] = pd.array(frame["sampled"].tolist(), dtype="boolean")
    for column in ("cold_start", "has_report", "has_app_logs", "has_trace"):
        frame[column] = frame[column].astype(bool)
    return frame
