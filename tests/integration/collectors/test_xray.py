"""collectors.xray against the moto server: PutTraceSegments → GetTraceSummaries → BatchGetTraces round trip.

moto's GetTraceSummaries fields and filter expressions are not faithful, so only trace ids and paging are checked.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from collectors import aws, xray


@pytest.fixture
def xray_client(aws_env):
    return aws.client("xray", aws.session())


def new_trace_id(epoch_s: float) -> str:
    return f"1-{int(epoch_s):08x}-{os.urandom(12).hex()}"


def segment(trace_id: str, start: float, name: str = "orders", parent: str | None = None) -> str:
    doc = {
        "name": name,
        "id": os.urandom(8).hex(),
        "trace_id": trace_id,
        "start_time": start,
        "end_time": start + 0.25,
        "origin": "AWS::Lambda::Function",
        "aws": {"request_id": "6795fe66-02b7-4e64-98b5-1061b6d08b6d"},
    }
    if parent:
        doc["parent_id"] = parent
    return json.dumps(doc, separators=(",", ":"))


def put_traces(client, count: int, start: float) -> dict[str, list[str]]:
    """``count`` traces of two segments each; returns {trace id: [documents]}."""
    traces = {}
    for i in range(count):
        trace_id = new_trace_id(start + i)
        first = segment(trace_id, start + i)
        second = segment(trace_id, start + i + 0.01, parent=json.loads(first)["id"])
        traces[trace_id] = [first, second]
    documents = [doc for docs in traces.values() for doc in docs]
    for i in range(0, len(documents), 50):
        response = client.put_trace_segments(TraceSegmentDocuments=documents[i : i + 50])
        assert response["UnprocessedTraceSegments"] == []
    return traces


def test_round_trip_in_batches_of_five(xray_client):
    now = time.time()
    put = put_traces(xray_client, 12, now - 600)
    start_ms, end_ms = int((now - 900) * 1000), int((now + 60) * 1000)
    stats = xray.TraceStats()
    ids = list(xray.iter_trace_ids(xray_client, start_ms, end_ms, stats=stats))
    assert set(put) <= set(ids)
    documents = list(xray.iter_trace_documents(xray_client, list(put), stats=stats))
    got: dict[str, list[str]] = {}
    for doc in documents:
        assert list(doc) == ["trace_id", "segment_id", "document"]
        assert json.loads(doc["document"])["id"] == doc["segment_id"]
        got.setdefault(doc["trace_id"], []).append(doc["document"])
    assert {t: sorted(d) for t, d in got.items()} == {t: sorted(d) for t, d in put.items()}
    assert stats.traces == 12 and stats.segments == 24 and stats.unprocessed == []


def test_unprocessed_ids_are_asked_again(xray_client, monkeypatch):
    now = time.time()
    ready = put_traces(xray_client, 3, now - 300)
    late_id = new_trace_id(now - 200)
    late_doc = segment(late_id, now - 200)
    rounds = []

    def sleep_then_segment_arrives(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 2:  # X-Ray has processed the segment by the second retry round
            xray_client.put_trace_segments(TraceSegmentDocuments=[late_doc])

    monkeypatch.setattr(xray.time, "sleep", sleep_then_segment_arrives)
    stats = xray.TraceStats()
    documents = list(xray.iter_trace_documents(xray_client, [*ready, late_id], stats=stats))
    assert {d["trace_id"] for d in documents} == {*ready, late_id}
    assert len(rounds) == 2 and stats.unprocessed == []

    missing = new_trace_id(now)
    stats = xray.TraceStats()
    assert list(xray.iter_trace_documents(xray_client, [missing], stats=stats)) == []
    assert stats.unprocessed == [missing]
