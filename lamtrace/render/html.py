"""The HTML report: a self-contained page (CSS inline, plots as data URIs, no scripts, fonts or links) or a fragment.

The fragment is the same sections in one ``<div class="lamtrace-report">`` with styles scoped to it, for Jupyter
(``Report._repr_html_``) and for embedding. Figures come from the report's plot methods (matplotlib); tables from
``to_dict()`` through :mod:`cells`, so the HTML shows the same figures as the terminal.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from lamtrace import __version__
from lamtrace.render import cells

TEMPLATES = Path(__file__).parent / "templates"
NUMERIC_KEYS = ("attempt", "duration_ms")
MAX_SVG_BYTES = 600_000
PNG_DPI = 110

# plot id -> (section title, what the reader sees). The order is the page's order.
PLOTS = {
    "latency": (
        "Latency: cold vs warm",
        "Distribution and cumulative share of durations, cold starts apart.",
    ),
    "timeline": (
        "Timeline and concurrency",
        "Each row is one execution environment (log stream); the line is how many ran at once.",
    ),
    "failures": ("Failures and retries over time", "Errors, timeouts and retried attempts per time bucket."),
    "xray": (
        "Where time goes (X-Ray)",
        "Initialization, invocation, overhead and downstream calls from traces.",
    ),
    "cost": ("Cost", "Estimated compute and request cost per function."),
}


def figure_data_uri(figure: Any) -> str:
    """A matplotlib Figure as a ``data:`` URI (the figure is closed afterwards).

    SVG keeps plots sharp and small; a plot with many thousands of marks (a timeline of 100k attempts) would make a
    huge SVG, so above ``MAX_SVG_BYTES`` the figure is embedded as a PNG instead. An ``<img>`` keeps each SVG's ids to
    itself, so several plots on one page cannot clash.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    kind = "svg+xml"
    if buffer.tell() > MAX_SVG_BYTES:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight", dpi=PNG_DPI)
        kind = "png"
    try:
        import matplotlib.pyplot as plt

        plt.close(figure)
    except ImportError:  # pragma: no cover - matplotlib made the figure, so it is there
        pass
    return f"data:image/{kind};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _function_table(
    columns: Sequence[cells.Column], report: Mapping[str, Any], broken: set
) -> dict[str, Any]:
    rows = []
    for name, row in cells.rows_with_total(report):
        rows.append({"name": name, "cells": [cells.cell_for(c, name, row, broken) for c in columns]})
    return {"headers": [c.header for c in columns], "rows": rows}


def _summary(report: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The headline cards: totals (or the only row) for the figures people look at first."""
    totals = report.get("totals") or {}
    functions = report.get("functions", [])
    if not totals and len(functions) == 1:
        totals = functions[0]
    by_header = {
        c.header: c for c in (*cells.INVOCATION_COLUMNS, *cells.FAILURE_COLUMNS, *cells.COST_COLUMNS)
    }
    cards = []
    for header in (
        "attempts",
        "invocations",
        "retries",
        "cold starts",
        "failed attempts",
        "failed invocations",
    ):
        text, level = by_header[header].cell(totals)
        cards.append((header, text, level))
    p50, p99 = cells.nested(totals, "duration_ms", "p50"), cells.nested(totals, "duration_ms", "p99")
    cards.append(("p50 / p99 ms", f"{cells.fmt_ms(p50)} / {cells.fmt_ms(p99)}", ""))
    cost = cells.cost_usd(totals)
    if cost is not None:
        cards.append(("cost", cells.fmt_usd(cost), ""))
    return cards


def render_html(
    report: Mapping[str, Any],
    *,
    figures: Mapping[str, Any] | None = None,
    gate_results: Sequence[Any] = (),
    title: str = "lamtrace report",
    fragment: bool = False,
) -> str:
    """The whole page as a string. ``figures`` maps plot ids of ``PLOTS`` to matplotlib Figures (or None = no data).

    ``fragment``: only a ``<div>`` with the sections (no ``<html>``/``<head>``, CSS scoped to the div, smaller
    headings) and only the plots given in ``figures``; the page shows a note for each missing plot.
    """
    figures = figures or {}
    broken = cells.broken_cells(gate_results)
    plots = []
    for plot_id, (plot_title, caption) in PLOTS.items():
        figure = figures.get(plot_id)
        if figure is None and fragment:
            continue
        plots.append(
            {
                "id": plot_id,
                "title": plot_title,
                "caption": caption,
                "src": figure_data_uri(figure) if figure is not None else None,
            }
        )
    lists = [
        {
            "id": key,
            "title": list_title,
            "headers": [h for h, _, _ in cells.WIDE_LIST_COLUMNS],
            "rows": [[fmt(row) for _, _, fmt in cells.WIDE_LIST_COLUMNS] for row in report[key]],
            "failed": [row.get("outcome") not in (None, "success") for row in report[key]],
            "text_columns": [
                i for i, (_, k, _) in enumerate(cells.WIDE_LIST_COLUMNS) if k not in NUMERIC_KEYS
            ],
        }
        for key, list_title in cells.TOP_LISTS
        if report.get(key)
    ]
    return (
        _environment()
        .get_template("fragment.html" if fragment else "report.html")
        .render(
            heading_level=3 if fragment else 1,
            title=title,
            version=__version__,
            window=report.get("window") or {},
            summary=_summary(report),
            tables=[
                {
                    "id": table_id,
                    "title": cells.table_title(report, table_id, table_title),
                    **_function_table(columns, report, broken),
                }
                for table_id, table_title, columns in cells.TABLES
            ],
            plots=plots,
            lists=lists,
            coverage=cells.coverage_rows(report),
            gates=[
                {"text": r.describe(), "broken": r.broken, "unknown": r.value is None} for r in gate_results
            ],
        )
    )
