"""Renderers of a report's ``to_dict()``: terminal tables, Markdown, CSV, JSON and HTML (a page or a fragment).

Each format is one module; this module picks one. Renderers take plain dicts, so they work on a saved JSON report too.
The CLI (``lamtrace report``) and the Python API (``Report.render``, ``Report._repr_html_``) both render here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from lamtrace.errors import InputError

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
    fragment: bool = False,
) -> str:
    """Render ``report`` (a ``Report.to_dict()``) as ``fmt``, one of ``FORMATS``.

    ``figures`` (plot id -> matplotlib Figure) are drawn into ``html``; ``gate_results`` mark broken cells in
    ``table``, ``markdown`` and ``html``; ``color`` and ``width`` are for ``table``; ``fragment`` makes ``html`` a
    ``<div>`` to embed (Jupyter) instead of a whole page. An unknown ``fmt`` raises :class:`InputError`.
    Example: ``render(load(logs="out/").report().to_dict(), "markdown")``.
    """
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

        return render_html(report, figures=figures, gate_results=gate_results, title=title, fragment=fragment)
    if fmt == "table":
        from lamtrace.render.terminal import render_terminal

        return render_terminal(report, color=color, width=width, gate_results=gate_results, title=title)
    raise InputError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
