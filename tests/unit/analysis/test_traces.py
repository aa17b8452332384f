"""segment_rows (the segment table) and join (trace columns of the invocation table)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtrace.analysis.formats.xray import SEGMENT_COLUMNS
from lamtrace.analysis.traces import TRACE_COLUMNS, join, segment_rows
from tests.unit.analysis.invocation_builder import invocations
from tests.unit.analysis.trace_helpers import TRACES, raw_docs

TRACE = "1-59602603-23fc5b688855d396af79b496"
REQUEST = "ac086670-6373-11e7-a174-f31b3397f190"


def doc(**fields) -> dict:
    return {
        "trace_id": fields.get("trace_id"),
        "segment_id": fields.get("id"),
        "document": json.dumps(fields),
    }


def lambda_pair(trace, request_id, service_id, function_id, start, *, init=None, invocation=0.1, calls=()):
    """An AWS::Lambda service segment + its AWS::Lambda::Function segment (times in seconds from ``start``)."""
    subsegments = []
    t = start + 0.01
    if init is not None:
        subsegments.append(
            {"id": function_id[:-1] + "1", "name": "Initialization", "start_time": t - init, "end_time": t}
        )
    invocation_sub = {
        "id": function_id[:-1] + "2",
        "name": "Invocation",
        "start_time": t,
        "end_time": t + invocation,
        "subsegments": list(calls),
    }
    subsegments.append(invocation_sub)
    subsegments.append(
        {
            "id": function_id[:-1] + "3",
            "name": "Overhead",
            "start_time": t + invocation,
            "end_time": t + invocation + 0.002,
        }
    )
    service = doc(
        id=service_id,
        trace_id=trace,
        name="orders",
        origin="AWS::Lambda",
        start_time=start,
        end_time=t + invocation + 0.003,
        aws={"request_id": request_id},
        resource_arn="arn:aws:lambda:us-east-1:1:function:orders",
    )
    function = doc(
        id=function_id,
        trace_id=trace,
        parent_id=service_id,
        name="orders",
        origin="AWS::Lambda::Function",
        start_time=t,
        end_time=t + invocation + 0.002,
        subsegments=subsegments,
    )
    return [service, function]


def test_segment_table_columns_and_dtypes_on_the_batch_get_traces_sample():
    frame = segment_rows(raw_docs("xdg-batch-get-traces.json"))
    assert list(frame.columns) == list(SEGMENT_COLUMNS)
    assert len(frame) == 11
    assert frame["http_status"].dtype == "Int64" and frame["fault"].dtype == bool
    assert frame["start_time"].dtype == "float64"
    assert frame.attrs["trace_documents"] == {"documents": 5, "malformed": 0, "duplicates": 0, "segments": 11}


def test_malformed_documents_are_counted_not_fatal():
    good = raw_docs("iatk-function-segment.jsonl")
    bad = [
        {"trace_id": "1-a-b", "segment_id": "x", "document": "{truncated"},
        "not a dict",
        {"document": "[]"},
    ]
    frame = segment_rows(good + bad)
    assert len(frame) == 5
    assert frame.attrs["trace_documents"]["malformed"] == 3


def test_empty_input_gives_an_empty_table_with_the_columns():
    frame = segment_rows([])
    assert list(frame.columns) == list(SEGMENT_COLUMNS) and frame.empty


def test_same_document_twice_and_a_subsegment_sent_alone_are_read_once():
    docs = raw_docs("iatk-function-segment.jsonl")
    alone = {
        "id": "aabeb336dc5bce90",
        "type": "subsegment",
        "trace_id": docs[0]["trace_id"],
        "parent_id": "5640de914527757d",
        "name": "Events",
        "start_time": 1.692293788194e9,
        "in_progress": True,
    }
    frame = segment_rows(docs + docs + [doc(**alone)])
    assert len(frame) == 5
    assert frame.attrs["trace_documents"]["duplicates"] == 2
    events = frame[frame["segment_id"] == "aabeb336dc5bce90"].iloc[0]
    assert events["end_time"] == pytest.approx(1.692293788694e9)  # the completed copy wins


def test_otlp_export_as_a_document():
    export = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": "5759e988bd862e3fe1be46a994272793",
                                "spanId": "53995c3f42cd8ad8",
                                "name": "h",
                                "attributes": [
                                    {"key": "faas.invocation_id", "value": {"stringValue": "r-1"}}
                                ],
                                "startTimeUnixNano": "1700000000000000000",
                                "endTimeUnixNano": "1700000000250000000",
                            }
                        ]
                    }
                ]
            }
        ]
    }
    frame = segment_rows([{"document": json.dumps(export)}, export])
    assert len(frame) == 1  # the same export twice
    assert frame.iloc[0]["source"] == "otlp" and frame.iloc[0]["request_id"] == "r-1"


def test_join_by_request_id_fills_the_xray_breakdown():
    calls = [
        {
            "id": "c000000000000001",
            "name": "DynamoDB",
            "namespace": "aws",
            "start_time": 100.02,
            "end_time": 100.05,
            "aws": {"operation": "GetItem"},
            "subsegments": [
                {
                    "id": "c000000000000002",
                    "name": "nested http",
                    "namespace": "remote",
                    "start_time": 100.03,
                    "end_time": 100.04,
                }
            ],
        },
        {
            "id": "c000000000000003",
            "name": "api.example.com",
            "namespace": "remote",
            "start_time": 100.05,
            "end_time": 100.09,
            "http": {"request": {"url": "https://api.example.com/a"}},
            "fault": True,
        },
    ]
    docs = lambda_pair(TRACE, REQUEST, "5000000000000000", "f000000000000000", 100.0, init=0.5, calls=calls)
    segments = segment_rows(docs)
    inv = invocations(
        {"request_id": REQUEST, "init_ms": 480.0, "cold_start": True}
    )  # no trace id in the logs
    out, summary = join(inv, segments)
    row = out.iloc[0]
    assert row["has_trace"]
    assert row["xray_init_ms"] == pytest.approx(500.0)
    assert row["xray_invocation_ms"] == pytest.approx(100.0)
    assert row["xray_overhead_ms"] == pytest.approx(2.0)
    assert row["xray_total_ms"] == pytest.approx(113.0)
    # the nested remote call is inside DynamoDB's time: not counted twice
    assert json.loads(row["downstream"]) == pytest.approx({"DynamoDB": 30.0, "remote:api.example.com": 40.0})
    assert row["downstream_ms"] == pytest.approx(70.0)
    assert row["xray_fault"] and not row["xray_error"] and not row["xray_throttle"]
    assert (
        summary["traced_attempts"] == 1
        and summary["traced_invocations"] == 1
        and summary["orphan_traces"] == 0
    )


def test_join_output_dtypes_and_untraced_rows():
    inv = invocations({"request_id": "r1"}, {"request_id": "r2"})
    out, summary = join(inv, segment_rows([]))
    for column, dtype in TRACE_COLUMNS.items():
        assert str(out[column].dtype) == dtype
    assert not out["has_trace"].any() and out["xray_fault"].isna().all() and out["downstream"].isna().all()
    assert summary["traces"] == 0 and summary["traced_attempts"] == 0


def test_several_attempts_of_one_request_in_one_trace_are_matched_in_time_order():
    docs = lambda_pair(TRACE, REQUEST, "5000000000000001", "f000000000000010", 200.0, invocation=0.3)
    docs += lambda_pair(TRACE, REQUEST, "5000000000000002", "f000000000000020", 100.0, invocation=0.1)
    inv = invocations(
        {"request_id": REQUEST, "attempt": 2, "start_time": "2026-11-28T10:01:00Z", "trace_id": TRACE},
        {"request_id": REQUEST, "attempt": 1, "start_time": "2026-11-28T10:00:00Z", "trace_id": TRACE},
    )
    out, summary = join(inv, segment_rows(docs))
    assert out.loc[out["attempt"] == 1, "xray_invocation_ms"].item() == pytest.approx(100.0)
    assert out.loc[out["attempt"] == 2, "xray_invocation_ms"].item() == pytest.approx(300.0)
    assert summary["traced_attempts"] == 2 and summary["traced_invocations"] == 1


def test_join_by_trace_id_when_no_segment_names_the_request():
    docs = raw_docs("iatk-function-segment.jsonl")  # a function segment alone: no request id anywhere
    trace = docs[0]["trace_id"]
    function = "sam-ts-app-z-NewOrderConsumerFunction-Qqv4wKsAxhOi"
    out, summary = join(
        invocations({"request_id": "r1", "trace_id": trace, "function": function}), segment_rows(docs)
    )
    row = out.iloc[0]
    assert row["has_trace"]
    assert row["xray_init_ms"] == pytest.approx(352.0856, abs=0.01)
    assert row["xray_invocation_ms"] == pytest.approx(625.9553, abs=0.01)
    assert pd.isna(row["xray_total_ms"])  # no service segment
    assert json.loads(row["downstream"]) == pytest.approx({"Events": 500.0})


def test_trace_without_function_segment_still_gives_total_time():
    service = doc(
        id="5000000000000009",
        trace_id=TRACE,
        name="orders",
        origin="AWS::Lambda",
        start_time=1.0,
        end_time=1.25,
        aws={"request_id": REQUEST},
        fault=True,
    )
    out, _ = join(invocations({"request_id": REQUEST}), segment_rows([service]))
    row = out.iloc[0]
    assert row["xray_total_ms"] == pytest.approx(250.0) and row["xray_fault"]
    assert pd.isna(row["xray_invocation_ms"]) and pd.isna(row["downstream_ms"])


def test_orphans_and_trace_ids_without_trace():
    docs = lambda_pair(TRACE, "someone-else", "5000000000000001", "f000000000000010", 100.0)
    inv = invocations(
        {"request_id": "r-unsampled", "trace_id": "1-00000001-000000000000000000000001", "sampled": None},
        {"request_id": "r-lost", "trace_id": "1-00000002-000000000000000000000002", "sampled": True},
        {"request_id": "r-none"},
    )
    out, summary = join(inv, segment_rows(docs))
    assert not out["has_trace"].any()
    assert summary["orphan_traces"] == 1 and summary["orphan_trace_ids"] == [TRACE]
    assert summary["untraced_trace_ids"] == 2
    assert summary["unsampled"] == 1 and summary["not_collected"] == 1
    assert summary["not_collected_trace_ids"] == ["1-00000002-000000000000000000000002"]


def test_trace_id_in_logs_with_segments_but_no_lambda_segment_counts_as_traced():
    caller = doc(id="194fcc8747581230", trace_id=TRACE, name="Scorekeep", start_time=1.0, end_time=2.0)
    out, summary = join(invocations({"request_id": "r1", "trace_id": TRACE}), segment_rows([caller]))
    assert out.iloc[0]["has_trace"] and pd.isna(out.iloc[0]["xray_invocation_ms"])
    assert summary["traced_attempts"] == 1 and summary["matched_attempts"] == 0


def test_the_real_sample_joins_by_request_id():
    out, summary = join(
        invocations({"request_id": REQUEST, "function": "random-name"}),
        segment_rows(raw_docs("xdg-batch-get-traces.json")),
    )
    row = out.iloc[0]
    assert row["xray_total_ms"] == pytest.approx(2895.0)
    assert row["xray_init_ms"] == pytest.approx(755.0)
    assert pd.isna(row["xray_invocation_ms"])  # this older function segment has no Invocation subsegment
    assert json.loads(row["downstream"]) == pytest.approx({"SNS": 959.0})


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.dictionaries(st.sampled_from(["document", "trace_id"]), st.text(max_size=30)),
        ),
        max_size=5,
    )
)
def test_segment_rows_never_raises(items):
    frame = segment_rows(items)
    assert frame.attrs["trace_documents"]["documents"] == len(items)


def test_otlp_spans_as_collectors_files_yields_them():
    from collectors.files import iter_trace_documents

    docs = list(iter_trace_documents([str(TRACES / ".." / "files" / "otlp-traces.json")]))
    frame = segment_rows(docs)
    assert len(frame) == len(docs) and (frame["source"] == "otlp").all()
    handler = frame[frame["kind"] == "segment"].iloc[0]
    assert handler["request_id"] == "6795fe66-02b7-4e64-98b5-1061b6d08b6d" and handler["function"] == "orders"
    out, summary = join(invocations({"request_id": handler["request_id"], "function": "orders"}), frame)
    row = out.iloc[0]
    assert row["has_trace"] and row["xray_invocation_ms"] == pytest.approx(1000.0)
    assert summary["matched_attempts"] == 1 and summary["orphan_traces"] == 0


TRACE_IDS = {"a": "1-00000001-" + "0" * 24, "b": "1-00000002-" + "0" * 24, "c": "1-00000003-" + "0" * 24,
             "z": "1-0000000f-" + "0" * 24}  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    traced=st.lists(
        st.tuples(st.sampled_from("abc"), st.sampled_from("rstu"), st.floats(0, 100)), max_size=6
    ),
    logged=st.lists(st.tuples(st.sampled_from("rstuv"), st.sampled_from(["a", "b", "z", None])), max_size=6),
)
def test_join_uses_each_traced_attempt_once_and_matches_every_request_id_it_can(traced, logged):
    docs = []
    for n, (trace, request, start) in enumerate(traced):
        docs += lambda_pair(TRACE_IDS[trace], request, f"{n:015x}a", f"{n:015x}b", 1000.0 + start)
    rows = []
    for request, trace in logged:
        attempt = 1 + sum(1 for row in rows if row["request_id"] == request)
        rows.append({"request_id": request, "attempt": attempt, "trace_id": TRACE_IDS.get(trace)})
    out, summary = join(invocations(*rows), segment_rows(docs))
    assert summary["matched_attempts"] <= len(traced)
    assert out["xray_total_ms"].notna().sum() == summary["matched_attempts"]
    for request in "rstu":
        expected = min(
            sum(1 for _, r, _ in traced if r == request), sum(1 for r, _ in logged if r == request)
        )
        matched = out.loc[out["request_id"] == request, "xray_total_ms"].notna().sum()
        assert matched >= expected  # request-id matches come first; trace-id matches may add more


def test_trace_id_match_never_takes_an_attempt_of_another_request():
    # orders calls billing in the same trace; only billing's Lambda segments were collected
    docs = lambda_pair(TRACE, "billing-request", "5000000000000001", "f000000000000010", 100.0)
    out, summary = join(invocations({"request_id": "orders-request", "trace_id": TRACE}), segment_rows(docs))
    assert out.iloc[0]["has_trace"] and pd.isna(out.iloc[0]["xray_total_ms"])
    assert summary["matched_attempts"] == 0


def test_trace_id_match_requires_the_same_function_when_known():
    docs = raw_docs("iatk-function-segment.jsonl")  # function segment alone, function name from its ARN
    trace = docs[0]["trace_id"]
    out, _ = join(
        invocations({"request_id": "r1", "trace_id": trace, "function": "other"}), segment_rows(docs)
    )
    assert pd.isna(out.iloc[0]["xray_invocation_ms"])
