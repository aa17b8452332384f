"""Pure parts: trace context, Lambda's segments, nesting daemon subsegments, raw event ids."""

from __future__ import annotations

import json
import re

from lamtrace.local.capture import LogLine
from lamtrace.local.store import RAW_EVENT_KEYS, OutputDir, event_id
from lamtrace.local.xray import TraceContext, fault_cause, lambda_segments, nest_subsegments


def segments(init=True):
    trace = TraceContext.new(True)
    docs = lambda_segments(
        trace, function_name="f", function_arn="arn:aws:lambda:us-east-1:1:function:f", account_id="1",
        log_group="/aws/lambda/f", request_id="r", arrived=100.0, init=(100.001, 100.2) if init else None,
        start=100.2, end=100.5, ready=100.51,
    )  # fmt: skip
    return trace, docs


def test_trace_context_header():
    trace = TraceContext.new(False)
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", trace.trace_id)
    assert trace.header == f"Root={trace.trace_id};Parent={trace.function_segment_id};Sampled=0"


def test_lambda_segments_shape():
    trace, (service, function) = segments()
    assert (
        service["origin"] == "AWS::Lambda"
        and service["aws"] == {"request_id": "r"}
        and "parent_id" not in service
    )
    assert function["parent_id"] == trace.service_segment_id and function["id"] == trace.function_segment_id
    init, invocation, overhead = function["subsegments"]
    assert (init["name"], invocation["name"], overhead["name"]) == (
        "Initialization",
        "Invocation",
        "Overhead",
    )
    assert (
        init["start_time"] < function["start_time"]
    )  # as on Lambda, init begins before the function segment
    assert [s["name"] for s in segments(init=False)[1][1]["subsegments"]] == ["Invocation", "Overhead"]


def test_nesting_attaches_children_even_when_they_arrive_first():
    trace, docs = segments()
    parent = {
        "id": "a" * 16,
        "trace_id": trace.trace_id,
        "parent_id": trace.function_segment_id,
        "type": "subsegment",
        "name": "outer",
    }
    child = {
        "id": "b" * 16,
        "trace_id": trace.trace_id,
        "parent_id": "a" * 16,
        "type": "subsegment",
        "name": "inner",
    }
    stray = {
        "id": "c" * 16,
        "trace_id": trace.trace_id,
        "parent_id": "f" * 16,
        "type": "subsegment",
        "name": "lost",
    }
    orphans = nest_subsegments(docs, [child, parent, stray])
    assert orphans == [stray]
    invocation = docs[1]["subsegments"][1]
    (outer,) = invocation["subsegments"]
    assert outer["name"] == "outer" and "trace_id" not in outer and outer["subsegments"][0]["name"] == "inner"


def test_fault_cause_prefers_the_runtime_cause():
    sent = '{"working_directory": "/var/task", "exceptions": [{"type": "KeyError", "message": "x"}], "paths": []}'
    assert fault_cause(sent, "KeyError", "x")["working_directory"] == "/var/task"
    built = fault_cause(None, "Sandbox.Timedout", "Task timed out")
    assert built["exceptions"][0]["type"] == "Sandbox.Timedout"
    assert fault_cause("not json", "E", "m")["exceptions"][0]["type"] == "E"


def test_event_ids_are_56_digits_and_unique(tmp_path):
    ids = {event_id("2026/11/28/[$LATEST]" + "a" * 32, 1_764_324_000_000, n) for n in range(1000)}
    assert len(ids) == 1000 and all(re.fullmatch(r"\d{56}", i) for i in ids)
    out = OutputDir(tmp_path)
    out.write_events("f", "/aws/lambda/f", "s", [LogLine(5, "START x\n"), LogLine(6, "END x\n")])
    rows = [json.loads(line) for line in (tmp_path / "logs" / "f.jsonl").read_text().splitlines()]
    assert [tuple(row) for row in rows] == [RAW_EVENT_KEYS] * 2
    assert rows[0]["message"] == "START x\n" and rows[1]["ingestion_time"] >= rows[1]["timestamp"]
