"""Renderers of a report's ``to_dict()``: terminal tables, Markdown, CSV, JSON and a self-contained HTML page.

Each format is one module; this module picks one. Renderers take plain dicts, so they work on a saved JSON report too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

FORMATS = ("table", "json", "csv", "markdown", "html")


def render(
    report: Mapping[str, Any],
    fmt: str,
    *,
    figures: Mapping[str, Any] | None = None,
    gate_results: Sequence[Any] = (),
    color: bool = False,
    width: int | None = None,
    title: str = "lamtrace report",
) -> str:
    """Render ``report`` (a ``Report.to_dict()``) as ``fmt``, one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(report, indent=2, default=str) + "\n"
    if fmt == "csv":
        from lamtrace.render.csvfile import render_csv

        return render_csv(report)
    if fmt == "markdown":
        from lamtrace.render.markdown import render_markdown

        return render_markdown(report, gate_results=gate_results, title=title)
    if fmt == "html":
        from lamtrace.render.html import render_html

        return render_html(report, figures=figures, gate_results=gate_results, title=title)
    if fmt == "table":
        from lamtrace.render.terminal import render_terminal

        return render_terminal(report, color=color, width=width, gate_results=gate_results, title=title)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
