"""X-Ray segment documents -> flat segment rows (pure: JSON text in, dicts out).

One row per segment, nested subsegment and inferred segment, with the columns of the segment table in
``docs/schema.md``. Real documents are messy (Java exponent times, in-progress segments without ``end_time``,
``cause`` as an exception id or an object, documents hand-edited in docs), so every field is read defensively:
a field of the wrong type becomes ``None``; only a document that is not a JSON object with an ``id`` is rejected.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urlsplit

SEGMENT_COLUMNS: tuple[str, ...] = (
    "trace_id",
    "segment_id",
    "parent_id",
    "kind",
    "name",
    "origin",
    "namespace",
    "start_time",
    "end_time",
    "duration_ms",
    "request_id",
    "function",
    "operation",
    "remote_service",
    "http_status",
    "error",
    "fault",
    "throttle",
    "cause_type",
    "cause_message",
    "source",
)

LAMBDA_SERVICE = "AWS::Lambda"
LAMBDA_FUNCTION = "AWS::Lambda::Function"


class MalformedDocument(ValueError):
    """A trace document that is not a JSON object with a segment ``id`` (counted, never fatal)."""


def parse_document(document: str | bytes | dict, *, trace_id: str | None = None) -> list[dict[str, Any]]:
    """Flatten one X-Ray segment document into segment rows (the segment first, then its subsegments depth-first).

    ``trace_id`` is used when the document does not carry its own (subsegments sent alone always do).
    Raises :class:`MalformedDocument` for anything that is not a JSON object with an ``id``.

    >>> rows = parse_document('{"id": "a1", "name": "f", "trace_id": "1-5-6", "start_time": 1, "end_time": 2}')
    >>> rows[0]["kind"], rows[0]["duration_ms"]
    ('segment', 1000.0)
    """
    doc = _load(document)
    if not isinstance(doc.get("id"), str) or not doc["id"]:
        raise MalformedDocument("trace document has no segment id")
    trace = _str(doc.get("trace_id")) or trace_id
    top_kind = "subsegment" if doc.get("type") == "subsegment" else "segment"
    rows: list[dict[str, Any]] = []
    # Explicit stack instead of recursion: nesting depth comes from the input.
    stack: list[tuple[dict, str | None, str, str | None]] = [
        (doc, _str(doc.get("parent_id")), top_kind, None)
    ]
    while stack:
        node, parent_id, kind, inherited_function = stack.pop()
        row = segment_row(node, trace_id=_str(node.get("trace_id")) or trace, parent_id=parent_id, kind=kind)
        row["function"] = row["function"] or inherited_function
        rows.append(row)
        children = node.get("subsegments")
        if isinstance(children, list):
            child_parent = _str(node.get("id"))
            for child in reversed(children):
                if isinstance(child, dict):
                    stack.append((child, child_parent, "subsegment", row["function"]))
    return rows


def segment_row(node: dict, *, trace_id: str | None, parent_id: str | None, kind: str) -> dict[str, Any]:
    """One (sub)segment object -> one row (its ``subsegments`` are not looked at)."""
    aws = _obj(node.get("aws"))
    http = _obj(node.get("http"))
    origin = _str(node.get("origin"))
    namespace = _str(node.get("namespace"))
    name = _str(node.get("name"))
    start, end = _time(node.get("start_time")), _time(node.get("end_time"))
    cause_type, cause_message = _cause(node.get("cause"))
    function = None
    if origin in (LAMBDA_SERVICE, LAMBDA_FUNCTION):
        function = function_from_arn(_str(node.get("resource_arn")) or _str(aws.get("function_arn"))) or name
    return {
        "trace_id": trace_id,
        "segment_id": _str(node.get("id")),
        "parent_id": _str(node.get("parent_id")) or parent_id,
        "kind": "inferred" if node.get("inferred") is True else kind,
        "name": name,
        "origin": origin,
        "namespace": namespace,
        "start_time": start,
        "end_time": end,
        "duration_ms": round((end - start) * 1000.0, 3) if start is not None and end is not None else None,
        "request_id": _str(aws.get("request_id")),
        "function": function,
        "operation": _str(aws.get("operation")) or _str(_obj(http.get("request")).get("method")),
        "remote_service": _remote_service(namespace, name, origin, http),
        "http_status": _int(_obj(http.get("response")).get("status")),
        "error": node.get("error") is True,
        "fault": node.get("fault") is True,
        "throttle": node.get("throttle") is True,
        "cause_type": cause_type,
        "cause_message": cause_message,
        "source": "xray",
    }


def function_from_arn(arn: str | None) -> str | None:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`` -> ``<name>``; else ``None``."""
    if not arn:
        return None
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function" and parts[6]:
        return parts[6]
    return None


def _load(document: str | bytes | dict) -> dict:
    if isinstance(document, dict):
        return document
    if isinstance(document, (bytes, bytearray)):
        document = bytes(document).decode("utf-8", errors="replace")
    if not isinstance(document, str):
        raise MalformedDocument(f"trace document is a {type(document).__name__}, not JSON text")
    try:
        doc = json.loads(document)
    except (ValueError, RecursionError) as exc:
        raise MalformedDocument(f"trace document is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise MalformedDocument("trace document is not a JSON object")
    return doc


def _remote_service(namespace: str | None, name: str | None, origin: str | None, http: dict) -> str | None:
    if namespace == "aws":
        return name
    url = _str(_obj(http.get("request")).get("url"))
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host
    if namespace == "remote":
        return name
    return origin if origin and not origin.startswith(LAMBDA_SERVICE) else None


def _cause(cause: Any) -> tuple[str | None, str | None]:
    """First exception of a ``cause`` object; a bare exception id (16 hex) refers elsewhere and says nothing here."""
    exceptions = _obj(cause).get("exceptions")
    if isinstance(exceptions, list):
        for exc in exceptions:
            if isinstance(exc, dict):
                return _str(exc.get("type")), _str(exc.get("message"))
    return None, None


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None
