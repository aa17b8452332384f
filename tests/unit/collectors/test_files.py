"""collectors.files: every supported format, detected and read into the raw shapes, bad input counted."""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil

import pytest

from collectors import file_formats as ff
from collectors import files
from collectors.events import RAW_EVENT_KEYS, RAW_TRACE_KEYS, is_raw_event
from collectors.events import raw_event as raw
from lamtrace.errors import InputError
from tests.conftest import FIXTURES

FILES = FIXTURES / "files"
EXPORT = FILES / "export"
EXPORT_STREAM = "2024/10/03/[$LATEST]94fa867e5374431291a7fc14e2f56ae7"


def read_all(path, **options):
    stats = files.ReadStats()
    records = list(files.read(path, stats=stats, **options))
    return records, stats


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("events.jsonl", ff.EVENTS_JSONL),
        ("filter-log-events.jsonl", ff.FILTER_EVENTS_JSONL),
        ("filter-log-events.json", ff.FILTER_EVENTS_JSON),
        ("get-log-events.json", ff.GET_EVENTS_JSON),
        ("invoke-and-get-log-events.json", ff.GET_EVENTS_JSON),
        ("subscription.json", ff.SUBSCRIPTION),
        ("subscription.b64", ff.SUBSCRIPTION_BASE64),
        ("batch-get-traces.json", ff.BATCH_GET_TRACES_JSON),
        ("otlp-traces.json", ff.OTLP_JSON),
        (
            f"export/damtest-export/0f9b1c6e-6a4e-4d53-9d0a-3f1e2c7b8a90/{EXPORT_STREAM}/000000.gz",
            ff.CLOUDWATCH_EXPORT,
        ),
        ("export/damtest-export/aws-logs-write-test", ff.IGNORED),
        ("logs-tail.txt", ff.LOGS_TAIL),
    ],
)
def test_detect_format(name, fmt):
    assert files.detect_format(FILES / name) == fmt


def test_every_log_format_yields_exact_raw_events():
    records, stats = read_all(FILES)
    events = [r for kind, r in records if kind == files.LOG_EVENT]
    traces = [r for kind, r in records if kind == files.TRACE]
    assert events and traces
    assert all(list(e) == list(RAW_EVENT_KEYS) and is_raw_event(e) for e in events)
    assert all(list(t) == list(RAW_TRACE_KEYS) for t in traces)
    assert stats.events == len(events) and stats.traces == len(traces)


def test_filter_log_events_output_takes_group_from_option_or_file_name():
    records, _ = read_all(FILES / "filter-log-events.json")
    assert [r["log_stream"] for _, r in records] == ["teststream", "2024/05/09/[$LATEST]abc1024"]
    assert records[0][1]["event_id"] == "00091539120382912324200901570000096855579456010247667712"
    assert records[0][1]["ingestion_time"] == 1712567844822
    assert {r["log_group"] for _, r in records} == {"filter-log-events"}
    records, _ = read_all(FILES / "filter-log-events.json", log_group="/aws/lambda/demo")
    assert {r["log_group"] for _, r in records} == {"/aws/lambda/demo"}


def test_filter_jsonl_keeps_its_own_group_and_counts_the_truncated_line():
    records, stats = read_all(FILES / "filter-log-events.jsonl", log_group="ignored-when-line-has-one")
    assert len(records) == 5
    assert {r["log_group"] for _, r in records} == {"/aws/lambda/damtest"}
    assert stats.skipped == 1 and "line 6" in stats.files[0].reasons[0]


def test_get_log_events_synthesises_stable_distinct_ids():
    records, _ = read_all(FILES / "get-log-events.json", log_group="my-logs", log_stream="20150601")
    events = [r for _, r in records]
    assert [e["log_stream"] for e in events] == ["20150601"] * 3
    # the first two events have the same timestamp and message: still two events, two ids
    assert events[0]["message"] == events[1]["message"] and events[0]["timestamp"] == events[1]["timestamp"]
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == 3 and all(i.startswith("lt-") for i in ids)
    again, _ = read_all(FILES / "get-log-events.json", log_group="my-logs", log_stream="20150601")
    assert [e["event_id"] for _, e in again] == ids


