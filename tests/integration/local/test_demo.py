"""The built-in demo writes valid real-format telemetry whose counts match what ran."""

from __future__ import annotations

import json

from lamtrace.local import demo
from lamtrace.local.demo import run_demo
from tests.integration.local.raw_output import check_and_count


def test_demo_data_is_real_format_and_matches_its_ground_truth(tmp_path):
    summary = run_demo(tmp_path)
    counted = check_and_count(tmp_path)
    assert counted["attempts"] == summary["attempts"] == 50
    assert counted["requests"] == summary["requests"]
    assert counted["retries"] == summary["retries"] == 3  # sms: 1 retry; push: 2 retries, then dead-lettered
    assert counted["cold_starts"] == summary["cold_starts"] >= 4
    assert counted["timeouts"] == summary["timeouts"] == counted["timeout_lines"] == 1
    assert counted["errors_reported"] == summary["errors"] == 6  # 2 bad ids + 1 + 3 notify attempts
    assert summary["redeliveries"] == 1 and summary["dead_letters"] == 1 and summary["reclaimed"] >= 1
    assert summary["provisioned_invocations"] == 4 and 0 < summary["sampled"] == counted["sampled"]
    names = {path.name for path in (tmp_path / "logs").iterdir()}
    assert names == {"shop-api.jsonl", "shop-report.jsonl", "shop-notify.jsonl", "shop-worker.jsonl"}
    traces = [
        json.loads(line)
        for path in (tmp_path / "traces").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    origins = {json.loads(row["document"]).get("origin") for row in traces}
    assert {"AWS::Lambda", "AWS::Lambda::Function"} <= origins


def test_generate_runs_the_demo_into_the_directory_and_returns_it(tmp_path, monkeypatch):
    runs = []
    monkeypatch.setattr(demo, "run_demo", runs.append)  # the run itself is tested above
    out = tmp_path / "demo"
    assert demo.generate(out) == out and runs == [out]
