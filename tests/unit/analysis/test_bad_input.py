"""Bad input is counted, never a crash, and nothing valid is dropped (issue item 7)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from lamtrace.analysis import load
from lamtrace.errors import InputError

RID = "aaaaaaaa-0000-4000-8000-00000000000{}"
STREAM = "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef"


def event(ts: int, message: str, event_id: str | None = None) -> dict:
    return {
        "log_group": "/aws/lambda/orders",
        "log_stream": STREAM,
        "timestamp": ts,
        "message": message,
        "event_id": event_id or f"{ts:056d}",
        "ingestion_time": ts + 10,
    }


def invocation(n: int, t0: int) -> list[dict]:
    rid = RID.format(n)
    return [
        event(t0, f"START RequestId: {rid} Version: $LATEST\n"),
        event(t0 + 1, f"[INFO]\t2026-11-28T00:00:00.000Z\t{rid}\thello\n"),
        event(t0 + 5, f"END RequestId: {rid}\n"),
        event(
            t0 + 6,
            f"REPORT RequestId: {rid}\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 50 MB\t\n",
        ),
    ]


def write_lines(path: Path, lines: list[bytes]) -> str:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def test_truncated_json_line_is_counted_and_the_rest_kept(tmp_path):
    good = [json.dumps(e).encode() for e in invocation(1, 1000) + invocation(2, 2000)]
    path = write_lines(tmp_path / "a.jsonl", good[:3] + [good[3][:40]] + good[4:])  # REPORT of #1 cut short
    ds = load(logs=path)
    assert ds.coverage["files"]["skipped_records"] == 1
    assert ds.coverage["files"]["reread_files"] == 1
    assert ds.coverage["events"] == 7
    inv = ds.invocations.set_index("request_id")
    assert not inv.loc[RID.format(1), "has_report"] and inv.loc[RID.format(2), "has_report"]


def test_non_utf8_bytes_are_counted_and_the_event_kept(tmp_path):
    lines = [json.dumps(e).encode() for e in invocation(1, 1000)]
    lines[1] = lines[1].replace(b"hello", b"h\xff\xfello")
    ds = load(logs=write_lines(tmp_path / "a.jsonl", lines))
    assert ds.coverage["files"]["replaced_bytes_events"] == 1
    assert ds.coverage["events"] == 4
    assert ds.invocations["app_lines"].tolist() == [1]


def test_same_event_id_twice_from_overlapping_pulls_is_deduplicated(tmp_path):
    events = invocation(1, 1000)
    first = write_lines(tmp_path / "pull1.jsonl", [json.dumps(e).encode() for e in events])
    second = write_lines(
        tmp_path / "pull2.jsonl", [json.dumps(e).encode() for e in events[2:] + invocation(2, 2000)]
    )
    ds = load(logs=[first, second])
    assert ds.coverage["duplicates_dropped"] == 2
    assert len(ds.invocations) == 2 and ds.invocations["attempt"].tolist() == [1, 1]


def test_out_of_order_events_give_the_same_table():
    events = invocation(1, 1000) + invocation(2, 2000)
    in_order = load(logs=events).invocations
    shuffled = load(logs=list(reversed(events))).invocations
    assert in_order.equals(shuffled)


def test_log_group_without_report_lines():
    events = [e for e in invocation(1, 1000) + invocation(2, 2000) if "REPORT" not in e["message"]]
    ds = load(logs=events)
    assert ds.coverage["attempts_without_report"] == 2 and ds.coverage["attempts_with_report"] == 0
    assert ds.invocations["outcome"].isna().all()  # nothing says how they ended
    assert ds.invocations["app_lines"].tolist() == [1, 1]


def test_empty_inputs(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    for logs in ([], str(tmp_path / "empty.jsonl")):
        ds = load(logs=logs)
        assert ds.invocations.empty and ds.coverage["events"] == 0
        assert list(ds.invocations.columns) == list(load(logs=invocation(1, 0)).invocations.columns)
    with pytest.raises(InputError):
        load(logs=str(tmp_path / "nothing-*.jsonl"))
    with pytest.raises(InputError):
        load()


def test_events_missing_fields_and_wrong_types(tmp_path):
    events = invocation(1, 1000)
    no_message = dict(events[1], message=None)
    no_id = dict(events[1], event_id=None)
    text_ts = dict(events[2], timestamp="1005")
    ds = load(logs=[events[0], no_message, no_id, text_ts, events[3], "not a dict"])
    assert ds.coverage["files"]["skipped_records"] == 2  # the event without message, the string
    assert ds.coverage["files"]["missing_event_id"] == 1
    assert ds.coverage["events"] == 4
    assert ds.invocations["app_lines"].tolist() == [1]


def test_gzip_and_parquet_inputs(tmp_path):
    pd = pytest.importorskip("pandas")
    events = invocation(1, 1000)
    gz = tmp_path / "a.jsonl.gz"
    with gzip.open(gz, "wt") as handle:
        handle.write("\n".join(json.dumps(e) for e in events) + "\n")
    pq = tmp_path / "b.parquet"
    pd.DataFrame(invocation(2, 2000)).to_parquet(pq)
    ds = load(logs=str(tmp_path))
    assert sorted(ds.invocations["request_id"]) == [RID.format(1), RID.format(2)]
