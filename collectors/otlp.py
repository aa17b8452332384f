"""OTLP/JSON trace export → raw trace documents (the shape is documented in docs/collectors.md).

Each span becomes one raw trace document: ``trace_id`` in X-Ray form (``1-<first 8 hex>-<last 24 hex>`` of the
OTLP trace id), ``segment_id`` = the span id, and ``document`` = compact JSON text
``{"otlp_span": {...span...}, "resource": {...}, "scope": {"name": ..., "version": ...}}`` where every attribute
list (``[{"key": k, "value": {"stringValue": v}}]``) is flattened to a plain object ``{k: v}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

OTLP_DOCUMENT_KEY = "otlp_span"


def resource_spans_documents(resource_spans: Any) -> Iterator[dict[str, Any]]:
    """The raw trace documents of one ``resourceSpans[]`` item (raises ValueError/KeyError/TypeError if malformed)."""
    resource = flatten_attributes(resource_spans.get("resource", {}).get("attributes", []))
    scopes = resource_spans.get("scopeSpans") or resource_spans.get("instrumentationLibrarySpans") or []
    for scope_spans in scopes:
        scope = scope_spans.get("scope") or scope_spans.get("instrumentationLibrary") or {}
        scope_info = {"name": scope.get("name", ""), "version": scope.get("version", "")}
        for span in scope_spans.get("spans", []):
            yield span_document(span, resource, scope_info)


def span_document(span: dict[str, Any], resource: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """One OTLP span as a raw trace document."""
    trace_hex = hex_id(span["traceId"], 16)
    span = dict(span)
    span["traceId"], span["spanId"] = trace_hex, hex_id(span["spanId"], 8)
    if span.get("parentSpanId"):
        span["parentSpanId"] = hex_id(span["parentSpanId"], 8)
    if "attributes" in span:
        span["attributes"] = flatten_attributes(span["attributes"])
    for key in ("events", "links"):
        for item in span.get(key) or []:
            if "attributes" in item:
                item["attributes"] = flatten_attributes(item["attributes"])
    document = {OTLP_DOCUMENT_KEY: span, "resource": resource, "scope": scope}
    return {
        "trace_id": f"1-{trace_hex[:8]}-{trace_hex[8:]}",
        "segment_id": span["spanId"],
        "document": json.dumps(document, separators=(",", ":")),
    }


def hex_id(value: str, size: int) -> str:
    """An OTLP id as lowercase hex: OTLP/JSON writes hex, some tools write the protobuf-JSON base64 form."""
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


def flatten_attributes(attributes: list[dict[str, Any]]) -> dict[str, Any]:
    """``[{"key": "a", "value": {"intValue": "3"}}]`` → ``{"a": 3}``."""
    return {item["key"]: any_value(item.get("value") or {}) for item in attributes}


def any_value(value: dict[str, Any]) -> Any:
    """An OTLP ``AnyValue`` as a plain JSON value (``intValue`` strings become ints)."""
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [any_value(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return flatten_attributes(value["kvlistValue"].get("values", []))
    if "bytesValue" in value:
        return value["bytesValue"]
    return None
