"""LocalLambda: environment reuse, concurrency, idle reclaim, provisioning, versions, async retries, SQS."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path

import pytest

from lamtrace.errors import InputError
from lamtrace.local.config import FunctionConfig
from lamtrace.local.function import Throttled
from lamtrace.local.service import AsyncPolicy, LocalLambda
from lamtrace.local.sqs import EventSourceMapping, Queue
from tests.unit.local import real_formats as rf

HANDLERS = Path(__file__).parent / "handlers"


def config(handler: str, **kw) -> FunctionConfig:
    return FunctionConfig(handler=f"fixtures_fn.{handler}", path=HANDLERS, name=kw.pop("name", handler), **kw)


def read_events(out: Path, function: str) -> list[dict]:
    return [json.loads(line) for line in (out / "logs" / f"{function}.jsonl").read_text().splitlines()]


def reports(events: list[dict]) -> list[dict]:
    found = []
    for event in events:
        match = rf.REPORT.match(event["message"])
        if match:
            found.append({**match.groupdict(), "log_stream": event["log_stream"]})
    return found


def test_cold_warm_concurrency_and_raw_event_shape(tmp_path):
    with LocalLambda(tmp_path, seed=1) as service:
        service.create_function(config("sleep"))
        service.invoke("sleep", {"seconds": 0})
        service.invoke("sleep", {"seconds": 0})  # warm
        threads = [
            threading.Thread(target=service.invoke, args=("sleep", {"seconds": 0.3})) for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        summary = service.close()
    events = read_events(tmp_path, "sleep")
    assert all(
        list(event) == ["log_group", "log_stream", "timestamp", "message", "event_id", "ingestion_time"]
        for event in events
    )
    assert len({event["event_id"] for event in events}) == len(events)
    assert all(
        event["log_group"] == "/aws/lambda/sleep" and rf.LOG_STREAM.match(event["log_stream"])
        for event in events
    )
    found = reports(events)
    cold = [r for r in found if r["init_ms"]]
    # 3 concurrent invocations need 3 environments: the warm one plus 2 new (cold)
    assert len(found) == 5 and len(cold) == 3 == summary["cold_starts"]
    assert len({r["log_stream"] for r in found}) == 3
    inits = [e for e in events if e["message"].startswith("INIT_START")]
    assert len(inits) == 3


def test_idle_environments_are_reclaimed_and_reserved_concurrency_throttles(tmp_path):
    with LocalLambda(tmp_path, time_scale=0.001) as service:
        fn = service.create_function(config("sleep"), idle_timeout_s=100, reserved_concurrency=1)
        service.invoke("sleep", {"seconds": 0})
        service.sleep(200)  # 0.2 s real
        service.invoke("sleep", {"seconds": 0})  # the idle environment was reclaimed: cold again
        blocker = threading.Thread(target=service.invoke, args=("sleep", {"seconds": 0.5}))
        blocker.start()
        import time

        time.sleep(0.2)
        with pytest.raises(Throttled):
            service.invoke("sleep", {"seconds": 0})
        blocker.join()
        summary = service.close()
    assert fn.reclaimed == 1 and summary["throttles"] == 1
    assert summary["cold_starts"] == 2 and summary["attempts"] == 3


def test_provisioned_environments_serve_first(tmp_path):
    with LocalLambda(tmp_path) as service:
        service.create_function(config("echo"), provisioned=1)
        result = service.invoke("echo", {})
        summary = service.close()
    assert (
        not result.cold
        and result.payload["env"]["AWS_LAMBDA_INITIALIZATION_TYPE"] == "provisioned-concurrency"
    )
    assert summary["cold_starts"] == 0 and summary["provisioned_invocations"] == 1
    events = read_events(tmp_path, "echo")
    assert rf.INIT_START.match(events[0]["message"])  # written when the environment was provisioned
    assert reports(events)[0]["init_ms"] is None


def test_versions_and_aliases(tmp_path):
    with LocalLambda(tmp_path) as service:
        service.create_function(config("echo"))
        version = service.publish_version("echo")
        service.create_alias("echo", "live", version)
        via_alias = service.invoke("echo", {}, qualifier="live")
        latest = service.invoke("echo", {})
        with pytest.raises(InputError):
            service.invoke("echo", {}, qualifier="nope")
        service.close()
    assert version == "1"
    assert via_alias.payload["arn"].endswith(":function:echo:live")
    assert via_alias.payload["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == "1" and "[1]" in via_alias.log_stream
    assert latest.payload["env"]["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    starts = [rf.START.match(e["message"]) for e in read_events(tmp_path, "echo")]
    assert sorted(m["version"] for m in starts if m) == ["$LATEST", "1"]


def test_async_retries_reuse_the_request_id(tmp_path):
    with LocalLambda(tmp_path, time_scale=0.001) as service:
        service.create_function(config("fail"))
        service.create_function(config("flaky"))
        failing = service.invoke("fail", {"message": "always"}, invocation_type="Event")
        recovering = service.invoke("flaky", {"fail_times": 1}, invocation_type="Event")
        assert service.wait_async(30)
        summary = service.close()
    assert summary["retries"] == 3 and summary["dead_letters"] == 1
    assert service.dead_letters[0]["request_id"] == failing and service.dead_letters[0]["attempts"] == 3
    fail_reports = reports(read_events(tmp_path, "fail"))
    assert [r["request_id"] for r in fail_reports] == [failing] * 3
    assert all(r["status"] == "error" for r in fail_reports)
    flaky_reports = reports(read_events(tmp_path, "flaky"))
    assert [r["request_id"] for r in flaky_reports] == [recovering] * 2
    assert [r["status"] for r in flaky_reports] == ["error", None]


def test_async_max_retry_attempts_and_event_age(tmp_path):
    with LocalLambda(tmp_path, time_scale=0.001) as service:
        service.create_function(config("fail"), async_policy=AsyncPolicy(max_retry_attempts=0))
        service.create_function(config("fail", name="aged"), async_policy=AsyncPolicy(max_event_age_s=30))
        service.invoke("fail", {}, invocation_type="Event")
        service.invoke("aged", {}, invocation_type="Event")
        summary = service.close()
    conditions = Counter(d["condition"] for d in service.dead_letters)
    # no retry for "fail"; "aged" retries after 60 s, which is past its 30 s maximum age: 1 attempt each
    assert summary["attempts"] == 2 and summary["retries"] == 0
    assert conditions == {"RetriesExhausted": 1, "EventAgeExceeded": 1}


def test_sqs_redelivery_partial_failures_and_dead_letters(tmp_path):
    with LocalLambda(tmp_path, time_scale=0.01) as service:
        service.create_function(config("sqs_batch"))
        queue = Queue("orders", visibility_timeout_s=10, max_receive_count=3)
        ok = queue.send({"n": 1})
        twice = queue.send({"fail_until": 1})  # fails on its first receive only
        never = queue.send({"fail_until": 99})  # fails every time -> dead letter after 3 receives
        mapping = EventSourceMapping(
            service, "sqs_batch", queue, batch_size=10, report_batch_item_failures=True
        )
        mapping.run(timeout_s=30)
        summary = service.close()
    assert queue.pending() == 0 and [m.message_id for m in queue.dead_letters] == [never]
    assert mapping.batches == 3  # receive 1: all three; 2: twice+never; 3: never
    assert summary["redeliveries"] == 2
    records = []
    for event in read_events(tmp_path, "sqs_batch"):
        if event["message"].startswith("record "):
            _, message_id, _, count = event["message"].split()
            records.append((message_id, int(count)))
    assert sorted(records) == sorted([(ok, 1), (twice, 1), (twice, 2), (never, 1), (never, 2), (never, 3)])


def test_sqs_whole_batch_failure_redelivers_everything(tmp_path):
    with LocalLambda(tmp_path, time_scale=0.01) as service:
        service.create_function(config("sqs_batch"))
        queue = Queue("jobs", visibility_timeout_s=5, max_receive_count=2)
        queue.send({"fail_batch": True})
        mapping = EventSourceMapping(service, "sqs_batch", queue, batch_size=5)
        mapping.run(timeout_s=30)
        summary = service.close()
    assert mapping.batches == 2 and mapping.failed_batches == 2 and len(queue.dead_letters) == 1
    assert summary["errors"] == 2 and summary["redeliveries"] == 1
