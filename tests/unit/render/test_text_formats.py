"""Markdown, CSV and JSON renderings of a report dict."""

from __future__ import annotations

import csv
import io
import json

import pytest

from lamtrace.analysis.gates import evaluate, parse_gates
from lamtrace.errors import InputError
from lamtrace.render import render
from tests.unit.render.sample import sample_report


def test_json_is_the_dict_itself() -> None:
    report = sample_report()
    assert json.loads(render(report, "json")) == report


def test_csv_has_one_row_per_function_then_total_with_flattened_figures() -> None:
    rows = list(csv.DictReader(io.StringIO(render(sample_report(), "csv"))))
    assert [r["function"] for r in rows] == ["orders-api", "thumbnailer", "total"]
    assert rows[0]["duration_ms_p99"] == "912.3"
    assert rows[0]["cost_total_usd"] == "0.0123"
    assert rows[2]["init_ms_p50"] == ""  # totals have no init figures here


def test_markdown_tables_and_bold_broken_cells() -> None:
    report = sample_report()
    text = render(report, "markdown", gate_results=evaluate(parse_gates("p99>800ms"), report))
    lines = text.splitlines()
    assert "| function | attempts | invocations | retries | cold starts | environments | traced |" in lines
    assert "|---|---:|---:|---:|---:|---:|---:|" in lines
    assert any(line.startswith("| orders-api | 41.2 | 180 | **912** |") for line in lines)
    assert any(line.startswith("| orders-api | 5 | 1 | 0 | 0 | **6 (3.0%)** |") for line in lines)
    assert "- ❌ orders-api: p99 = 912.3 ms breaks p99>800ms" in lines
    assert "## Failed invocations" in lines


def test_markdown_escapes_pipes() -> None:
    report = sample_report()
    report["failed"][0]["error_type"] = "Weird|Error"
    assert "Weird\\|Error" in render(report, "markdown")


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown report format 'yaml': use one of table, json, csv"):
        render(sample_report(), "yaml")
