"""The OpenTelemetry backend: real opentelemetry-sdk spans through an in-memory exporter."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lamtrace
from tests.conftest import REPO
from tests.unit.runtime.conftest import TRACE_HEADER

pytest.importorskip("opentelemetry.sdk")

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402
from opentelemetry.trace import SpanKind, StatusCode  # noqa: E402

_EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans(monkeypatch):
    """The application's provider (set once per process, as OTel requires) exporting to memory."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider(id_generator=AwsXRayIdGenerator())
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    return _EXPORTER


def test_handler_span_has_faas_attributes_and_xray_parent(spans, context) -> None:
    with open(REPO / "tests/fixtures/events/sqs.json") as f:
        import json

        event = json.load(f)

    @lamtrace.instrument(tracing="otel")
    def handler(e, ctx):
        with lamtrace.span("process batch", records=2):
            return "ok"

    assert handler(event, context) == "ok"
    child, top = spans.get_finished_spans()
    assert top.name == "orders" and top.kind == SpanKind.CONSUMER
    assert top.attributes["faas.trigger"] == "pubsub"
    assert top.attributes["faas.invocation_id"] == context.aws_request_id
    assert top.attributes["faas.coldstart"] is True
    assert top.attributes["cloud.resource_id"] == context.invoked_function_arn
    assert top.attributes["cloud.account.id"] == "123456789012"
    assert top.attributes["lamtrace.trigger"] == "sqs"
    assert top.attributes["lamtrace.delivery_key"] == "059f36b4-87a3-44ab-83d2-661975830a7d"
    # The X-Ray trace id and the function segment from _X_AMZN_TRACE_ID are the span's trace and parent.
    assert format(top.context.trace_id, "032x") == "6747e1b01f2e3d4c5b6a79880a1b2c3d"
    assert format(top.parent.span_id, "016x") == "53995c3f42cd8ad8"
    assert child.name == "process batch" and child.parent.span_id == top.context.span_id
    assert child.attributes["records"] == 2


def test_error_status_and_exception_event(spans, context) -> None:
    @lamtrace.instrument(tracing="otel")
    def handler(e, ctx):
        raise TimeoutError("downstream slow")

    with pytest.raises(TimeoutError):
        handler({}, context)
    (top,) = spans.get_finished_spans()
    assert top.status.status_code == StatusCode.ERROR
    assert top.events[0].name == "exception"
    assert top.events[0].attributes["exception.type"] == "TimeoutError"
    assert top.kind == SpanKind.SERVER and top.attributes["faas.trigger"] == "other"


def test_unsampled_header_records_nothing(spans, context, monkeypatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER.replace("Sampled=1", "Sampled=0"))
    assert lamtrace.instrument(tracing="otel")(lambda e, c: 1)({}, context) == 1
    assert spans.get_finished_spans() == ()


def test_default_provider_uses_xray_ids_and_flushes_before_returning(tmp_path) -> None:
    """No provider configured by the application: lamtrace installs one with X-Ray ids (fresh process)."""
    script = """
import time, lamtrace
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
exporter = InMemorySpanExporter()
handler = lamtrace.instrument(tracing="otel")(lambda e, c: None)
handler({}, None)
trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
handler({}, None)
(span,) = exporter.get_finished_spans()
epoch = int(format(span.context.trace_id, "032x")[:8], 16)
assert abs(epoch - time.time()) < 60, epoch
assert span.resource.attributes["cloud.platform"] == "aws_lambda"
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")
