"""A report dict shaped like ``Report.to_dict()`` (schema in docs/report.md), for renderer and gate tests."""

from __future__ import annotations

import copy
from typing import Any


def _figures(
    attempts: int, invocations: int, errors: int, timeouts: int, cold: int, traced: int, **extra: Any
):
    failed = errors + timeouts
    return {
        "attempts": attempts,
        "invocations": invocations,
        "retries": attempts - invocations,
        "errors": errors,
        "timeouts": timeouts,
        "crashes": 0,
        "init_errors": 0,
        "error_rate": round(errors / attempts, 6),
        "timeout_rate": round(timeouts / attempts, 6),
        "failed_attempts": failed,
        "failed_attempt_rate": round(failed / attempts, 6),
        "failed_invocations": failed - (attempts - invocations),
        "failure_rate": round((failed - (attempts - invocations)) / invocations, 6),
        "cold_starts": cold,
        "cold_start_rate": round(cold / attempts, 6),
        "traced": traced,
        "trace_coverage": round(traced / attempts, 6),
        **extra,
    }


_SAMPLE: dict[str, Any] = {
    "schema": "lamtrace.report/1",
    "group_by": ["function"],
    "window": {"start": "2026-11-28T10:00:00.000Z", "end": "2026-11-28T10:30:00.000Z"},
    "functions": [
        {
            "function": "orders-api",
            **_figures(200, 196, 5, 1, 12, 150),
            "duration_ms": {"n": 200, "p50": 41.2, "p90": 180.5, "p99": 912.3, "max": 3003.2},
            "duration_cold_ms": {"n": 12, "p50": 95.0, "p90": 120.0, "p99": 130.0, "max": 131.0},
            "init_ms": {"n": 12, "p50": 310.0, "p99": 455.0, "max": 470.2},
            "environments": {"count": 12},
            "memory": {"memory_mb": 256, "max_memory_used_mb": {"n": 200, "p50": 80, "p99": 90, "max": 91}},
            "cost": {"requests": 200, "gb_seconds": 3.1, "total_usd": 0.0123},
        },
        {
            "function": "thumbnailer",
            **_figures(50, 50, 0, 0, 2, 0),
            "duration_ms": {"n": 50, "p50": 120.0, "p90": 150.0, "p99": 160.0, "max": 161.0},
            "duration_cold_ms": {"n": 2, "p50": 150.0, "p90": 155.0, "p99": 160.0, "max": 161.0},
            "init_ms": {"n": 2, "p50": 800.0, "p99": 900.0, "max": 900.0},
            "environments": {"count": 2},
            "memory": {
                "memory_mb": 1024,
                "max_memory_used_mb": {"n": 50, "p50": 300, "p99": 410, "max": 412},
            },
            "cost": {"requests": 50, "gb_seconds": 6.2, "total_usd": 0.0021},
        },
    ],
    "totals": {
        "functions": 2,
        **_figures(250, 246, 5, 1, 14, 150),
        "duration_ms": {"n": 250, "p50": 60.0, "p90": 170.0, "p99": 900.0, "max": 3003.2},
        "cost": {"requests": 250, "gb_seconds": 9.3, "total_usd": 0.0144},
    },
    "coverage": {
        "table": {
            "attempts": 250,
            "invocations": 246,
            "attempts_with_report": 250,
            "attempts_with_trace": 150,
        },
        "unparsed_events": 5,
        "duplicates_dropped": 0,
        "traces": {"available": True, "traces": 150, "orphan_traces": 2},
    },
    "slowest": [
        {
            "function": "orders-api",
            "request_id": "6795fe66-0f3d-4c6e-9d52-1d7c2f1a9b10",
            "attempt": 1,
            "start_time": "2026-11-28T10:12:00.000Z",
            "duration_ms": 3003.2,
            "outcome": "timeout",
            "start_kind": "warm",
        }
    ],
    "failed": [
        {
            "function": "orders-api",
            "request_id": "6795fe66-0f3d-4c6e-9d52-1d7c2f1a9b10",
            "attempt": 1,
            "start_time": "2026-11-28T10:12:00.000Z",
            "duration_ms": 3003.2,
            "outcome": "timeout",
            "error_type": "Sandbox.Timedout",
            "error_message": "Task timed out after 3.00 seconds",
        }
    ],
}


def sample_report() -> dict[str, Any]:
    """A fresh copy, safe to mutate."""
    return copy.deepcopy(_SAMPLE)
