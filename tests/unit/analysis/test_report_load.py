"""The report over load()'s output on the real-sample fixtures: the two halves of the analyzer agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtrace.analysis import load

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def dataset():
    logs = sorted(str(p) for p in (FIXTURES / "logs").glob("*.jsonl"))
    traces = [str(FIXTURES / "files" / "batch-get-traces.json"), str(FIXTURES / "files" / "otlp-traces.json")]
    return load(logs=logs, traces=traces)


def test_report_over_loaded_fixtures(dataset):
    data = dataset.report(group_by="version", bucket="1min").to_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    invocations = dataset.invocations
    assert data["totals"]["attempts"] == len(invocations)
    assert data["totals"]["invocations"] == len(invocations.drop_duplicates(["function", "request_id"]))
    assert sum(entry["attempts"] for entry in data["functions"]) == len(invocations)
    by_name = {entry["function"]: entry for entry in data["functions"]}
    # text-timeout-retry: a timeout then a retry of the same request id that succeeds
    retried = by_name["smarthome-switch"]
    assert (retried["attempts"], retried["retries"], retried["timeouts"]) == (2, 1, 1)
    assert retried["final_outcomes"]["success"] == 1 and retried["failure_rate"] == 0.0
    assert data["totals"]["traced"] == int(invocations["has_trace"].sum())
    assert data["coverage"]["traces"]["matched_attempts"] >= 1
    assert sum(row["attempts"] for row in data["timeline"]) == len(invocations)


def test_plots_over_loaded_fixtures(dataset):
    from lamtrace.analysis.plots import figure_bytes

    report = dataset.report()
    for name in ("plot_latency", "plot_timeline", "plot_failures", "plot_xray", "plot_cost"):
        assert figure_bytes(getattr(report, name)()).startswith(b"\x89PNG")
