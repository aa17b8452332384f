"""The local X-Ray daemon receives what the real aws-xray-sdk sends and forwards it with PutTraceSegments."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap

import pytest

from collectors.daemon import XRayDaemon, parse_datagram

TRACE_ID = "1-6745c0de-0123456789abcdef01234567"


def send(address: str, payload: bytes) -> None:
    host, port = address.rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(payload, (host, int(port)))


def datagram(document: dict) -> bytes:
    return b'{"format":"json","version":1}\n' + json.dumps(document).encode()


def test_parse_datagram_rejects_what_is_not_a_segment():
    doc = {"trace_id": TRACE_ID, "id": "53995c3f42cd8ad8", "name": "x", "start_time": 1.0, "end_time": 2.0}
    assert parse_datagram(datagram(doc)) == doc
    for bad in (
        b"no header",
        b'{"format":"json","version":2}\n{}',
        b'{"format":"json","version":1}\n{"id": "x"}',
        b'{"format":"json","version":1}\n{"trace_id": "t", "id": "i"',
        b'{"format":"json","version":1}\n[1]',
    ):
        with pytest.raises(ValueError):
            parse_datagram(bad)


def test_real_sdk_subsegments_are_written_as_raw_trace_documents(tmp_path):
    out = tmp_path / "traces" / "daemon.jsonl"
    with XRayDaemon(port=0, out=out) as daemon:
        script = textwrap.dedent(
            f"""
            import os
            os.environ["AWS_XRAY_DAEMON_ADDRESS"] = "{daemon.address}"
            from aws_xray_sdk.core import xray_recorder
            segment = xray_recorder.begin_segment("caller", traceid="{TRACE_ID}", sampling=1)
            with xray_recorder.in_subsegment("work") as sub:
                sub.put_annotation("order", "42")
            xray_recorder.end_segment()
            """
        )
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
        send(daemon.address, b"garbage")
        deadline_docs = _wait_for(lambda: daemon.received >= 1 and daemon.malformed == 1)
    assert deadline_docs
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {tuple(sorted(row)) for row in rows} == {("document", "segment_id", "trace_id")}
    documents = [json.loads(row["document"]) for row in rows]
    segment = next(doc for doc in documents if doc["name"] == "caller")
    assert segment["trace_id"] == TRACE_ID and rows[documents.index(segment)]["segment_id"] == segment["id"]
    work = (
        segment["subsegments"][0]
        if "subsegments" in segment
        else next(d for d in documents if d["name"] == "work")
    )
    assert work["annotations"] == {"order": "42"}
    assert daemon.malformed == 1


def _wait_for(condition, timeout: float = 5.0) -> bool:
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_forwarding_with_put_trace_segments_round_trips(aws_env, moto_reset, tmp_path):
    import boto3

    client = boto3.client("xray")
    received = []
    docs = [
        {
            "trace_id": TRACE_ID,
            "id": f"{i:016x}",
            "name": "svc",
            "start_time": 1_764_324_000.0 + i,
            "end_time": 1_764_324_000.5 + i,
        }
        for i in range(60)
    ]
    with XRayDaemon(port=0, xray_client=client, on_document=received.append) as daemon:
        for doc in docs:
            send(daemon.address, datagram(doc))
        assert _wait_for(lambda: daemon.received == 60)
    assert len(received) == 60 and daemon.forwarded == 60 and daemon.unprocessed == 0
    traces = client.batch_get_traces(TraceIds=[TRACE_ID])["Traces"]
    stored = {json.loads(s["Document"])["id"] for t in traces for s in t["Segments"]}
    assert stored == {doc["id"] for doc in docs}


def test_forwarding_errors_are_counted_not_fatal(monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    client = boto3.client(
        "xray", region_name="us-east-1", endpoint_url="http://127.0.0.1:9"
    )  # nothing listens
    with XRayDaemon(port=0, xray_client=client) as daemon:
        send(
            daemon.address,
            datagram({"trace_id": TRACE_ID, "id": "a" * 16, "name": "x", "start_time": 1.0, "end_time": 2.0}),
        )
        assert _wait_for(lambda: daemon.received == 1)
    assert daemon.forwarded == 0 and daemon.unprocessed == 1 and daemon.forward_errors
