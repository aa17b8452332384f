"""CloudWatch Embedded Metric Format: one line per invocation with ColdStart, Duration and Errors.

CloudWatch turns such a line into metrics without any API call. ``ColdStart`` is 1 or 0 (0 on warm starts, so
its average is the cold-start rate); ``Errors`` likewise.
"""

from __future__ import annotations

from lamtrace.records import EMF_KEY

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from typing import Any

METRICS = (
    {"Name": "ColdStart", "Unit": "Count"},
    {"Name": "Duration", "Unit": "Milliseconds"},
    {"Name": "Errors", "Unit": "Count"},
)


def metrics_record(
    namespace: str,
    function_name: str,
    service: str,
    cold_start: bool,
    duration_ms: float,
    error: bool,
    timestamp_ms: int,
) -> dict[str, Any]:
    """The EMF object for one invocation, dimensioned by function name and service."""
    return {
        EMF_KEY: {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [["function_name", "service"]],
                    "Metrics": list(METRICS),
                }
            ],
        },
        "function_name": function_name,
        "service": service,
        "ColdStart": int(cold_start),
        "Duration": duration_ms,
        "Errors": int(error),
    }
