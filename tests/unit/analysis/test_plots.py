"""Plots: each returns a matplotlib Figure (no pyplot), renders to PNG/SVG, and copes with empty data."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest

from lamtrace.analysis import plots
from lamtrace.analysis.report import build_report
from tests.unit.analysis.invocation_builder import invocations

PLOTS = ("plot_latency", "plot_timeline", "plot_failures", "plot_xray", "plot_cost")


def report(*rows):
    return build_report(SimpleNamespace(invocations=invocations(*rows), segments=pd.DataFrame(), coverage={}))


ROWS = (
    {"duration_ms": 120.0, "cold_start": True, "start_kind": "cold", "init_ms": 300.0,
     "start_time": "2026-11-28T10:00:00Z", "log_stream": "s1"},
    {"duration_ms": 80.0, "start_time": "2026-11-28T10:00:01Z", "log_stream": "s1", "outcome": "error"},
    {"duration_ms": 95.0, "start_time": "2026-11-28T10:00:00.050Z", "log_stream": "s2", "cold_start": True,
     "start_kind": "cold", "request_id": "r", "attempt": 1, "outcome": "timeout"},
    {"duration_ms": 60.0, "start_time": "2026-11-28T10:01:00Z", "log_stream": "s2", "request_id": "r", "attempt": 2,
     "has_trace": True, "xray_invocation_ms": 55.0, "xray_overhead_ms": 1.0, "downstream_ms": 20.0,
     "downstream": '{"DynamoDB": 20.0}'},
    {"function": "pay", "duration_ms": 5000.0, "start_time": "2026-11-28T10:00:30Z", "log_stream": "p1"},
)  # fmt: skip


@pytest.mark.parametrize("name", PLOTS)
def test_each_plot_is_a_figure_that_renders(name):
    from matplotlib.figure import Figure

    fig = getattr(report(*ROWS), name)()
    assert isinstance(fig, Figure) and fig.axes
    assert plots.figure_bytes(fig).startswith(b"\x89PNG")
    assert b"<svg" in plots.figure_bytes(fig, "svg")[:400]


@pytest.mark.parametrize("name", PLOTS)
def test_each_plot_copes_with_no_data(name):
    fig = getattr(report(), name)()
    assert plots.figure_bytes(fig).startswith(b"\x89PNG")


def test_xray_plot_shows_the_traced_function_only():
    fig = report(*ROWS).plot_xray()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["orders"]
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["DynamoDB"]


def test_latency_legend_gives_n():
    fig = report(*ROWS).plot_latency()
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["warm (n=3)", "cold (n=2)"]


def test_concurrency_counts_overlaps_but_not_back_to_back_attempts():
    t = pd.to_datetime(["2026-11-28T10:00:00Z", "2026-11-28T10:00:01Z", "2026-11-28T10:00:02Z"])
    starts = pd.Series([t[0], t[0], t[1]])
    ends = pd.Series([t[1], t[2], t[2]])  # third starts when the first ends
    _, level = plots.concurrency(starts, ends)
    assert level.max() == 2 and level[-1] == 0


def test_auto_bucket():
    times = pd.Series(pd.to_datetime(["2026-11-28T10:00:00Z", "2026-11-28T12:00:00Z"]))
    assert plots.auto_bucket(times) == "5min"
    assert plots.auto_bucket(times.iloc[:1]) == "1s"


def test_report_module_does_not_import_matplotlib():
    code = "import lamtrace.analysis.report, sys; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