def test_get_log_events_items_as_json_lines(tmp_path):
    document = json.loads((FILES / "get-log-events.json").read_text())
    (tmp_path / "20150601.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in document["events"]) + "{oops\n"
    )
    assert files.detect_format(tmp_path / "20150601.jsonl") == ff.GET_EVENTS_JSONL
    records, stats = read_all(tmp_path / "20150601.jsonl", log_group="my-logs")
    from_document, _ = read_all(FILES / "get-log-events.json", log_group="my-logs", log_stream="20150601")
    assert records == from_document and stats.skipped == 1


def test_get_log_events_after_other_cli_output_in_the_same_file():
    records, stats = read_all(FILES / "invoke-and-get-log-events.json")
    assert [r["message"].split(" ", 1)[0] for _, r in records][0] == "START"
    assert len(records) == 5 and stats.skipped == 0
    assert records[-1][1]["message"].endswith("\t\n")


def test_export_object_rejoins_multiline_events_and_keeps_trailing_newlines():
    records, stats = read_all(EXPORT)
    events = [r for _, r in records]
    canonical = [json.loads(line) for line in (FILES / "events.jsonl").read_text().splitlines()]
    assert [e["message"] for e in events] == [c["message"] for c in canonical]
    assert [e["timestamp"] for e in events] == [c["timestamp"] for c in canonical]
    assert {e["log_stream"] for e in events} == {EXPORT_STREAM}
    assert {e["log_group"] for e in events} == {"damtest-export"}
    assert stats.skipped == 0 and sorted(f.format for f in stats.files) == [ff.CLOUDWATCH_EXPORT, ff.IGNORED]


def test_export_group_option_and_layout_without_task_id(tmp_path):
    target = tmp_path / "orders" / "stream-a" / "000001.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(gzip.compress(b"continuation before any event\n2024-10-03T13:11:59.100Z one\n"))
    records, stats = read_all(target)
    assert [(r["log_group"], r["log_stream"], r["message"]) for _, r in records] == [
        ("orders", "stream-a", "one")
    ]
    assert stats.skipped == 1
    records, _ = read_all(target, log_group="/aws/lambda/orders")
    assert records[0][1]["log_group"] == "/aws/lambda/orders"


def test_aws_logs_tail_output_takes_the_stream_from_each_line():
    records, stats = read_all(FILES / "logs-tail.txt", log_group="/aws/lambda/apcStackMonitor")
    events = [r for _, r in records]
    assert len(events) == 10 and stats.skipped == 0
    assert {e["log_stream"] for e in events} == {
        "2024/03/05/apcStackMonitor[$LATEST]6e6762b029cb4f7d8963c3206226deac"
    }
    assert events[0]["timestamp"] == 1709651897870  # 2024-03-05T15:18:17.870000+00:00
    assert events[0]["message"].startswith("INIT_START Runtime Version: python:3.11.v29")
    assert events[-1]["message"].startswith("REPORT RequestId: 1bdd37b4-e95b-43bd-a49b-9da55e603845")
    assert {e["log_group"] for e in events} == {"/aws/lambda/apcStackMonitor"}


def test_subscription_payloads_plain_gzip_and_base64(tmp_path):
    payload = json.loads((FILES / "subscription.json").read_text())
    # Firehose delivers concatenated gzipped payloads without separators
    (tmp_path / "firehose.gz").write_bytes(gzip.compress((json.dumps(payload) * 2).encode()))
    records, _ = read_all(tmp_path / "firehose.gz")
    assert len(records) == 2 and records[0][1]["event_id"] == payload["logEvents"][0]["id"]
    records, stats = read_all(FILES / "subscription.b64")
    assert len(records) == 1  # the CONTROL_MESSAGE payload holds no events, the broken line is counted
    assert records[0][1]["log_group"] == "/aws/lambda/echo-nodejs"
    assert stats.skipped == 1


def test_batch_get_traces_documents_are_the_stored_strings():
    records, _ = read_all(FILES / "batch-get-traces.json")
    raw = json.loads((FILES / "batch-get-traces.json").read_text())
    segments = raw["Traces"][0]["Segments"]
    assert [r["document"] for _, r in records] == [s["Document"] for s in segments]
    assert {r["trace_id"] for _, r in records} == {"1-59602603-23fc5b688855d396af79b496"}


def test_truncated_document_yields_what_precedes_and_counts_the_rest():
    records, stats = read_all(FILES / "batch-get-traces-truncated.json")
    assert len(records) == 5
    assert stats.skipped == 1 and "rest of file not read" in stats.files[0].reasons[0]


def test_otlp_spans_become_one_span_exports():
    records, _ = read_all(FILES / "otlp-traces.json")
    first, second = (r for _, r in records)
    assert first["trace_id"] == "1-5b8efff7-98038103d269b633813fc60c"
    assert first["segment_id"] == "eee19b7ec3c1b174"
    original = json.loads((FILES / "otlp-traces.json").read_text())["resourceSpans"][0]
    doc = json.loads(second["document"])
    (resource_spans,) = doc["resourceSpans"]
    assert resource_spans["resource"] == original["resource"]
    (scope_spans,) = resource_spans["scopeSpans"]
    assert scope_spans["scope"] == original["scopeSpans"][0]["scope"]
    assert scope_spans["spans"] == [original["scopeSpans"][0]["spans"][1]]


def test_otlp_documents_parse_with_the_analyzer():
    otlp = pytest.importorskip("lamtrace.analysis.formats.otlp")
    records, _ = read_all(FILES / "otlp-traces.json")
    rows = [row for _, r in records for row in otlp.parse_export(r["document"])]
    assert [row["segment_id"] for row in rows] == ["eee19b7ec3c1b174", "eee19b7ec3c1b175"]
    assert {row["trace_id"] for row in rows} == {records[0][1]["trace_id"]}


def test_otlp_base64_ids_are_converted_to_hex(tmp_path):
    data = json.loads((FILES / "otlp-traces.json").read_text())
    span = data["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    span["traceId"] = base64.b64encode(bytes.fromhex(span["traceId"])).decode()
    span["spanId"] = base64.b64encode(bytes.fromhex(span["spanId"])).decode()
    (tmp_path / "otlp.jsonl").write_text(json.dumps(data) + "\n")
    records, _ = read_all(tmp_path / "otlp.jsonl")
    assert records[0][1]["trace_id"] == "1-5b8efff7-98038103d269b633813fc60c"
    assert records[0][1]["segment_id"] == "eee19b7ec3c1b174"


def test_canonical_jsonl_rejects_lines_with_other_keys(tmp_path):
    lines = (FILES / "events.jsonl").read_text().splitlines()
    bad = json.loads(lines[1])
    bad["extra"] = 1
    lines[1] = json.dumps(bad)
    (tmp_path / "events.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    records, stats = read_all(tmp_path / "events.jsonl.gz")
    assert files.detect_format(tmp_path / "events.jsonl.gz") == ff.EVENTS_JSONL
    assert len(records) == len(lines) - 1 and stats.skipped == 1


def test_truncated_gzip_is_counted_not_fatal(tmp_path):
    lines = [json.dumps(raw("g", "s", i, os.urandom(30).hex(), str(i), None)) for i in range(3000)]
    data = gzip.compress("\n".join(lines).encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    records, stats = read_all(tmp_path / "cut.jsonl.gz")
    assert 0 < len(records) < 3000 and stats.skipped >= 1
    assert any("compressed data" in r for r in stats.files[0].reasons)


def test_unknown_format_names_the_file(tmp_path):
    (tmp_path / "notes.txt").write_text("hello, this is not telemetry\n")
    with pytest.raises(InputError, match="notes.txt"):
        list(files.read(tmp_path / "notes.txt"))
    (tmp_path / "other.json").write_text('{"some": "json"}\n')
    with pytest.raises(InputError, match="other.json: unknown file format"):
        files.detect_format(tmp_path / "other.json")


def test_missing_path_and_empty_glob_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        files.expand(tmp_path / "nope.json")
    with pytest.raises(InputError, match="no files match"):
        files.expand(str(tmp_path / "*.json"))


def test_empty_file_yields_nothing(tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    assert files.detect_format(tmp_path / "empty.jsonl") == ff.EMPTY
    assert read_all(tmp_path / "empty.jsonl")[0] == []


def test_glob_and_directory_expansion_skip_hidden_files(tmp_path):
    shutil.copy(FILES / "events.jsonl", tmp_path / "a.jsonl")
    shutil.copy(FILES / "events.jsonl", tmp_path / ".hidden.jsonl")
    assert files.expand(tmp_path) == [str(tmp_path / "a.jsonl")]
    assert files.expand(str(tmp_path / "*.jsonl")) == [str(tmp_path / "a.jsonl")]


def test_iter_helpers_split_by_kind():
    assert all("event_id" in e for e in files.iter_log_events(FILES))
    assert all("segment_id" in t for t in files.iter_trace_documents(FILES))
