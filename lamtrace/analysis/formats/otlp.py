"""OTLP JSON spans -> the same segment rows as X-Ray documents (pure: JSON in, dicts out).

Reads the OTLP/JSON export shape (``{"resourceSpans": [{"resource": {...}, "scopeSpans": [{"spans": [...]}]}]}``,
also the older ``instrumentationLibrarySpans``). Mapping onto the segment table:

* the span of a Lambda invocation (attribute ``faas.invocation_id``, or ``faas.execution`` of older semantic
  conventions) becomes a ``segment`` with origin ``AWS::Lambda::Function`` and that request id;
* other spans become ``subsegment`` rows; a client span with ``rpc.system = aws-api`` is a downstream ``aws`` call
  named after ``rpc.service``, other client spans with HTTP attributes are ``remote`` calls;
* trace ids become X-Ray ids (``1-<first 8 hex>-<last 24 hex>``, as the AWS X-Ray propagator does);
* status ERROR or HTTP 5xx -> ``fault``, 4xx -> ``error``, 429 -> ``throttle``; the first ``exception`` event -> cause.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlsplit

from lamtrace.analysis.formats.xray import LAMBDA_FUNCTION, MalformedDocument, function_from_arn

CLIENT = 3
SPAN_KINDS = {"SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3}
STATUS_ERROR = 2


def is_otlp(doc: Any) -> bool:
    """True for a decoded OTLP/JSON trace export (an object with ``resourceSpans``)."""
    return isinstance(doc, dict) and isinstance(doc.get("resourceSpans"), list)


def parse_export(payload: str | bytes | dict) -> list[dict[str, Any]]:
    """Every span of an OTLP/JSON export -> segment rows. Raises :class:`MalformedDocument` if it is not one."""
    if isinstance(payload, (str, bytes, bytearray)):
        try:
            payload = json.loads(payload)
        except (ValueError, RecursionError) as exc:
            raise MalformedDocument(f"OTLP payload is not valid JSON: {exc}") from None
    if not is_otlp(payload):
        raise MalformedDocument("OTLP payload has no resourceSpans list")
    rows = []
    for resource_spans in payload["resourceSpans"]:
        if not isinstance(resource_spans, dict):
            continue
        resource = attributes(_obj(resource_spans.get("resource")).get("attributes"))
        scopes = resource_spans.get("scopeSpans", resource_spans.get("instrumentationLibrarySpans"))
        for scope in scopes if isinstance(scopes, list) else ():
            spans = _obj(scope).get("spans")
            for span in spans if isinstance(spans, list) else ():
                if isinstance(span, dict):
                    row = span_row(span, resource)
                    if row is not None:
                        rows.append(row)
    return rows


def span_row(span: dict, resource: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """One OTLP span (with its resource's attributes) -> one segment row; ``None`` without trace or span id."""
    resource = resource or {}
    trace_id, span_id = xray_trace_id(span.get("traceId")), _hex_id(span.get("spanId"), 8)
    if trace_id is None or span_id is None:
        return None
    attrs = attributes(span.get("attributes"))
    start, end = _nanos(span.get("startTimeUnixNano")), _nanos(span.get("endTimeUnixNano"))
    kind = span.get("kind")
    kind = SPAN_KINDS.get(kind, kind) if isinstance(kind, str) else kind
    arn = _text(attrs, "cloud.resource_id", "faas.id")
    function = function_from_arn(arn) or _text(attrs, "faas.name") or _text(resource, "faas.name")
    name = _str(span.get("name"))
    namespace = remote = operation = None
    status = _status_code(_first(attrs, "http.response.status_code", "http.status_code"))
    url = _text(attrs, "url.full", "http.url")
    if attrs.get("rpc.system") == "aws-api":
        namespace, name = "aws", _text(attrs, "rpc.service") or name
        remote, operation = name, _text(attrs, "rpc.method")
    elif kind == CLIENT and (url or _text(attrs, "http.request.method", "http.method")):
        namespace, operation = "remote", _text(attrs, "http.request.method", "http.method")
        remote = _text(attrs, "server.address", "net.peer.name") or _host(url)
    error_status = _obj(span.get("status")).get("code") in (STATUS_ERROR, "STATUS_CODE_ERROR")
    cause_type, cause_message = _exception(span.get("events"))
    request_id = _text(attrs, "faas.invocation_id", "faas.execution")
    is_function = request_id is not None
    return {
        "trace_id": trace_id,
        "segment_id": span_id,
        "parent_id": _hex_id(span.get("parentSpanId"), 8),
        "kind": "segment" if is_function else "subsegment",
        "name": (function or name) if is_function else name,
        "origin": LAMBDA_FUNCTION if is_function else None,
        "namespace": namespace,
        "start_time": start,
        "end_time": end,
        "duration_ms": round((end - start) * 1000.0, 3) if start is not None and end is not None else None,
        "request_id": request_id if is_function else _text(attrs, "aws.request_id"),
        "function": function,
        "operation": operation,
        "remote_service": remote,
        "http_status": status,
        "error": status is not None and 400 <= status < 500,
        "fault": (status is not None and status >= 500)
        or (error_status and (status is None or status < 400)),
        "throttle": status == 429,
        "cause_type": cause_type,
        "cause_message": cause_message,
        "source": "otlp",
    }


def attributes(items: Any) -> dict[str, Any]:
    """OTLP ``[{"key": k, "value": {"stringValue": ...}}]`` -> ``{k: python value}`` (unknown shapes skipped)."""
    result: dict[str, Any] = {}
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            result[item["key"]] = any_value(item.get("value"))
    return result


def any_value(value: Any) -> Any:
    """Decode one OTLP ``AnyValue`` (int64 arrives as a JSON string)."""
    value = _obj(value)
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "intValue" in value:
        try:
            return int(value["intValue"])
        except (TypeError, ValueError, OverflowError):
            return None
    if "doubleValue" in value:
        return value["doubleValue"]
    if "arrayValue" in value:
        values = _obj(value["arrayValue"]).get("values")
        return [any_value(v) for v in values] if isinstance(values, list) else []
    return None


def xray_trace_id(trace_id: Any) -> str | None:
    """OTLP trace id (32 hex, or base64 of 16 bytes) -> X-Ray form ``1-<8 hex>-<24 hex>``."""
    hex_id = _hex_id(trace_id, 16)
    return f"1-{hex_id[:8]}-{hex_id[8:]}" if hex_id else None


def _hex_id(value: Any, size: int) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if len(value) == size * 2:
        try:
            bytes.fromhex(value)
            return value.lower()
        except ValueError:
            pass
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == size else None


def _nanos(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        nanos = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return nanos / 1e9 if 0 < nanos < 2**63 else None


def _status_code(value: Any) -> int | None:
    try:
        code = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return code if 100 <= code < 1000 else None


def _exception(events: Any) -> tuple[str | None, str | None]:
    for event in events if isinstance(events, list) else ():
        if isinstance(event, dict) and event.get("name") == "exception":
            attrs = attributes(event.get("attributes"))
            return _str(attrs.get("exception.type")), _str(attrs.get("exception.message"))
    return None, None


def _first(attrs: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = attrs.get(key)
        if value is not None and value != "":
            return value
    return None


def _text(attrs: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = attrs.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _host(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
