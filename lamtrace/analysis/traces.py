"""Traces in the analysis: raw trace documents -> the segment table, and its join onto the invocation table.

``segment_rows`` reads raw trace documents (``{trace_id, segment_id, document}``, see docs/schema.md) holding X-Ray
segment JSON or OTLP/JSON exports. ``join`` fills the trace columns of the invocation table and says how well the
two sources cover each other. Definitions: docs/traces.md.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from lamtrace.analysis.formats.otlp import is_otlp, parse_export
from lamtrace.analysis.formats.xray import SEGMENT_COLUMNS, MalformedDocument, parse_document
from lamtrace.analysis.trace_attempts import traced_attempts

SEGMENT_DTYPES = {
    "start_time": "float64",
    "end_time": "float64",
    "duration_ms": "float64",
    "http_status": "Int64",
    "error": "bool",
    "fault": "bool",
    "throttle": "bool",
}
TRACE_COLUMNS = {  # invocation-table columns ``join`` fills -> dtype
    "has_trace": "bool",
    "xray_init_ms": "float64",
    "xray_invocation_ms": "float64",
    "xray_overhead_ms": "float64",
    "xray_total_ms": "float64",
    "downstream_ms": "float64",
    "downstream": "object",
    "xray_fault": "boolean",
    "xray_error": "boolean",
    "xray_throttle": "boolean",
}
SAMPLE_IDS = 20  # how many example ids the join summary lists


def segment_rows(raw_trace_docs: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Raw trace documents -> the segment table (one row per segment, subsegment, inferred segment or span).

    Each item is ``{"trace_id", "segment_id", "document"}`` with ``document`` the JSON text BatchGetTraces returns
    (a decoded dict is accepted too), or an OTLP/JSON export (``{"resourceSpans": [...]}``) as the document or the
    item itself. Malformed documents are skipped and counted; the same document twice is read once; a segment
    seen twice (a subsegment sent alone and again inside its segment, an in-progress and a completed copy) keeps
    its completed row. Counts are in ``frame.attrs["trace_documents"]``:
    ``{"documents", "malformed", "duplicates", "segments"}``.
    """
    rows: list[dict[str, Any]] = []
    counts = {"documents": 0, "malformed": 0, "duplicates": 0}
    seen: set[tuple] = set()
    for raw in raw_trace_docs:
        counts["documents"] += 1
        try:
            doc, trace_id, text = _document(raw)
        except MalformedDocument:
            counts["malformed"] += 1
            continue
        key = (trace_id, text)
        if key in seen:
            counts["duplicates"] += 1
            continue
        seen.add(key)
        try:
            rows.extend(parse_export(doc) if is_otlp(doc) else parse_document(doc, trace_id=trace_id))
        except MalformedDocument:
            counts["malformed"] += 1
    frame = pd.DataFrame.from_records(rows, columns=list(SEGMENT_COLUMNS))
    frame = frame.astype({c: t for c, t in SEGMENT_DTYPES.items() if c not in ("http_status",)})
    frame["http_status"] = pd.array(frame["http_status"].tolist(), dtype="Int64")
    frame = _drop_repeated_segments(frame, counts)
    frame.attrs["trace_documents"] = {**counts, "segments": len(frame)}
    return frame


