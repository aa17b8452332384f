"""The X-Ray side of a local invocation: trace ids, the trace header, and the segments Lambda itself writes.

For a sampled invocation Lambda records two segments (``reference/FORMATS.md`` §6):

* ``AWS::Lambda`` (the service): from request arrival to the end, ``aws.request_id`` = the Lambda request id;
* ``AWS::Lambda::Function``: ``parent_id`` = the service segment, with subsegments ``Initialization`` (cold starts;
  it begins before the function segment), ``Invocation`` (the handler; the function's own subsegments nest here) and
  ``Overhead`` (response sent → ready for the next event).

The runtime gets ``Root=<trace>;Parent=<function segment id>;Sampled=1``, so subsegments that aws-xray-sdk sends to
the daemon name the function segment as parent; ``nest_subsegments`` puts them under ``Invocation``.
Pure functions; times are epoch seconds.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass


def new_trace_id(at: float | None = None) -> str:
    """``1-<8 hex epoch seconds>-<24 hex>``."""
    return f"1-{int(at if at is not None else time.time()):08x}-{secrets.token_hex(12)}"


def new_segment_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True)
class TraceContext:
    """The trace of one invocation attempt."""

    trace_id: str
    service_segment_id: str
    function_segment_id: str
    sampled: bool

    @classmethod
    def new(cls, sampled: bool, trace_id: str | None = None) -> TraceContext:
        return cls(trace_id or new_trace_id(), new_segment_id(), new_segment_id(), sampled)

    @property
    def header(self) -> str:
        """The ``X-Amzn-Trace-Id`` the runtime receives (``_X_AMZN_TRACE_ID`` in the handler)."""
        return f"Root={self.trace_id};Parent={self.function_segment_id};Sampled={1 if self.sampled else 0}"


def _sub(name: str, start: float, end: float, function_arn: str) -> dict:
    return {
        "id": new_segment_id(),
        "name": name,
        "start_time": round(start, 6),
        "end_time": round(max(end, start), 6),
        "aws": {"function_arn": function_arn},
    }


def lambda_segments(
    trace: TraceContext,
    *,
    function_name: str,
    function_arn: str,
    account_id: str,
    log_group: str,
    request_id: str,
    arrived: float,
    init: tuple[float, float] | None,
    start: float,
    end: float,
    ready: float,
    status_code: int = 200,
    fault_cause: dict | None = None,
) -> list[dict]:
    """The AWS::Lambda and AWS::Lambda::Function documents of one attempt (``init`` = Initialization span)."""
    service = {
        "id": trace.service_segment_id,
        "name": function_name,
        "start_time": math.floor(arrived * 1000) / 1000,  # Lambda writes ms precision here
        "trace_id": trace.trace_id,
        "end_time": math.ceil(ready * 1000) / 1000,
        "http": {"response": {"status": status_code}},
        "aws": {"request_id": request_id},
        "origin": "AWS::Lambda",
        "resource_arn": function_arn,
    }
    subsegments = []
    if init:
        subsegments.append(_sub("Initialization", init[0], init[1], function_arn))
    subsegments.append(_sub("Invocation", start, end, function_arn))
    subsegments.append(_sub("Overhead", end, ready, function_arn))
    function = {
        "id": trace.function_segment_id,
        "name": function_name,
        "start_time": round(start, 6),
        "trace_id": trace.trace_id,
        "end_time": round(ready, 6),
        "parent_id": trace.service_segment_id,
        "aws": {
            "account_id": account_id,
            "function_arn": function_arn,
            "resource_names": [function_name],
            "cloudwatch_logs": [{"log_group": log_group}],
        },
        "origin": "AWS::Lambda::Function",
        "subsegments": subsegments,
    }
    if fault_cause is not None:
        function["fault"] = True
        function["cause"] = fault_cause
    return [service, function]


def fault_cause(xray_error_cause: str | None, error_type: str | None, message: str | None) -> dict:
    """The function segment's ``cause``: the one awslambdaric sent, else one built from the error."""
    if xray_error_cause:
        try:
            cause = json.loads(xray_error_cause)
            if isinstance(cause, dict):
                return cause
        except ValueError:
            pass
    return {
        "exceptions": [{"id": new_segment_id(), "message": message or "", "type": error_type or "Unknown"}]
    }


def _index(node: dict, by_id: dict[str, dict]) -> None:
    by_id[node["id"]] = node
    for child in node.get("subsegments", ()):
        _index(child, by_id)


def nest_subsegments(segments: list[dict], received: Iterable[dict]) -> list[dict]:
    """Attach subsegment documents (from the daemon) to their parents in ``segments``.

    A subsegment whose parent is a function segment goes under its ``Invocation``; one whose parent is another
    (sub)segment goes under that. Returns the documents that found no parent (kept as they are).
    """
    by_id: dict[str, dict] = {}
    for segment in segments:
        _index(segment, by_id)
    pending = [doc for doc in received if doc.get("id") not in by_id]
    orphans: list[dict] = []
    progress = True
    while pending and progress:  # children may arrive before their parents
        progress, waiting = False, []
        for doc in pending:
            parent = by_id.get(doc.get("parent_id", ""))
            if parent is None:
                waiting.append(doc)
                continue
            if parent.get("origin") == "AWS::Lambda::Function":
                parent = next((s for s in parent["subsegments"] if s["name"] == "Invocation"), parent)
            child = {k: v for k, v in doc.items() if k not in ("trace_id", "parent_id", "type")}
            parent.setdefault("subsegments", []).append(child)
            _index(child, by_id)
            progress = True
        pending = waiting
    orphans.extend(pending)
    return orphans
