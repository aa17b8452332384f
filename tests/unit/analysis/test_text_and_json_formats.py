"""The same workload written in Lambda's Text and in its JSON log format gives the same invocation table."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from lamtrace.analysis import load

STREAM = "2026/11/28/[$LATEST]{:032x}"
TRACE = "1-6747b000-0123456789abcdef01234567"


def iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


# (stream, start ms, request id, outcome, duration ms, cold, sampled trace)
WORKLOAD = [
    (1, 1_000, "r-1", "success", 12.5, True, TRACE),
    (1, 2_000, "r-2", "error", 7.25, False, None),
    (1, 3_000, "r-3", "timeout", 3000.5, False, None),
    (2, 4_000, "r-3", "success", 10.0, True, None),  # async retry of r-3 in a new environment
    (2, 9_000, "r-4", "success", 4.0, False, None),
]


def render(json_format: bool) -> list[dict]:
    events: list[dict] = []

    def emit(stream: int, ts: int, message: str) -> None:
        events.append(
            {
                "log_group": "/aws/lambda/orders",
                "log_stream": STREAM.format(stream),
                "timestamp": ts,
                "message": message,
                "event_id": f"{len(events):056d}",
                "ingestion_time": ts,
            }
        )

    for stream, t, rid, outcome, duration, cold, trace in WORKLOAD:
        end = t + int(duration) + 1
        metrics = {
            "durationMs": duration,
            "billedDurationMs": int(duration) + 1,
            "memorySizeMB": 256,
            "maxMemoryUsedMB": 80,
        }
        if cold:
            metrics["initDurationMs"] = 200.5
        if json_format:
            if cold:
                emit(
                    stream,
                    t - 201,
                    json.dumps(
                        {
                            "time": iso(t - 201),
                            "type": "platform.initStart",
                            "record": {"initializationType": "on-demand", "phase": "init"},
                        }
                    ),
                )
            emit(
                stream,
                t,
                json.dumps(
                    {
                        "time": iso(t),
                        "type": "platform.start",
                        "record": {"requestId": rid, "version": "$LATEST"},
                    }
                ),
            )
            emit(
                stream,
                t + 1,
                json.dumps({"timestamp": iso(t + 1), "level": "WARN", "requestId": rid, "message": "slow"}),
            )
            if outcome == "error":
                emit(
                    stream,
                    end - 1,
                    json.dumps(
                        {
                            "timestamp": iso(end),
                            "log_level": "ERROR",
                            "errorMessage": "bad",
                            "errorType": "ValueError",
                            "requestId": rid,
                            "stackTrace": [],
                        }
                    ),
                )
            report = {
                "requestId": rid,
                "metrics": metrics,
                "status": "success" if outcome == "success" else outcome,
            }
            if outcome == "error":
                report["errorType"] = "ValueError"
            if trace:
                report["tracing"] = {
                    "type": "X-Amzn-Trace-Id",
                    "value": f"Root={trace};Parent=35465b3a9e2f7c6a;Sampled=1",
                }
            emit(stream, end, json.dumps({"time": iso(end), "type": "platform.report", "record": report}))
        else:
            if cold:
                emit(
                    stream,
                    t - 201,
                    "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:x\n",
                )
            emit(stream, t, f"START RequestId: {rid} Version: $LATEST\n")
            emit(stream, t + 1, f"[WARNING]\t{iso(t + 1)}\t{rid}\tslow\n")
            if outcome == "error":
                emit(stream, end - 1, "[ERROR] ValueError: bad\nTraceback (most recent call last):")
            emit(stream, end, f"END RequestId: {rid}\n")
            line = (
                f"REPORT RequestId: {rid}\tDuration: {duration:.2f} ms\tBilled Duration: {int(duration) + 1} ms\t"
                "Memory Size: 256 MB\tMax Memory Used: 80 MB\t"
            )
            if cold:
                line += "Init Duration: 200.50 ms\t"
            if outcome != "success":
                line += f"Status: {outcome}\t" + ("Error Type: ValueError\t" if outcome == "error" else "")
            if trace:
                line += f"\nXRAY TraceId: {trace}\tSegmentId: 31255c3b19bd3637\tSampled: true\t"
            emit(stream, end, line + "\n")
    return events


def test_same_table_from_both_formats():
    text = load(logs=render(json_format=False)).invocations
    json_ = load(logs=render(json_format=True)).invocations
    assert set(text["log_format"]) == {"text"} and set(json_["log_format"]) == {"json"}
    assert text.drop(columns="log_format").equals(json_.drop(columns="log_format"))
    assert list(text["outcome"]) == ["success", "error", "timeout", "success", "success"]
    assert list(text["start_kind"]) == ["cold", "warm", "warm", "cold", "warm"]
    assert list(text["attempt"]) == [1, 1, 1, 2, 1]
    assert text.loc[1, "error_type"] == "ValueError" and text.loc[1, "error_message"] == "bad"
    assert text.loc[0, "trace_id"] == TRACE and bool(text.loc[0, "sampled"])
    assert (text["app_warnings"] == 1).all()
