"""The terminal report: rich tables that fit a 100-column terminal, coloured where a figure needs attention."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lamtrace.render import cells

STYLES = {"": "", "warn": "yellow", "bad": "bold red", "dim": "dim"}
MAX_WIDTH = 100
LIST_WIDTHS = {"function": 14, "start_time": 14, "request_id": 36, "outcome": 18}
PADDING = (0, 1, 0, 0)  # one space right of each cell: columns stay readable and 100 columns hold more


def _table(title: str, columns: Sequence[cells.Column], report: Mapping[str, Any], broken: set) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, padding=PADDING)
    table.add_column("function", max_width=26, overflow="ellipsis", no_wrap=True)
    for column in columns:
        table.add_column(column.header, justify="right", no_wrap=True)
    for name, row in cells.rows_with_total(report):
        drawn = [
            Text(text, style=STYLES[level])
            for text, level in (cells.cell_for(c, name, row, broken) for c in columns)
        ]
        table.add_row(Text(name, style="bold" if name == "total" else ""), *drawn)
    return table


def _invocation_list(title: str, rows: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, padding=PADDING)
    for header, key, _ in cells.INVOCATION_LIST_COLUMNS:
        numeric = key in ("attempt", "duration_ms")
        table.add_column(
            header,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=36 if key == "request_id" else None,
            max_width=LIST_WIDTHS.get(key),
        )
    for row in rows:
        texts = [fmt(row) for _, _, fmt in cells.INVOCATION_LIST_COLUMNS]
        style = "red" if row.get("outcome") not in (None, "success") else ""
        table.add_row(*texts, style=style)
    return table


def render_terminal(
    report: Mapping[str, Any],
    *,
    color: bool = False,
    width: int | None = None,
    gate_results: Sequence[Any] = (),
    title: str = "lamtrace report",
) -> str:
    """The report as text for a terminal (ANSI colours only when ``color``); at most 100 columns wide."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=min(width or MAX_WIDTH, MAX_WIDTH),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
    )
    window = report.get("window") or {}
    header = Text(title, style="bold")
    if window.get("start") or window.get("end"):
        header.append(f"   {window.get('start', '?')} → {window.get('end', '?')}", style="dim")
    console.print(header)
    broken = cells.broken_cells(gate_results)
    for table_id, table_title, columns in cells.TABLES:
        console.print()
        console.print(_table(cells.table_title(report, table_id, table_title), columns, report, broken))
    for key, list_title in cells.TOP_LISTS:
        if report.get(key):
            console.print()
            console.print(_invocation_list(list_title, report[key]))
    lines = cells.coverage_lines(report)
    if lines:
        console.print()
        console.print(Text("Coverage", style="bold"))
        for line in lines:
            console.print(Text(f"  {line}", style="dim"))
    if gate_results:
        console.print()
        console.print(Text("Gates", style="bold"))
        for result in gate_results:
            style = "bold red" if result.broken else ("yellow" if result.value is None else "green")
            console.print(Text(f"  {result.describe()}", style=style))
    return out.getvalue()
