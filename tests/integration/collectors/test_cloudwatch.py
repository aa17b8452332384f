"""collectors.cloudwatch against the moto server: paging, windows, several groups, throttling, resume, errors."""

from __future__ import annotations

import io
import zipfile

import pytest

from collectors import aws, cloudwatch, store
from collectors.checkpoint import Checkpoint
from collectors.events import RAW_EVENT_KEYS
from lamtrace.errors import AWSError
from tests.integration.collectors.conftest import HOUR, seed_group, unique_group


def pulled(logs, groups, start, end, **options):
    stats = cloudwatch.PullStats()
    events = list(cloudwatch.iter_log_events(logs, groups, start, end, stats=stats, **options))
    return events, stats


def create_function(name: str) -> str:
    iam = aws.client("iam", aws.session())
    role = iam.create_role(RoleName=f"r-{name}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("app.py", "def handler(e, c):\n    return 1\n")
    aws.client("lambda", aws.session()).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
    )
    return name


def test_many_pages_several_groups_exact_window(logs, now_ms):
    groups = [unique_group(), unique_group()]
    start, end = now_ms - 3 * HOUR, now_ms - HOUR - 1
    seeded = []
    for group in groups:
        # 4 hours of events every 90 s: some before, inside and after the window; events exactly on both edges
        stamps = [now_ms - 4 * HOUR + i * 90_000 for i in range(161)] + [start, end, end + 1]
        seeded += [(group, *e) for e in seed_group(logs, group, stamps)]
    events, stats = pulled(logs, groups, start, end, page_limit=7, slice_ms=HOUR // 2, workers=3)

    expected = sorted((g, s, t, m) for g, s, t, m in seeded if start <= t <= end)
    got = sorted((e["log_group"], e["log_stream"], e["timestamp"], e["message"]) for e in events)
    assert got == expected  # nothing lost, nothing twice, nothing outside the window
    assert all(list(e) == list(RAW_EVENT_KEYS) for e in events)
    assert all(isinstance(e["ingestion_time"], int) and e["event_id"] for e in events)
    assert len({(e["log_group"], e["event_id"]) for e in events}) == len(events)
    assert stats.pages > 20 and stats.slices_done == 8 and stats.groups == set(groups)
    assert (stats.first_ms, stats.last_ms) == (start, end)


def test_filter_pattern_is_passed_through(logs, now_ms):
    group = unique_group()
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now_ms - HOUR, "message": "START RequestId: a Version: $LATEST\n"},
            {"timestamp": now_ms - HOUR + 1, "message": "REPORT RequestId: a\tDuration: 1.00 ms\t\n"},
        ],
    )
    events, _ = pulled(logs, [group], now_ms - 2 * HOUR, now_ms, filter_pattern="REPORT")
    assert [e["message"][:6] for e in events] == ["REPORT"]


def test_unknown_log_group_is_one_line_error(logs, now_ms):
    with pytest.raises(AWSError, match="^log group not found: /aws/lambda/nope-404$"):
        pulled(logs, ["/aws/lambda/nope-404"], now_ms - HOUR, now_ms)


def test_resolve_prefix_and_function_names(aws_env, logs):
    base = unique_group("/aws/lambda/resolve")
    for suffix in ("-a", "-b"):
        logs.create_log_group(logGroupName=base + suffix)
    fn = create_function("fn-" + base[-10:])
    lam = aws.client("lambda", aws.session())

    groups = cloudwatch.resolve_log_groups(
        logs, names=[base + "-a"], prefixes=[base], functions=[fn], lambda_client=lam
    )
    assert groups == [base + "-a", base + "-b", f"/aws/lambda/{fn}"]
    with pytest.raises(AWSError, match="no log group starts with"):
        cloudwatch.resolve_log_groups(logs, prefixes=["/aws/lambda/none-such-"])
    with pytest.raises(AWSError, match="Lambda function not found: missing-fn"):
        cloudwatch.resolve_log_groups(logs, functions=["missing-fn"], lambda_client=lam)


def test_function_with_a_custom_log_group(aws_env, throttle_proxy, monkeypatch):
    # AWS returns LoggingConfig (advanced logging controls) from GetFunctionConfiguration; moto's Lambda does not,
    # so the proxy adds the documented field to moto's real response.
    fn = create_function("custom-" + unique_group()[-10:])
    monkeypatch.setenv("AWS_ENDPOINT_URL", throttle_proxy.url)
    lam = aws.client("lambda", aws.session())
    logging_config = {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": "/shared/app-logs",
    }
    throttle_proxy.rewrite(
        1, f"/functions/{fn}/configuration", lambda body: {**body, "LoggingConfig": logging_config}
    )
    assert cloudwatch.function_log_group(lam, fn) == "/shared/app-logs"
    assert cloudwatch.function_log_group(lam, fn) == f"/aws/lambda/{fn}"  # the unchanged moto answer


