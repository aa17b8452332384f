"""collectors.insights orchestration on the moto server: chunking, polling, splitting at the row limit, failures.

moto's Insights engine does not implement `stats`/`parse` faithfully (DESIGN.md), so only plain row queries are run
and only the orchestration is asserted, not aggregation results.
"""

from __future__ import annotations

import pytest

from collectors import aws, insights
from lamtrace.errors import AWSError
from tests.integration.collectors.conftest import HOUR, seed_group, unique_group


@pytest.fixture
def fast_polls(monkeypatch):
    monkeypatch.setattr(insights, "POLL_INTERVAL_S", 0.01)


def test_groups_are_chunked_and_rows_come_back_as_dicts(logs, now_ms, fast_polls):
    groups = [unique_group() for _ in range(5)]
    for group in groups:
        seed_group(logs, group, [now_ms - HOUR + i * 1000 for i in range(3)], streams=1)
    stats = insights.QueryStats()
    rows = list(
        insights.run_query(
            logs,
            groups,
            now_ms - 2 * HOUR,
            now_ms,
            "fields @timestamp, @message",
            groups_per_query=2,
            stats=stats,
        )
    )
    assert stats.queries == 3  # 5 groups, 2 per query
    assert len(rows) == 15 and all("@message" in row and "@ptr" not in row for row in rows)
    assert {row["@message"].split(" ")[0] for row in rows} == set(groups)


def test_running_queries_are_polled_until_complete(aws_env, throttle_proxy, monkeypatch, now_ms, fast_polls):
    group = unique_group()
    seed_group(aws.client("logs", aws.session()), group, [now_ms - HOUR], streams=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", throttle_proxy.url)
    logs = aws.client("logs", aws.session())
    throttle_proxy.rewrite(3, "GetQueryResults", lambda body: {**body, "status": "Running", "results": []})
    stats = insights.QueryStats()
    rows = list(insights.run_query(logs, [group], now_ms - 2 * HOUR, now_ms, "fields @message", stats=stats))
    assert len(rows) == 1 and stats.polls == 4


def test_failed_query_is_an_error(aws_env, throttle_proxy, monkeypatch, now_ms, fast_polls):
    group = unique_group()
    seed_group(aws.client("logs", aws.session()), group, [now_ms - HOUR], streams=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", throttle_proxy.url)
    throttle_proxy.rewrite(1, "GetQueryResults", lambda body: {**body, "status": "Failed", "results": []})
    with pytest.raises(AWSError, match="ended with status Failed"):
        list(
            insights.run_query(
                aws.client("logs", aws.session()), [group], now_ms - 2 * HOUR, now_ms, "fields @message"
            )
        )


def test_windows_at_the_row_limit_are_split_until_they_fit(logs, now_ms, fast_polls):
    group = unique_group()
    stamps = [now_ms - HOUR + i * 60_000 for i in range(10)]
    seed_group(logs, group, stamps, streams=1)
    stats = insights.QueryStats()
    # `| limit 4` makes moto cut results the way AWS applies the StartQuery limit
    rows = list(
        insights.run_query(
            logs,
            [group],
            now_ms - 2 * HOUR,
            now_ms,
            "fields @timestamp, @message | limit 4",
            max_rows=4,
            stats=stats,
        )
    )
    assert sorted(row["@message"] for row in rows) == sorted(f"{group} event {i}\n" for i in range(10))
    assert stats.splits >= 2 and stats.truncated == 0


def test_unsplittable_results_at_the_limit_are_counted(logs, now_ms, fast_polls):
    group = unique_group()
    seed_group(logs, group, [now_ms - HOUR + i for i in range(5)], streams=1)
    stats = insights.QueryStats()
    rows = list(
        insights.run_query(
            logs,
            [group],
            now_ms - 2 * HOUR,
            now_ms,
            "fields @message | limit 2",
            max_rows=2,
            split=False,
            stats=stats,
        )
    )
    assert len(rows) == 2 and stats.truncated == 1 and stats.queries == 1


def test_unknown_group_is_one_line(logs, now_ms):
    with pytest.raises(AWSError, match="log group not found"):
        list(
            insights.run_query(logs, ["/aws/lambda/nope-insights"], now_ms - HOUR, now_ms, "fields @message")
        )
