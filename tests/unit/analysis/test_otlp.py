"""OTLP/JSON spans -> segment rows. Spans come from the real opentelemetry-sdk (X-Ray id generator)."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtrace.analysis.formats.otlp import any_value, parse_export, xray_trace_id
from lamtrace.analysis.formats.xray import SEGMENT_COLUMNS, MalformedDocument

REQUEST_ID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders"


def _value(value):
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def _attrs(mapping) -> list[dict]:
    return [{"key": k, "value": _value(v)} for k, v in (mapping or {}).items()]


def otlp_json(spans) -> dict:
    """Encode SDK ReadableSpans as an OTLP/JSON export (hex ids, int64 as strings), as the OTLP spec writes it."""
    out = []
    for span in spans:
        out.append(
            {
                "traceId": f"{span.context.trace_id:032x}",
                "spanId": f"{span.context.span_id:016x}",
                **({"parentSpanId": f"{span.parent.span_id:016x}"} if span.parent else {}),
                "name": span.name,
                "kind": span.kind.value + 1,  # the SDK's enum starts at 0 (INTERNAL); OTLP's at 1
                "startTimeUnixNano": str(span.start_time),
                "endTimeUnixNano": str(span.end_time),
                "attributes": _attrs(span.attributes),
                "events": [{"name": e.name, "attributes": _attrs(e.attributes)} for e in span.events],
                "status": {"code": {0: 0, 1: 1, 2: 2}[span.status.status_code.value]},
            }
        )
    resource = {"attributes": _attrs(spans[0].resource.attributes)}
    return {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {"name": "t"}, "spans": out}]}]}


@pytest.fixture(scope="module")
def export() -> dict:
    from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind, Status, StatusCode

    exporter = InMemorySpanExporter()
    provider = TracerProvider(
        id_generator=AwsXRayIdGenerator(), resource=Resource.create({"faas.name": "orders"})
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    handler_attrs = {
        "faas.invocation_id": REQUEST_ID,
        "cloud.resource_id": ARN,
        "cloud.account.id": "123456789012",
    }
    with tracer.start_as_current_span("orders.handler", kind=SpanKind.SERVER, attributes=handler_attrs):
        with tracer.start_as_current_span(
            "DynamoDB.PutItem",
            kind=SpanKind.CLIENT,
            attributes={
                "rpc.system": "aws-api",
                "rpc.service": "DynamoDB",
                "rpc.method": "PutItem",
                "aws.request_id": "ABC123",
                "http.status_code": 200,
            },
        ):
            pass
        with tracer.start_as_current_span(
            "GET",
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": "GET",
                "url.full": "https://api.example.com/x",
                "http.response.status_code": 503,
            },
        ) as http_span:
            http_span.record_exception(RuntimeError("upstream down"))
            http_span.set_status(Status(StatusCode.ERROR))
    provider.shutdown()
    return otlp_json(exporter.get_finished_spans())


def test_spans_map_onto_segment_rows(export):
    rows = {row["name"]: row for row in parse_export(json.dumps(export))}
    assert set(rows) == {"orders", "DynamoDB", "GET"}
    assert all(set(row) == set(SEGMENT_COLUMNS) and row["source"] == "otlp" for row in rows.values())
    handler, dynamo, http = rows["orders"], rows["DynamoDB"], rows["GET"]
    assert (handler["kind"], handler["origin"], handler["request_id"]) == (
        "segment",
        "AWS::Lambda::Function",
        REQUEST_ID,
    )
    assert handler["function"] == "orders" and handler["parent_id"] is None
    assert handler["trace_id"].startswith("1-") and len(handler["trace_id"]) == 35
    assert dynamo["parent_id"] == handler["segment_id"] == http["parent_id"]
    assert (dynamo["kind"], dynamo["namespace"], dynamo["operation"]) == ("subsegment", "aws", "PutItem")
    assert dynamo["request_id"] == "ABC123" and dynamo["http_status"] == 200 and not dynamo["fault"]
    assert (http["namespace"], http["remote_service"], http["http_status"]) == (
        "remote",
        "api.example.com",
        503,
    )
    assert http["fault"] and not http["error"]
    assert (http["cause_type"], http["cause_message"]) == ("RuntimeError", "upstream down")
    assert handler["start_time"] <= dynamo["start_time"] <= dynamo["end_time"] <= handler["end_time"]
    assert handler["duration_ms"] == pytest.approx(
        (handler["end_time"] - handler["start_time"]) * 1000, abs=0.01
    )


def test_trace_id_keeps_the_xray_epoch(export):
    span = export["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    hex_id = span["traceId"]
    assert xray_trace_id(hex_id) == f"1-{hex_id[:8]}-{hex_id[8:]}"
    assert xray_trace_id(base64.b64encode(bytes.fromhex(hex_id)).decode()) == xray_trace_id(hex_id)
    assert xray_trace_id("not an id") is None


def test_status_error_without_http_status_is_a_fault_and_4xx_an_error():
    def span(**extra):
        return {
            "traceId": "5759e988bd862e3fe1be46a994272793",
            "spanId": "53995c3f42cd8ad8",
            "name": "s",
            **extra,
        }

    payload = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            span(status={"code": "STATUS_CODE_ERROR"}),
                            span(
                                spanId="53995c3f42cd8ad9",
                                attributes=[{"key": "http.status_code", "value": {"intValue": "429"}}],
                            ),
                        ]
                    }
                ]
            }
        ]
    }
    first, second = parse_export(payload)
    assert first["fault"] and not first["error"]
    assert second["error"] and second["throttle"] and not second["fault"]


def test_older_instrumentation_library_spans_and_spans_without_ids():
    payload = {
        "resourceSpans": [
            {
                "instrumentationLibrarySpans": [
                    {
                        "spans": [
                            {
                                "traceId": "5759e988bd862e3fe1be46a994272793",
                                "spanId": "53995c3f42cd8ad8",
                                "name": "a",
                            },
                            {"traceId": "", "spanId": "53995c3f42cd8ad8", "name": "no trace"},
                            "not a span",
                        ]
                    }
                ]
            }
        ]
    }
    assert [row["name"] for row in parse_export(payload)] == ["a"]


@pytest.mark.parametrize("payload", ["", "[]", '{"resourceSpans": 5}', "{}"])
def test_not_an_export(payload):
    with pytest.raises(MalformedDocument):
        parse_export(payload)


def test_any_value():
    assert any_value({"intValue": "12"}) == 12
    assert any_value({"arrayValue": {"values": [{"stringValue": "a"}, {"boolValue": True}]}}) == ["a", True]
    assert any_value({"intValue": "x"}) is None and any_value("junk") is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=20,
)
span_keys = st.sampled_from(
    [
        "traceId",
        "spanId",
        "parentSpanId",
        "name",
        "kind",
        "startTimeUnixNano",
        "endTimeUnixNano",
        "attributes",
        "events",
        "status",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(span_keys, json_values, max_size=8), max_size=4))
def test_never_raises_on_arbitrary_span_fields(spans):
    for span in spans:
        span.setdefault("traceId", "5759e988bd862e3fe1be46a994272793")
        span.setdefault("spanId", "53995c3f42cd8ad8")
    payload = {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}
    for row in parse_export(payload):
        assert set(row) == set(SEGMENT_COLUMNS)
