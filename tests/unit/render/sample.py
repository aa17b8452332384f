"""A report dict shaped like ``Report.to_dict()`` (docs/report.md), for renderer and gate tests."""

from __future__ import annotations

import copy
from typing import Any

_SAMPLE: dict[str, Any] = {
    "schema": 1,
    "window": {"start": "2026-11-28T10:00:00.000Z", "end": "2026-11-28T10:30:00.000Z"},
    "functions": [
        {
            "function": "orders-api",
            "attempts": 200,
            "invocations": 196,
            "retries": 4,
            "cold_starts": 12,
            "errors": 5,
            "timeouts": 1,
            "traced": 150,
            "duration_ms": {"p50": 41.2, "p90": 180.5, "p99": 912.3, "max": 3003.2},
            "init_ms": {"p50": 310.0, "p90": 402.1, "p99": 455.0, "max": 470.2},
            "cost": {"usd": 0.0123},
        },
        {
            "function": "thumbnailer",
            "attempts": 50,
            "invocations": 50,
            "retries": 0,
            "cold_starts": 2,
            "errors": 0,
            "timeouts": 0,
            "traced": 0,
            "duration_ms": {"p50": 120.0, "p90": 150.0, "p99": 160.0, "max": 161.0},
            "init_ms": {"p50": 800.0, "p90": 800.0, "p99": 900.0, "max": 900.0},
            "cost": {"usd": 0.0021},
        },
    ],
    "totals": {
        "attempts": 250,
        "invocations": 246,
        "retries": 4,
        "cold_starts": 14,
        "errors": 5,
        "timeouts": 1,
        "traced": 150,
        "duration_ms": {"p50": 60.0, "p90": 170.0, "p99": 900.0, "max": 3003.2},
        "cost": {"usd": 0.0144},
    },
    "coverage": {"events": 1200, "parsed": 1195, "unparsed": 5, "traces": 150, "orphan_traces": 2},
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