def join(invocations: pd.DataFrame, segments: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fill the invocation table's trace columns from the segment table; return it with a coverage summary.

    Attempts are matched to traced Lambda attempts first by request id (the ``aws.request_id`` of the AWS::Lambda
    segment; the k-th attempt of a request id takes the k-th traced attempt by start time), then by trace id for
    attempts still unmatched. ``has_trace`` is true when the attempt matched, or when its trace id has segments.
    The summary: ``traced_attempts``, ``traced_invocations``, ``traces``, ``orphan_traces`` (traced Lambda attempts
    of traces no log row points to), ``untraced_trace_ids`` (trace ids in logs with no segment at all), split into
    ``unsampled`` (not marked sampled) and ``not_collected`` (REPORT said ``Sampled: true``), plus example ids.
    """
    out = invocations.copy()
    for column in ("function", "request_id", "trace_id", "sampled"):
        if column not in out:
            out[column] = None
    attempts = traced_attempts(segments)
    matched = _match(out, attempts)
    positions = np.fromiter(matched, dtype=np.int64, count=len(matched))
    indices = np.fromiter(matched.values(), dtype=np.int64, count=len(matched))
    for column, dtype in TRACE_COLUMNS.items():
        if column == "has_trace":
            continue
        picked = attempts[column].to_numpy(dtype=object)[indices] if len(indices) else []
        if column == "downstream":
            picked = [json.dumps(value, sort_keys=True) for value in picked]
        values = np.full(len(out), None, dtype=object)
        values[positions] = picked
        out[column] = values if dtype == "object" else pd.array(values, dtype=dtype)
    trace_ids = set(segments["trace_id"].dropna()) if len(segments) else set()
    in_segments = out["trace_id"].isin(trace_ids).to_numpy(dtype=bool, na_value=False)
    was_matched = np.zeros(len(out), dtype=bool)
    was_matched[positions] = True
    out["has_trace"] = was_matched | in_segments
    return out, _summary(out, attempts, matched, trace_ids)


def _document(raw: Any) -> tuple[Any, str | None, str]:
    """(decoded document, trace id, the document's text: the key that spots the same document twice)."""
    if not isinstance(raw, dict):
        raise MalformedDocument("a raw trace document must be a JSON object")
    trace_id = raw.get("trace_id") if isinstance(raw.get("trace_id"), str) else None
    doc = raw.get("document", raw)
    if isinstance(doc, (bytes, bytearray)):
        doc = bytes(doc).decode("utf-8", errors="replace")
    if isinstance(doc, str):
        text = doc
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError):
            raise MalformedDocument("trace document is not valid JSON") from None
    if not isinstance(doc, dict):
        raise MalformedDocument("trace document is not a JSON object")
    if not isinstance(raw.get("document", raw), str):
        text = json.dumps(doc, sort_keys=True, default=str)
    return doc, trace_id, text


def _drop_repeated_segments(frame: pd.DataFrame, counts: dict[str, int]) -> pd.DataFrame:
    if frame.empty:
        return frame
    has_id = frame["segment_id"].notna()
    ordered = frame.assign(_open=frame["end_time"].isna()).sort_values("_open", kind="stable")
    repeated = ordered[has_id].duplicated(["trace_id", "segment_id"], keep="first")
    keep = ~frame.index.isin(repeated[repeated].index)
    counts["duplicates"] += int((~keep).sum())
    return frame[keep].reset_index(drop=True)


def _match(invocations: pd.DataFrame, attempts: pd.DataFrame) -> dict[int, int]:
    """Positions of invocation rows -> index of the traced attempt each one matched (each used once)."""
    matched: dict[int, int] = {}
    if attempts.empty or invocations.empty:
        return matched
    order = invocations.reset_index(drop=True).assign(_pos=range(len(invocations)))
    sort_by = [c for c in ("start_time", "attempt") if c in order]
    if sort_by:
        order = order.sort_values(sort_by, kind="stable", na_position="last")
    candidates = attempts.assign(_index=attempts.index).sort_values("start_time", kind="stable")
    # the k-th attempt (in time) of a request id or trace id takes the k-th traced attempt in time
    for key in ("request_id", "trace_id"):
        free = candidates[~candidates["_index"].isin(list(matched.values())) & candidates[key].notna()]
        if key == "trace_id":
            # a traced attempt naming another request id is another invocation (a function calling a function
            # shares the trace): only attempts without a request id may be matched by trace id
            free = free[free["request_id"].isna()]
        rest = order[~order["_pos"].isin(list(matched)) & order[key].notna()]
        if free.empty or rest.empty:
            continue
        left = pd.DataFrame({"key": rest[key].astype(str), "k": rest.groupby(key, sort=False).cumcount(),
                             "_pos": rest["_pos"]})  # fmt: skip
        right = pd.DataFrame({"key": free[key].astype(str), "k": free.groupby(key, sort=False).cumcount(),
                              "_index": free["_index"]})  # fmt: skip
        pairs = left.merge(right, on=["key", "k"])
        if key == "trace_id":
            ours = order.set_index("_pos")["function"].reindex(pairs["_pos"]).to_numpy()
            theirs = attempts["function"].reindex(pairs["_index"]).to_numpy()
            pairs = pairs[pd.isna(ours) | pd.isna(theirs) | (ours == theirs)]
        matched.update(
            zip(pairs["_pos"].astype(int).tolist(), pairs["_index"].astype(int).tolist(), strict=True)
        )
    return matched


def _distinct(values: pd.Series) -> set[Any]:
    return set(values.dropna().unique().tolist())


def _summary(
    out: pd.DataFrame, attempts: pd.DataFrame, matched: dict[int, int], trace_ids: set[str]
) -> dict[str, Any]:
    matched_traces = set(attempts.loc[list(matched.values()), "trace_id"]) if matched else set()
    # distinct values first: iterating a million Arrow-backed strings one by one costs seconds
    orphans = sorted(set(attempts["trace_id"].dropna()) - matched_traces - _distinct(out["trace_id"]))
    untraced = out[out["trace_id"].notna() & ~out["has_trace"]]
    sampled = untraced["sampled"].astype(object).eq(True)
    not_collected = _distinct(untraced.loc[sampled, "trace_id"])
    untraced_count = len(_distinct(untraced["trace_id"]))
    traced_rows = out[out["has_trace"]]
    return {
        "traces": len(trace_ids),
        "traced_lambda_attempts": len(attempts),
        "traced_attempts": int(out["has_trace"].sum()),
        "traced_invocations": len(traced_rows.drop_duplicates(["function", "request_id"])),
        "matched_attempts": len(matched),
        "orphan_traces": len(orphans),
        "untraced_trace_ids": untraced_count,
        "unsampled": untraced_count - len(not_collected),
        "not_collected": len(not_collected),
        "orphan_trace_ids": orphans[:SAMPLE_IDS],
        "not_collected_trace_ids": heapq.nsmallest(SAMPLE_IDS, not_collected),
    }
