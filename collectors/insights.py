"""CloudWatch Logs Insights queries over many log groups and long windows, within Insights' limits.

For windows too large to pull event by event, Insights can select (or aggregate) on the AWS side. This module only
orchestrates: log groups are sent in chunks (at most 50 per query), each query is polled until it ends, and a
row query whose result hits the row limit (10,000) is re-run on the two halves of its window until every part fits.
Rows come back as ``{field: value}`` dicts of strings, as Insights returns them (``@ptr`` dropped).

Example::

    rows = run_query(logs, groups, start_ms, end_ms, REPORT_QUERY)
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from collectors.aws import call
from lamtrace.errors import AWSError

MAX_GROUPS_PER_QUERY = 50
MAX_ROWS = 10_000
POLL_INTERVAL_S = 1.0
QUERY_TIMEOUT_S = 900.0  # Insights stops queries after 60 min; we give up sooner
_DONE = {"Complete"}
_FAILED = {"Failed", "Cancelled", "Timeout", "Unknown"}

#: One row per REPORT line with the fields Lambda's discovered fields give (``@memorySize``/``@maxMemoryUsed`` in
#: bytes, see reference FORMATS.md §5). A row query, so windows with more rows than the limit are split.
REPORT_QUERY = (
    "filter @type = 'REPORT' "
    "| fields @timestamp, @log, @logStream, @requestId, @duration, @billedDuration, @initDuration, "
    "@memorySize, @maxMemoryUsed, @xrayTraceId"
)


@dataclass
class QueryStats:
    """Queries started, windows split because they hit the row limit, rows returned, polls made."""

    queries: int = 0
    splits: int = 0
    rows: int = 0
    polls: int = 0
    truncated: int = 0  # results at the limit that could not be split (aggregations, or a 1-second window)


def run_query(
    logs_client: Any,
    groups: Iterable[str],
    start_ms: int,
    end_ms: int,
    query: str,
    *,
    groups_per_query: int = MAX_GROUPS_PER_QUERY,
    max_rows: int = MAX_ROWS,
    split: bool = True,
    stats: QueryStats | None = None,
) -> Iterator[dict[str, str]]:
    """Rows of ``query`` over ``groups`` between ``start_ms`` and ``end_ms``.

    ``split=False`` for aggregating queries (``stats …``), whose results must not be cut by time; a result at
    ``max_rows`` is then counted in ``stats.truncated``.
    """
    stats = stats if stats is not None else QueryStats()
    groups = list(groups)
    for i in range(0, len(groups), groups_per_query):
        chunk = groups[i : i + groups_per_query]
        yield from _window(
            logs_client, chunk, start_ms // 1000, end_ms // 1000, query, max_rows, split, stats
        )


def _window(
    logs_client: Any,
    groups: list[str],
    start_s: int,
    end_s: int,
    query: str,
    max_rows: int,
    split: bool,
    stats: QueryStats,
) -> Iterator[dict[str, str]]:
    rows = _run_one(logs_client, groups, start_s, end_s, query, max_rows, stats)
    if len(rows) >= max_rows:
        if split and end_s > start_s:
            stats.splits += 1
            middle = (start_s + end_s) // 2
            yield from _window(logs_client, groups, start_s, middle, query, max_rows, split, stats)
            yield from _window(logs_client, groups, middle + 1, end_s, query, max_rows, split, stats)
            return
        stats.truncated += 1
    stats.rows += len(rows)
    yield from rows


def _run_one(
    logs_client: Any,
    groups: list[str],
    start_s: int,
    end_s: int,
    query: str,
    max_rows: int,
    stats: QueryStats,
) -> list[dict[str, str]]:
    request = {
        "logGroupNames": groups,
        "startTime": start_s,
        "endTime": end_s,
        "queryString": query,
        "limit": max_rows,
    }
    started = call(
        logs_client.start_query,
        request,
        action=f"start a Logs Insights query on {len(groups)} log group(s)",
        iam_action="logs:StartQuery",
        not_found=f"log group not found (one of: {', '.join(groups)})",
    )
    stats.queries += 1
    query_id = started["queryId"]
    deadline = time.monotonic() + QUERY_TIMEOUT_S
    while True:
        response = call(
            logs_client.get_query_results,
            {"queryId": query_id},
            action="read Logs Insights results",
            iam_action="logs:GetQueryResults",
        )
        stats.polls += 1
        status = response.get("status")
        if status in _DONE:
            return [
                {f["field"]: f["value"] for f in row if f["field"] != "@ptr"}
                for row in response.get("results", [])
            ]
        if status in _FAILED:
            raise AWSError(f"Logs Insights query {query_id} ended with status {status}")
        if time.monotonic() > deadline:
            call(logs_client.stop_query, {"queryId": query_id}, action="stop a Logs Insights query")
            raise AWSError(f"Logs Insights query {query_id} did not finish within {QUERY_TIMEOUT_S:.0f} s")
        time.sleep(POLL_INTERVAL_S)
