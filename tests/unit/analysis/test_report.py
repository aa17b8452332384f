"""build_report on small hand-computed datasets: one test that can fail per definition in docs/report.md."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from lamtrace.analysis.report import SCHEMA, Report, build_report
from lamtrace.errors import InputError
from tests.unit.analysis.invocation_builder import invocations
from tests.unit.analysis.trace_helpers import raw_docs

STREAM_A = "2026/11/28/[$LATEST]aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
STREAM_B = "2026/11/28/[$LATEST]bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def report(*rows, segments=None, coverage=None, **options) -> Report:
    dataset = SimpleNamespace(
        invocations=invocations(*rows),
        segments=segments if segments is not None else pd.DataFrame(),
        coverage=coverage or {},
    )
    return build_report(dataset, **options)


def only(rep: Report) -> dict:
    (entry,) = rep.to_dict()["functions"]
    return entry


RETRIED = (
    # request A: two failed attempts then a success (async retries reuse the request id)
    {"request_id": "A", "attempt": 1, "outcome": "error", "start_time": "2026-11-28T10:00:00Z"},
    {"request_id": "A", "attempt": 2, "outcome": "error", "start_time": "2026-11-28T10:01:00Z"},
    {"request_id": "A", "attempt": 3, "outcome": "success", "start_time": "2026-11-28T10:03:00Z"},
    # request B: one timeout
    {"request_id": "B", "attempt": 1, "outcome": "timeout", "start_time": "2026-11-28T10:00:30Z"},
)


def test_attempts_invocations_retries():
    entry = only(report(*RETRIED))
    assert (entry["attempts"], entry["invocations"], entry["retries"]) == (4, 2, 2)


def test_outcomes_per_attempt_and_final_outcome_per_invocation():
    entry = only(report(*RETRIED))
    assert entry["outcomes"] == {"success": 1, "error": 2, "timeout": 1, "crash": 0, "init_error": 0}
    assert entry["errors"] == 2 and entry["timeouts"] == 1  # a timeout is not also an error
    assert (
        entry["outcome_rates"]["error"] == 0.5
        and entry["error_rate"] == 0.5
        and entry["timeout_rate"] == 0.25
    )
    assert entry["failed_attempts"] == 3 and entry["failed_attempt_rate"] == 0.75
    assert entry["final_outcomes"] == {"success": 1, "error": 0, "timeout": 1, "crash": 0, "init_error": 0}
    assert entry["final_outcome_rates"]["success"] == 0.5
    assert entry["failed_invocations"] == 1 and entry["failure_rate"] == 0.5


def test_crash_and_init_error_counts():
    entry = only(report({"outcome": "crash"}, {"outcome": "init_error"}, {"outcome": "success"}))
    assert (entry["crashes"], entry["init_errors"], entry["errors"]) == (1, 1, 0)


def test_error_lines_in_successful_attempts_are_counted_apart_not_as_failures():
    entry = only(report({"outcome": "success", "app_errors": 3}, {"outcome": "error", "app_errors": 1}))
    assert entry["app_error_lines_in_successful_attempts"] == 3
    assert entry["errors"] == 1 and entry["final_outcomes"]["success"] == 1


def test_redeliveries_by_delivery_key_and_delivery_attempt():
    entry = only(
        report(
            {"delivery_key": "m-1", "delivery_attempt": 1, "start_time": "2026-11-28T10:00:00Z"},
            {"delivery_key": "m-1", "delivery_attempt": 2, "start_time": "2026-11-28T10:05:00Z"},
            {
                "delivery_key": "m-2",
                "delivery_attempt": 3,
                "start_time": "2026-11-28T10:06:00Z",
            },  # first not seen
            {"delivery_key": "m-3", "delivery_attempt": 1},
            {"delivery_key": "m-3", "start_time": "2026-11-28T10:09:00Z"},  # same key, later, attempt unknown
        )
    )
    assert entry["redeliveries"] == 3 and entry["retries"] == 0


def test_cold_starts_by_kind_and_rate():
    entry = only(
        report(
            {"cold_start": True, "start_kind": "cold", "init_ms": 300.0},
            {"cold_start": True, "start_kind": "snapstart", "restore_ms": 500.0},
            {"cold_start": True, "start_kind": "provisioned"},
            {"cold_start": False, "start_kind": "warm"},
        )
    )
    assert entry["cold_starts"] == 3 and entry["cold_start_rate"] == 0.75
    assert entry["cold_starts_by_kind"] == {"cold": 1, "provisioned": 1, "snapstart": 1, "proactive": 0}


def test_duration_percentiles_all_warm_cold_and_end_to_end():
    entry = only(
        report(
            {"duration_ms": 100.0},
            {"duration_ms": 200.0},
            {"duration_ms": 300.0},
            {"duration_ms": 1000.0, "cold_start": True, "start_kind": "cold", "init_ms": 500.0},
            {"duration_ms": 50.0, "cold_start": True, "start_kind": "snapstart", "restore_ms": 250.0},
        )
    )
    assert entry["duration_ms"] == {"n": 5, "p50": 200.0, "p90": 720.0, "p99": 972.0, "max": 1000.0}
    assert entry["duration_warm_ms"] == {"n": 3, "p50": 200.0, "p90": 280.0, "p99": 298.0, "max": 300.0}
    assert entry["duration_cold_ms"]["n"] == 2 and entry["duration_cold_ms"]["p50"] == 525.0
    # end to end: 100, 200, 300, 1500, 300
    assert entry["end_to_end_ms"]["p50"] == 300.0 and entry["end_to_end_ms"]["max"] == 1500.0
    assert entry["init_ms"] == {"n": 1, "p50": 500.0, "p99": 500.0, "max": 500.0}
    assert entry["restore_ms"]["n"] == 1


def test_billed_duration():
    entry = only(report({"billed_ms": 100.0}, {"billed_ms": 301.0}, {"billed_ms": None, "has_report": False}))
    assert entry["billed_ms"] == {"n": 2, "total": 401.0, "mean": 200.5}


@pytest.mark.parametrize(
    ("size", "peak", "verdict", "suggested"),
    [
        (1024, 200, "over", 320),
        (128, 120, "near_limit", None),
        (512, 300, "ok", None),
        (256, 60, "over", 128),
        (128, 40, "ok", None),
    ],
)
def test_memory_utilisation_and_right_size_hint(size, peak, verdict, suggested):
    memory = only(
        report({"memory_mb": size, "max_memory_mb": peak}, {"memory_mb": size, "max_memory_mb": 10})
    )["memory"]
    assert memory["memory_mb"] == size and memory["max_memory_used_mb"]["max"] == peak
    assert memory["utilisation"] == pytest.approx(peak / size, abs=1e-6)
    assert (memory["hint"]["verdict"], memory["hint"]["suggested_mb"]) == (verdict, suggested)


def test_execution_environments():
    entry = only(
        report(
            {"log_stream": STREAM_A, "start_time": "2026-11-28T10:00:00Z", "duration_ms": 100.0},
            {"log_stream": STREAM_A, "start_time": "2026-11-28T10:00:10Z", "duration_ms": 100.0},
            {"log_stream": STREAM_A, "start_time": "2026-11-28T10:01:00Z", "duration_ms": 500.0},
            {"log_stream": STREAM_B, "start_time": "2026-11-28T10:00:00Z", "duration_ms": 250.0},
        )
    )
    envs = entry["environments"]
    assert envs["count"] == 2
    assert envs["attempts_per_environment"]["p50"] == 2.0 and envs["attempts_per_environment"]["max"] == 3.0
    assert envs["lifetime_s"]["max"] == 60.5 and envs["lifetime_s"]["n"] == 2


def test_cost_section_uses_the_price_table():
    entry = only(report({"memory_mb": 1024, "billed_ms": 2000.0}, {"memory_mb": 1024, "billed_ms": 2000.0},
                        region="us-east-1", architecture="arm64"))  # fmt: skip
    assert entry["cost"]["gb_seconds"] == 4.0
    assert entry["cost"]["compute_usd"] == pytest.approx(4 * 0.0000133334)
    assert report({}).to_dict()["pricing"]["architecture"] == "x86_64"


def test_group_by_version_and_trigger():
    rep = report(
        {"version": "1", "trigger": "sqs"}, {"version": "2", "trigger": "sqs"}, {"version": "2", "trigger": "sqs"},
        {"function": "pay", "version": "1"}, group_by="version,trigger",
    )  # fmt: skip
    entries = rep.to_dict()["functions"]
    assert [(e["function"], e["version"], e["trigger"], e["attempts"]) for e in entries] == [
        ("orders", "1", "sqs", 1), ("orders", "2", "sqs", 2), ("pay", "1", None, 1)
    ]  # fmt: skip
    assert rep.to_dict()["totals"]["attempts"] == 4 and rep.to_dict()["totals"]["functions"] == 2
    with pytest.raises(InputError, match="cannot group by"):
        report({}, group_by=("colour",))


def test_slowest_and_failed_listings_carry_trace_ids_and_respect_top():
    data = report(
        {"duration_ms": 10.0, "trace_id": "1-a-1"}, {"duration_ms": 30.0, "trace_id": "1-a-3"},
        {"duration_ms": 20.0, "outcome": "error", "error_type": "KeyError", "trace_id": "1-a-2"},
        {"duration_ms": 5.0, "outcome": "timeout", "start_time": "2026-11-28T11:00:00Z"},
        top=2,
    ).to_dict()  # fmt: skip
    assert [s["duration_ms"] for s in data["slowest"]] == [30.0, 20.0]
    assert data["slowest"][0]["trace_id"] == "1-a-3"
    assert [f["outcome"] for f in data["failed"]] == ["timeout", "error"]  # most recent first
    assert data["failed"][1]["error_type"] == "KeyError" and data["failed"][1]["trace_id"] == "1-a-2"


def test_traces_are_joined_when_the_dataset_has_not_done_it():
    from lamtrace.analysis.traces import segment_rows

    segments = segment_rows(raw_docs("xdg-batch-get-traces.json"))
    rep = report(
        {"function": "random-name", "request_id": "ac086670-6373-11e7-a174-f31b3397f190"},
        {"function": "random-name"},
        segments=segments,
    )
    entry = only(rep)
    assert entry["traced"] == 1 and entry["trace_coverage"] == 0.5
    xray = entry["xray"]
    assert xray["attempts"] == 1 and xray["xray_init_ms"]["p50"] == 755.0
    assert xray["with_breakdown"] == 1
    assert xray["mean_per_attempt_ms"] == {"xray_init_ms": 755.0, "xray_invocation_ms": 0.0, "xray_overhead_ms": 0.0,
                                           "downstream_ms": 959.0}  # fmt: skip
    assert xray["downstream_by_service"] == {"SNS": {"attempts": 1, "total_ms": 959.0, "mean_ms": 959.0}}
    coverage = rep.to_dict()["coverage"]
    assert coverage["traces"]["matched_attempts"] == 1
    assert coverage["traces"]["documents"]["documents"] == 5


def test_coverage_passes_the_datasets_through_and_adds_table_counts():
    data = report({"has_app_logs": True}, {"has_report": False}, coverage={"unparsed_events": 7}).to_dict()
    assert data["coverage"]["unparsed_events"] == 7
    assert data["coverage"]["traces"] == {"available": False}
    table = data["coverage"]["table"]
    assert table["attempts_with_report"] == 1 and table["attempts_without_report"] == 1
    assert table["attempts_with_app_logs"] == 1


def test_timeline_buckets():
    data = report(*RETRIED, bucket="1min").to_dict()
    rows = [(r["bucket_start"], r["attempts"], r["invocations"], r["retries"], r["error"], r["timeout"])
            for r in data["timeline"]]  # fmt: skip
    assert rows == [
        ("2026-11-28T10:00:00.000Z", 2, 2, 0, 1, 1),
        ("2026-11-28T10:01:00.000Z", 1, 0, 1, 1, 0),
        ("2026-11-28T10:03:00.000Z", 1, 0, 1, 0, 0),
    ]
    with pytest.raises(InputError, match="time bucket"):
        report({}, bucket="fortnightly")


def test_to_dict_is_json_with_the_documented_keys():
    data = report(*RETRIED, {"function": "pay", "duration_ms": None, "memory_mb": None}).to_dict()
    text = json.dumps(data, allow_nan=False)  # no NaN, no numpy types
    assert json.loads(text) == data
    assert data["schema"] == SCHEMA and set(data) >= {"functions", "totals", "coverage", "window", "pricing"}
    for entry in data["functions"]:
        for key in (
            "function",
            "attempts",
            "invocations",
            "retries",
            "cold_starts",
            "errors",
            "timeouts",
            "traced",
        ):
            assert key in entry
        assert set(entry["duration_ms"]) == {"n", "p50", "p90", "p99", "max"}
    pay = next(e for e in data["functions"] if e["function"] == "pay")
    assert pay["duration_ms"]["p50"] is None and pay["memory"]["memory_mb"] is None
    assert data["window"] == {"start": "2026-11-28T10:00:00.000Z", "end": "2026-11-28T10:03:00.100Z"}


def test_to_dict_returns_a_copy():
    rep = report({})
    rep.to_dict()["functions"].clear()
    assert len(rep.to_dict()["functions"]) == 1


def test_to_frame_one_row_per_function_with_flat_columns():
    frame = report(*RETRIED, {"function": "pay"}).to_frame()
    assert list(frame["function"]) == ["orders", "pay"]
    assert {"duration_ms.p99", "duration_ms.n", "cost.total_usd", "memory.hint.verdict"} <= set(frame.columns)


def test_renderings():
    """``Report.render`` is the CLI's renderer (lamtrace.render): same formats, same text."""
    rep = report(*RETRIED, {"function": "pay", "trace_id": "1-5759e988-bd862e3fe1be46a994272793"})
    html = rep._repr_html_()
    assert html.startswith('<div class="lamtrace-report">') and "<table>" in html and "orders" in html
    assert "<html" not in html and "<body" not in html and rep.render("html") == html
    markdown = rep.render("markdown")
    assert "| function | attempts |" in markdown and "| **total** |" in markdown
    table = rep.render("table")
    assert any(line.split()[:3] == ["function", "attempts", "invocations"] for line in table.splitlines())
    assert "orders" in table and "total" in table and "\x1b[" not in table
    assert json.loads(rep.render("json")) == rep.to_dict()
    csv = rep.render("csv")
    assert [line.split(",")[0] for line in csv.splitlines()] == ["function", "orders", "pay", "total"]
    with pytest.raises(InputError, match="unknown report format"):
        rep.render("yaml")


def test_html_escapes_values():
    assert "<script>" not in report({"function": "<script>"})._repr_html_()


def test_empty_dataset():
    data = report().to_dict()
    assert data["functions"] == [] and data["totals"]["attempts"] == 0
    assert data["totals"]["duration_ms"]["p50"] is None and data["totals"]["error_rate"] is None
    json.dumps(data, allow_nan=False)


def test_xray_means_count_a_missing_phase_as_zero():
    traced = {"has_trace": True, "xray_invocation_ms": 100.0, "xray_overhead_ms": 2.0, "downstream_ms": 40.0}
    entry = only(report({**traced, "xray_init_ms": 600.0}, traced, traced, {"has_trace": True}, {}))
    xray = entry["xray"]
    assert (xray["attempts"], xray["with_breakdown"]) == (4, 3)
    assert xray["mean_per_attempt_ms"]["xray_init_ms"] == 200.0  # 600 / 3, not the p50 of cold ones only
    assert xray["xray_init_ms"] == {"n": 1, "p50": 600.0, "p99": 600.0, "max": 600.0}
    assert xray["mean_per_attempt_ms"]["xray_invocation_ms"] == 100.0
