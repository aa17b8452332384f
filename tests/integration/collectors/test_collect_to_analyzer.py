"""A store written by `collect` from CloudWatch (moto server) is what the analyzer loads: one row per attempt."""

from __future__ import annotations

import json

import pytest

from collectors.collect import collect
from tests.conftest import FIXTURES
from tests.integration.collectors.conftest import HOUR, unique_group


def test_collected_store_loads_into_invocations(aws_env, logs, now_ms, tmp_path):
    dataset = pytest.importorskip("lamtrace.analysis.dataset")
    group = unique_group()
    stream = "2026/11/28/[$LATEST]94fa867e5374431291a7fc14e2f56ae7"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    fixture = [json.loads(line) for line in (FIXTURES / "files" / "events.jsonl").read_text().splitlines()]
    shift = now_ms - HOUR - fixture[0]["timestamp"]
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": e["timestamp"] + shift, "message": e["message"]} for e in fixture],
    )
    collect(tmp_path, log_groups=[group], since="2h")

    invocations = dataset.load(logs=str(tmp_path)).invocations
    assert len(invocations) == 1
    row = invocations.iloc[0]
    assert row["request_id"] == "6795fe66-02b7-4e64-98b5-1061b6d08b6d"
    assert row["log_group"] == group and row["log_stream"] == stream
    assert row["duration_ms"] == 2499.27 and row["init_ms"] == 560.59 and row["outcome"] == "error"
