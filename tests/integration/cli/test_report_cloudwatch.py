"""``lamtrace report --log-group/--function``: pulling CloudWatch Logs (a moto server) straight into the report."""

from __future__ import annotations

import json
import time
import uuid

import boto3

from tests.integration.cli.helpers import invocation_events, lamtrace, one_line_error


def _seed(group: str, durations: list[float], start_ms: int) -> None:
    logs = boto3.client("logs")
    events = invocation_events(group.rsplit("/", 1)[-1], "$LATEST", durations, start_ms=start_ms)
    logs.create_log_group(logGroupName=group)
    stream = events[0]["log_stream"]
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": e["timestamp"], "message": e["message"]} for e in events],
    )


def test_report_pulls_a_log_group_and_a_function(aws_env: str) -> None:
    name = f"orders-{uuid.uuid4().hex[:8]}"
    start = int(time.time() * 1000) - 20 * 60_000
    _seed(f"/aws/lambda/{name}", [12.5, 30.1, 8.0, 95.2], start)
    result = lamtrace("report", "--log-group", f"/aws/lambda/{name}", "--since", "1h", "--format", "json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)["functions"]
    assert (row["function"], row["attempts"], row["duration_ms"]["max"]) == (name, 4, 95.2)
    # a window that ends before the events: nothing matches
    message = one_line_error(
        lamtrace("report", "--log-group", f"/aws/lambda/{name}", "--since", "3h", "--until", "2h")
    )
    assert "no invocations" in message or "no Lambda invocations" in message


def test_unknown_function_is_one_line(aws_env: str) -> None:
    result = lamtrace("report", "--function", "no-such-function")
    assert result.returncode == 2
    assert result.stderr.startswith("lamtrace: error: ") and "no-such-function" in result.stderr
    assert "Traceback" not in result.stderr
