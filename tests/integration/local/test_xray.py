"""Sampled invocations produce Lambda's segments plus the function's own subsegments (real aws-xray-sdk)."""

from __future__ import annotations

import json
from pathlib import Path

from lamtrace.local.config import FunctionConfig
from lamtrace.local.service import LocalLambda
from tests.unit.local import real_formats as rf

HANDLERS = Path(__file__).parent / "handlers"


def test_sampled_invocations_write_lambda_and_sdk_segments(tmp_path):
    cfg = FunctionConfig(handler="fixtures_fn.traced", path=HANDLERS, name="traced", tracing="Active")
    with LocalLambda(tmp_path) as service:
        service.create_function(cfg, sample_rate=1.0)
        ok = service.invoke("traced", {"order_id": 7})
        failed = service.invoke("traced", {"order_id": 8, "fail": True})
        service.close()
    rows = [json.loads(line) for line in (tmp_path / "traces" / "traced.jsonl").read_text().splitlines()]
    assert {tuple(sorted(row)) for row in rows} == {("document", "segment_id", "trace_id")}
    documents = [json.loads(row["document"]) for row in rows]
    assert all(
        row["segment_id"] == doc["id"] and row["trace_id"] == doc["trace_id"]
        for row, doc in zip(rows, documents, strict=True)
    )

    events = [json.loads(line) for line in (tmp_path / "logs" / "traced.jsonl").read_text().splitlines()]
    report_by_id = {m["request_id"]: m for m in (rf.REPORT.match(e["message"]) for e in events) if m}
    for result in (ok, failed):
        report = report_by_id[result.request_id]
        trace_id = report["trace_id"]
        assert report["sampled"] == "true"
        service_seg = next(
            d
            for d in documents
            if d["origin"] == "AWS::Lambda" and d["aws"]["request_id"] == result.request_id
        )
        function_seg = next(d for d in documents if d.get("parent_id") == service_seg["id"])
        assert service_seg["trace_id"] == function_seg["trace_id"] == trace_id
        assert report["segment_id"] == service_seg["id"]
        assert function_seg["origin"] == "AWS::Lambda::Function"
        assert function_seg["aws"]["cloudwatch_logs"] == [{"log_group": "/aws/lambda/traced"}]
        names = [s["name"] for s in function_seg["subsegments"]]
        assert names == (
            ["Initialization", "Invocation", "Overhead"] if result.cold else ["Invocation", "Overhead"]
        )
        invocation = function_seg["subsegments"][names.index("Invocation")]
        load = next(s for s in invocation["subsegments"] if s["name"] == "load-order")
        assert load["annotations"]["order_id"] in ("7", "8")
        assert [s["name"] for s in load["subsegments"]] == ["inner"]
        assert (
            service_seg["start_time"]
            <= function_seg["start_time"]
            <= function_seg["end_time"]
            <= service_seg["end_time"] + 0.001
        )
    failed_fn = next(
        d
        for d in documents
        if d.get("origin") == "AWS::Lambda::Function"
        and d["trace_id"] == report_by_id[failed.request_id]["trace_id"]
    )
    assert failed_fn["fault"] is True and failed_fn["cause"]["exceptions"][0]["type"] == "KeyError"
    # nothing left over: every SDK subsegment found its parent
    assert not (tmp_path / "traces" / "daemon.jsonl").exists()


def test_unsampled_invocations_have_a_header_but_no_trace(tmp_path):
    cfg = FunctionConfig(handler="fixtures_fn.echo", path=HANDLERS, name="echo", tracing="PassThrough")
    with LocalLambda(tmp_path) as service:
        service.create_function(cfg)
        result = service.invoke("echo", {})
        service.close()
    header = result.payload["env"]["_X_AMZN_TRACE_ID"]
    assert header.startswith("Root=1-") and header.endswith(";Sampled=0")
    assert rf.REPORT.match(result.events[-1].message)["trace_id"] is None
    assert not (tmp_path / "traces" / "echo.jsonl").exists()


def test_downstream_calls_to_aws_become_nested_aws_subsegments(tmp_path, aws_env, moto_reset):
    import boto3

    boto3.client("dynamodb").create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    cfg = FunctionConfig(
        handler="fixtures_fn.put_item", path=HANDLERS, name="writer", tracing="Active", timeout_s=20
    )
    with LocalLambda(tmp_path) as service:
        service.create_function(cfg)
        result = service.invoke("writer", {"table": "orders", "n": 1})
        service.close()
    assert result.status == "success", result.error
    assert (
        boto3.client("dynamodb").scan(TableName="orders")["Count"] == 1
    )  # the handler used the caller's endpoint
    documents = [
        json.loads(json.loads(line)["document"])
        for line in (tmp_path / "traces" / "writer.jsonl").read_text().splitlines()
    ]
    function = next(d for d in documents if d.get("origin") == "AWS::Lambda::Function")
    invocation = next(s for s in function["subsegments"] if s["name"] == "Invocation")
    (dynamodb,) = [s for s in invocation["subsegments"] if s.get("namespace") == "aws"]
    assert dynamodb["name"] == "dynamodb" and dynamodb["aws"]["operation"] == "PutItem"
    assert dynamodb["aws"]["table_name"] == "orders" and dynamodb["http"]["response"]["status"] == 200
