"""The report as GitHub-flavoured Markdown: the terminal's tables, for pull-request comments and wikis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lamtrace.render import cells


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _mark(text: str, level: str) -> str:
    return f"**{text}**" if level == "bad" and text != "-" else text


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
    return lines


def _function_table(columns: Sequence[cells.Column], report: Mapping[str, Any], broken: set) -> list[str]:
    rows = []
    for name, row in cells.rows_with_total(report):
        drawn = [_mark(*cells.cell_for(c, name, row, broken)) for c in columns]
        rows.append([f"**{name}**" if name == "total" else name, *drawn])
    return _table(["function", *(c.header for c in columns)], rows, [False, *(True for _ in columns)])


def render_markdown(
    report: Mapping[str, Any], *, gate_results: Sequence[Any] = (), title: str = "lamtrace report"
) -> str:
    """Markdown with the invocation and latency tables, the ``--top`` lists, coverage and gate results.

    Cells that broke a ``--fail-on`` gate are bold.
    """
    broken = cells.broken_cells(gate_results)
    lines = [f"# {title}", ""]
    window = report.get("window") or {}
    if window.get("start") or window.get("end"):
        lines += [f"{window.get('start', '?')} → {window.get('end', '?')}", ""]
    for table_id, table_title, columns in cells.TABLES:
        title = cells.table_title(report, table_id, table_title)
        lines += [f"## {title}", "", *_function_table(columns, report, broken), ""]
    for key, list_title in cells.TOP_LISTS:
        if report.get(key):
            headers = [h for h, _, _ in cells.INVOCATION_LIST_COLUMNS]
            rows = [[fmt(row) for _, _, fmt in cells.INVOCATION_LIST_COLUMNS] for row in report[key]]
            numeric = [key in ("attempt", "duration_ms") for _, key, _ in cells.INVOCATION_LIST_COLUMNS]
            lines += [f"## {list_title}", "", *_table(headers, rows, numeric), ""]
    coverage = cells.coverage_lines(report)
    if coverage:
        lines += ["## Coverage", "", *(f"- {line}" for line in coverage), ""]
    if gate_results:
        lines += ["## Gates", ""]
        lines += [f"- {'❌' if r.broken else '✅'} {r.describe()}" for r in gate_results]
        lines.append("")
    return "\n".join(lines)
