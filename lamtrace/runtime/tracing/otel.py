"""OpenTelemetry spans (opentelemetry-sdk), with X-Ray-compatible ids and Lambda's trace header as parent.

The handler span carries the FaaS semantic-convention attributes (``faas.trigger``, ``faas.invocation_id``,
``faas.coldstart``, ``cloud.resource_id``, ...) and is a child of the span context in ``_X_AMZN_TRACE_ID``
(``AwsXRayLambdaPropagator``), so it lands in the same X-Ray trace as Lambda's own segments.

If the application configured a tracer provider, it is used as it is. Otherwise lamtrace installs one with
``AwsXRayIdGenerator`` and, when ``opentelemetry-exporter-otlp-proto-http`` is installed, a batch OTLP/HTTP
exporter configured by the standard ``OTEL_EXPORTER_OTLP_*`` variables (the ADOT collector layer listens on
localhost:4318). Spans are flushed before the handler returns, for at most ``flush_timeout_ms``.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagators.aws import AwsXRayLambdaPropagator
from opentelemetry.trace import SpanKind, Status, StatusCode

from lamtrace.runtime import log
from lamtrace.runtime.tracing import Invocation
from lamtrace.runtime.triggers import FAAS_TRIGGER

_KIND = {"http": SpanKind.SERVER, "pubsub": SpanKind.CONSUMER, "datasource": SpanKind.CONSUMER}


def default_provider() -> Any:
    """An SDK tracer provider with X-Ray ids, the Lambda resource attributes and (if installed) OTLP export."""
    from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    env = os.environ
    memory = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "")
    attributes = {
        "cloud.provider": "aws",
        "cloud.platform": "aws_lambda",
        "cloud.region": env.get("AWS_REGION", ""),
        "faas.name": env.get("AWS_LAMBDA_FUNCTION_NAME", ""),
        "faas.version": env.get("AWS_LAMBDA_FUNCTION_VERSION", ""),
        "faas.instance": env.get("AWS_LAMBDA_LOG_STREAM_NAME", ""),
        "faas.max_memory": int(memory) * 1024 * 1024 if memory.isdigit() else 0,
        "service.name": env.get("OTEL_SERVICE_NAME")
        or env.get("AWS_LAMBDA_FUNCTION_NAME", "unknown_service"),
    }
    provider = TracerProvider(id_generator=AwsXRayIdGenerator(), resource=Resource.create(attributes))
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    except ImportError:
        log.internal_error(
            "otel exporter", ImportError("opentelemetry-exporter-otlp-proto-http is not installed")
        )
    return provider


class OtelSpan:
    """An OpenTelemetry span and the context token that made it current."""

    __slots__ = ("span", "token")

    def __init__(self, span: Any, token: Any) -> None:
        self.span = span
        self.token = token

    def set_attribute(self, key: str, value: Any) -> None:
        self.span.set_attribute(key, value if isinstance(value, (str, bool, int, float)) else repr(value))


class OtelBackend:
    """The ``otel`` backend."""

    def __init__(self, provider: Any, flush_timeout_ms: int) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("lamtrace")
        self.flush_timeout_ms = flush_timeout_ms
        self.propagator = AwsXRayLambdaPropagator()

    def start(self, name: str, invocation: Invocation | None = None) -> OtelSpan:
        if invocation is None:
            span = self.tracer.start_span(name)
        else:
            faas_trigger = FAAS_TRIGGER.get(invocation.trigger.name, "other")
            attributes: dict[str, Any] = {
                "faas.trigger": faas_trigger,
                "faas.invocation_id": invocation.request_id or "",
                "faas.coldstart": invocation.cold_start,
                "lamtrace.trigger": invocation.trigger.name,
            }
            if invocation.function_arn:
                attributes["cloud.resource_id"] = invocation.function_arn
                attributes["cloud.account.id"] = (
                    invocation.function_arn.split(":")[4] if invocation.function_arn.count(":") >= 5 else ""
                )
            if invocation.trigger.delivery_key:
                attributes["lamtrace.delivery_key"] = invocation.trigger.delivery_key
            parent = self.propagator.extract({})
            span = self.tracer.start_span(
                invocation.function_name or name,
                context=parent,
                kind=_KIND.get(faas_trigger, SpanKind.SERVER),
                attributes=attributes,
            )
        return OtelSpan(span, otel_context.attach(trace.set_span_in_context(span)))

    def end(self, span: OtelSpan, error: BaseException | None = None) -> None:
        if error is not None:
            span.span.record_exception(error)
            span.span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        try:
            otel_context.detach(span.token)
        finally:
            span.span.end()

    def flush(self) -> None:
        force_flush = getattr(self.provider, "force_flush", None)
        if force_flush is not None and not force_flush(self.flush_timeout_ms):
            log.internal_error(
                "otel flush", TimeoutError(f"spans not exported within {self.flush_timeout_ms} ms")
            )


def create(options: Any) -> OtelBackend:
    """The backend over the application's tracer provider, or lamtrace's default one (then made global)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider):
        provider = default_provider()
        trace.set_tracer_provider(provider)
    return OtelBackend(provider, options.flush_timeout_ms)
