"""The HTML report: one self-contained page with the tables and the plots, and it renders in a real browser."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

from lamtrace.analysis.gates import evaluate, parse_gates
from lamtrace.render import render
from lamtrace.render.cells import TABLES
from lamtrace.render.html import PLOTS
from tests.unit.render.html_checks import Page, assert_self_contained, chromium, ink_fraction, screenshot
from tests.unit.render.sample import sample_report

matplotlib.use("Agg")


def _figures() -> dict:
    import matplotlib.pyplot as plt

    figures = {}
    for i, plot_id in enumerate(("latency", "timeline", "failures")):
        figure, axes = plt.subplots(figsize=(8, 3))
        axes.plot([0, 1, 2, 3], [i, 3, 1, 4], label=plot_id)
        axes.legend()
        figures[plot_id] = figure
    figures["xray"] = None  # no traces: the section says so
    return figures


def test_page_is_self_contained_with_every_section() -> None:
    html = render(sample_report(), "html", figures=_figures())
    page = assert_self_contained(html)
    expected = {"summary", "invocations", "latency-table", "slowest", "failed", "coverage"}
    expected |= {f"plot-{plot_id}" for plot_id in PLOTS}
    assert expected <= page.ids
    assert len(page.images) == 3
    assert all(src.startswith("data:image/svg+xml;base64,") for src in page.images)
    assert html.count("No data for this plot in the input.") == 2  # xray (None) and cost (not given)


def test_text_is_escaped() -> None:
    report = sample_report()
    report["functions"][0]["function"] = "<script>alert(1)</script>"
    html = render(report, "html")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_gate_results_are_on_the_page() -> None:
    report = sample_report()
    html = render(report, "html", gate_results=evaluate(parse_gates("p99>800ms"), report))
    assert 'id="gates"' in html
    assert "orders-api: p99 = 912.3 ms breaks p99&gt;800ms" in html


@pytest.mark.skipif(chromium() is None, reason="chromium is not installed")
def test_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(sample_report(), "html", figures=_figures()), encoding="utf-8")
    png = tmp_path / "shot.png"
    screenshot(page, png, height=1600)
    assert png.stat().st_size > 10_000
    assert ink_fraction(png) > 0.02


def test_a_plot_with_very_many_marks_is_embedded_as_png() -> None:
    import matplotlib.pyplot as plt
    import numpy as np

    from lamtrace.render.html import MAX_SVG_BYTES, figure_data_uri

    figure, axes = plt.subplots()
    axes.scatter(*np.random.default_rng(0).random((2, 30_000)), s=1)
    uri = figure_data_uri(figure)
    assert uri.startswith("data:image/png;base64,")
    assert len(uri) < MAX_SVG_BYTES


def _css_selectors(css: str) -> list[str]:
    """Every selector of a stylesheet (no @-rules in ours)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [s.strip() for block in css.split("}") if "{" in block for s in block.split("{")[0].split(",")]


def test_fragment_for_jupyter_has_the_sections_without_a_page_around_them() -> None:
    html = render(sample_report(), "html", fragment=True)
    assert html.startswith('<div class="lamtrace-report">') and html.rstrip().endswith("</div>")
    page = assert_self_contained(html)
    no_page = {"html", "head", "body", "title", "meta"}
    assert not (no_page | {"h1", "h2"}) & set(page.tags)  # h1/h2 would be entries in the notebook's TOC
    assert {table_id for table_id, _, _ in TABLES} | {"summary", "slowest", "failed", "coverage"} <= page.ids
    # plots only when given: in a notebook they are the report's plot_* methods
    assert not [i for i in page.ids if i.startswith("plot-")]
    assert "orders-api" in html and "$0.0123" in html and "6795fe66-0f3d-4c6e-9d52-1d7c2f1a9b10" in html
    assert "<td>orphan traces</td><td>2</td>" in html  # coverage as a table


def test_fragment_styles_are_scoped_to_it() -> None:
    page = Page(render(sample_report(), "html", fragment=True))
    selectors = _css_selectors("".join(page.styles))
    assert len(selectors) > 20
    assert all(s.startswith(".lamtrace-report") for s in selectors), selectors
    whole = Page(render(sample_report(), "html"))  # the page adds only rules for its own <body>
    assert {s for s in _css_selectors("".join(whole.styles)) if not s.startswith(".lamtrace-report")} == {
        "body",
        "body > .lamtrace-report",
    }


def test_fragment_shows_the_plots_it_is_given() -> None:
    page = Page(render(sample_report(), "html", fragment=True, figures=_figures()))
    plots = {i for i in page.ids if i.startswith("plot-")}
    assert plots == {"plot-latency", "plot-timeline", "plot-failures"}
    assert len(page.images) == 3


def test_fragment_escapes_text() -> None:
    report = sample_report()
    report["functions"][0]["function"] = "<script>alert(1)</script>"
    html = render(report, "html", fragment=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