def test_throttling_absorbed_by_adaptive_retries(throttle_proxy, monkeypatch, now_ms):
    group = unique_group()
    seed_group(aws.client("logs", aws.session()), group, [now_ms - HOUR + i * 1000 for i in range(50)])
    monkeypatch.setenv("AWS_ENDPOINT_URL", throttle_proxy.url)
    logs = aws.client("logs", aws.session())
    throttle_proxy.throttle(2, "FilterLogEvents")
    events, stats = pulled(logs, [group], now_ms - 2 * HOUR, now_ms, page_limit=10, workers=1)
    assert len(events) == 50 and throttle_proxy.throttled == 2
    assert stats.throttled == 0  # botocore's adaptive mode retried them


def test_throttling_beyond_botocore_retries_is_waited_out(throttle_proxy, monkeypatch, now_ms):
    group = unique_group()
    seed_group(aws.client("logs", aws.session()), group, [now_ms - HOUR + i * 1000 for i in range(30)])
    monkeypatch.setenv("AWS_ENDPOINT_URL", throttle_proxy.url)
    monkeypatch.setattr(aws, "THROTTLE_BACKOFF_S", 0.01)
    logs = aws.client("logs", aws.session(), max_attempts=0, retry_mode="standard")  # botocore does not retry
    throttle_proxy.throttle(3, "FilterLogEvents")
    events, stats = pulled(logs, [group], now_ms - 2 * HOUR, now_ms, workers=1)
    assert len(events) == 30 and stats.throttled == 3

    throttle_proxy.throttle(100, "FilterLogEvents")
    with pytest.raises(AWSError, match="throttling"):
        pulled(logs, [group], now_ms - 2 * HOUR, now_ms, workers=1)


def test_resume_after_interruption_loses_and_duplicates_nothing(logs, now_ms, tmp_path):
    groups = [unique_group(), unique_group()]
    for group in groups:
        seed_group(logs, group, [now_ms - 4 * HOUR + i * 20_000 for i in range(600)], streams=3)
    start, end = now_ms - 4 * HOUR, now_ms - 1
    request = {"groups": groups, "start": start, "end": end}
    options = {"page_limit": 50, "slice_ms": HOUR // 2, "workers": 2}

    class Crash(Exception):
        pass

    checkpoint = Checkpoint(tmp_path / "cp.json", request)
    writer = store.StoreWriter(tmp_path / "out", flush_rows=120, on_flush=checkpoint.save)
    consumed = 0
    with pytest.raises(Crash):
        for event in cloudwatch.iter_log_events(logs, groups, start, end, checkpoint=checkpoint, **options):
            writer.add_event(event)
            consumed += 1
            if consumed == 700:
                raise Crash  # the process dies: buffered, unflushed events are lost, the writer is never closed
    stored_before = len(list(store.read_log_events(tmp_path / "out")))
    assert 0 < stored_before < 1200

    resumed = Checkpoint(tmp_path / "cp.json", request)
    assert resumed.resumed
    stats = cloudwatch.PullStats()
    with store.StoreWriter(tmp_path / "out", flush_rows=120, on_flush=resumed.save) as writer:
        for event in cloudwatch.iter_log_events(
            logs, groups, start, end, checkpoint=resumed, stats=stats, **options
        ):
            writer.add_event(event)
    assert stats.slices_skipped > 0 and stats.events < 1200  # done slices were not pulled again

    stored = list(store.read_log_events(tmp_path / "out"))
    assert len(stored) == 1200
    assert len({(e["log_group"], e["event_id"]) for e in stored}) == 1200


def test_checkpoint_for_another_request_is_ignored(tmp_path):
    first = Checkpoint(tmp_path / "cp.json", {"groups": ["a"]})
    first.mark_done(cloudwatch.Slice("a", 0, 9))
    first.save()
    assert Checkpoint(tmp_path / "cp.json", {"groups": ["a"]}).is_done(cloudwatch.Slice("a", 0, 9))
    assert not Checkpoint(tmp_path / "cp.json", {"groups": ["b"]}).resumed
