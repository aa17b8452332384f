"""A local run published to CloudWatch Logs and X-Ray (moto server) comes back through the collectors unchanged."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from lamtrace.errors import InputError
from lamtrace.local.publish import MAX_BATCH_BYTES, log_batches, publish
from lamtrace.local.scenario import run_scenario
from tests.integration.local.raw_output import read_raw_events

HANDLERS = Path(__file__).parent / "handlers"


def test_log_batches_respect_the_api_limits():
    small = [{"timestamp": i, "message": "x"} for i in range(25_000)]
    assert [len(b) for b in log_batches(small)] == [10_000, 10_000, 5_000]
    big = [{"timestamp": i, "message": "y" * 300_000} for i in range(7)]
    batches = list(log_batches(big))
    assert (
        all(sum(len(e["message"]) + 26 for e in b) <= MAX_BATCH_BYTES for b in batches)
        and sum(map(len, batches)) == 7
    )
    spread = [{"timestamp": 0, "message": "a"}, {"timestamp": 24 * 3600 * 1000, "message": "b"}]
    assert [len(b) for b in log_batches(spread)] == [1, 1]


def test_publish_needs_an_output_directory(tmp_path):
    with pytest.raises(InputError, match="no logs/ or traces/"):
        publish(tmp_path)


def test_round_trip_through_cloudwatch_and_xray(tmp_path, aws_env, moto_reset):
    import boto3

    from collectors.cloudwatch import iter_log_events

    scenario = {
        "functions": {
            "api": {"handler": "fixtures_fn.echo", "path": str(HANDLERS), "tracing": "Active"},
            "broken": {"handler": "fixtures_fn.fail", "path": str(HANDLERS), "log_format": "JSON"},
        },
        "traffic": [{"invoke": "api", "count": 3}, {"invoke": "broken", "count": 2}],
    }
    run_scenario(scenario, tmp_path)
    logs, xray = boto3.client("logs"), boto3.client("xray")
    stats = publish(tmp_path, logs_client=logs, xray_client=xray)
    local = read_raw_events(tmp_path)
    assert (stats.log_groups, stats.events, stats.rejected_events) == (2, len(local), 0)

    times = [event["timestamp"] for event in local]
    pulled = list(iter_log_events(logs, ["/aws/lambda/api", "/aws/lambda/broken"], min(times), max(times)))
    key = lambda e: (e["log_group"], e["log_stream"], e["timestamp"], e["message"])  # noqa: E731
    assert Counter(map(key, pulled)) == Counter(
        map(key, local)
    )  # byte-exact messages, multi-line ones included

    rows = [json.loads(line) for line in (tmp_path / "traces" / "api.jsonl").read_text().splitlines()]
    assert stats.documents == len(rows) == 6
    trace_ids = sorted({row["trace_id"] for row in rows})
    stored = xray.batch_get_traces(TraceIds=trace_ids)["Traces"]
    assert sorted((json.loads(s["Document"])["id"]) for t in stored for s in t["Segments"]) == sorted(
        r["segment_id"] for r in rows
    )


def test_cli_publish(tmp_path, aws_env, moto_reset, capsys):
    from lamtrace.cli import main

    run_scenario({"functions": {"api": {"handler": "fixtures_fn.echo", "path": str(HANDLERS)}},
                  "traffic": [{"invoke": "api", "count": 2}]}, tmp_path)  # fmt: skip
    assert main(["local", "publish", str(tmp_path)]) == 0
    assert "1 streams of 1 log groups (0 rejected)" in capsys.readouterr().out
    assert main(["local", "publish", str(tmp_path / "nothing")]) == 2
