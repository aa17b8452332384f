"""The terminal report: fits 100 columns, shows every figure, colours only on request."""

from __future__ import annotations

from lamtrace.analysis.gates import evaluate, parse_gates
from lamtrace.render import render
from lamtrace.render.terminal import render_terminal
from tests.unit.render.sample import sample_report


def test_fits_a_100_column_terminal_and_shows_the_figures() -> None:
    text = render_terminal(sample_report())
    assert max(len(line) for line in text.splitlines()) <= 100
    for expected in (
        "orders-api",
        "thumbnailer",
        "total",
        "12 (6.0%)",
        "6 (3.0%)",
        "2 (1.0%)",
        "912",
        "$0.0123",
    ):
        assert expected in text
    assert "6795fe66-0f3d-4c6e-9d52-1d7c2f1a9b10" in text  # request ids are never cut: users grep for them
    assert "Sandbox.Timedout" in text
    assert "\x1b[" not in text


def test_long_function_names_do_not_break_the_width() -> None:
    report = sample_report()
    report["functions"][0]["function"] = "a-very-long-function-name-from-a-cloudformation-stack-ABCDEF123456"
    report["slowest"][0]["function"] = report["functions"][0]["function"]
    text = render_terminal(report)
    assert max(len(line) for line in text.splitlines()) <= 100


def test_colour_marks_thresholds_and_broken_gates() -> None:
    report = sample_report()
    results = evaluate(parse_gates("p99>800ms"), report)
    text = render_terminal(report, color=True, gate_results=results)
    assert "\x1b[" in text
    assert "\x1b[1;31m912\x1b[0m" in text  # the p99 that broke the gate is bold red
    assert "orders-api: p99 = 912.3 ms breaks p99>800ms" in text


def test_missing_figures_show_a_dash() -> None:
    report = sample_report()
    del report["functions"][1]["init_ms"], report["functions"][1]["cost"]
    report["functions"][1]["duration_ms"]["p99"] = None
    text = render(report, "table")
    latency = text.split("Latency (ms)")[1].splitlines()
    thumb = next(line for line in latency if line.startswith("thumbnailer"))
    assert thumb.split() == ["thumbnailer", "120", "150", "-", "161", "150", "-", "-"]
