"""OTLP/JSON trace export → raw trace documents, one per span (the shape is documented in docs/collectors.md).

Each span becomes one raw trace document: ``trace_id`` in X-Ray form (``1-<first 8 hex>-<last 24 hex>`` of the OTLP
trace id, as the AWS X-Ray propagator maps it), ``segment_id`` = the span id, and ``document`` = a complete one-span
OTLP/JSON export ``{"resourceSpans": [{"resource": ..., "scopeSpans": [{"scope": ..., "spans": [span]}]}]}`` in compact
JSON, so the analyzer's OTLP parser reads it like any export. Ids are normalised to lowercase hex.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any


def resource_spans_documents(resource_spans: Any) -> Iterator[dict[str, Any]]:
    """The raw trace documents of one ``resourceSpans[]`` item (raises ValueError/KeyError/TypeError if malformed)."""
    resource = resource_spans.get("resource", {})
    scopes = resource_spans.get("scopeSpans") or resource_spans.get("instrumentationLibrarySpans") or []
    for scope_spans in scopes:
        scope = scope_spans.get("scope") or scope_spans.get("instrumentationLibrary") or {}
        for span in scope_spans.get("spans", []):
            yield span_document(span, resource, scope)


def span_document(span: dict[str, Any], resource: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """One OTLP span as a raw trace document holding a one-span OTLP export."""
    span = dict(span)
    span["traceId"], span["spanId"] = hex_id(span["traceId"], 16), hex_id(span["spanId"], 8)
    if span.get("parentSpanId"):
        span["parentSpanId"] = hex_id(span["parentSpanId"], 8)
    export = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": scope, "spans": [span]}]}]}
    trace_hex = span["traceId"]
    return {
        "trace_id": f"1-{trace_hex[:8]}-{trace_hex[8:]}",
        "segment_id": span["spanId"],
        "document": json.dumps(export, separators=(",", ":")),
    }


def hex_id(value: str, size: int) -> str:
    """An OTLP id of ``size`` bytes as lowercase hex: OTLP/JSON writes hex, protobuf-JSON tools write base64."""
    if len(value) == 2 * size:
        int(value, 16)  # ValueError when not hex
        return value.lower()
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError(f"bad OTLP id {value!r}") from None
    if len(raw) != size:
        raise ValueError(f"bad OTLP id {value!r}")
    return raw.hex()
