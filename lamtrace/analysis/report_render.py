"""Report data (``Report.to_dict()``) -> text: a plain table, JSON, Markdown or an HTML fragment.

``summary_table`` picks the headline columns once, so every text format (and the CLI's rich table) shows the same.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

from lamtrace.errors import InputError

FORMATS = ("table", "json", "csv", "markdown", "html")
Row = list[str]


def summary_table(data: dict[str, Any]) -> tuple[Row, list[Row]]:
    """Headline columns per function/group, plus a ``total`` row, as display strings."""
    keys = data["group_by"]
    header = [*keys, "attempts", "invocations", "retries", "errors", "timeouts", "crashes", "error %", "cold",
              "cold %", "p50 ms", "p90 ms", "p99 ms", "max ms", "n", "init p50", "traced", "cost $"]  # fmt: skip
    rows = [[_text(entry.get(k)) for k in keys] + _figures(entry) for entry in data["functions"]]
    if len(data["functions"]) > 1:
        rows.append(["total"] + [""] * (len(keys) - 1) + _figures(data["totals"]))
    return header, rows


def listing_table(entries: list[dict[str, Any]]) -> tuple[Row, list[Row]]:
    """Slowest / failed attempts as display rows."""
    header = [
        "function",
        "request id",
        "#",
        "start",
        "duration ms",
        "start kind",
        "outcome",
        "error",
        "trace id",
    ]
    rows = [
        [
            _text(e.get("function")),
            _text(e.get("request_id")),
            _text(e.get("attempt")),
            _text(e.get("start_time"))[:23],
            _number(e.get("duration_ms")),
            _text(e.get("start_kind")),
            _text(e.get("outcome")),
            _text(e.get("error_type")),
            _text(e.get("trace_id")),
        ]
        for e in entries
    ]
    return header, rows


def render(data: dict[str, Any], format: str) -> str:
    """Render report data in one of ``FORMATS`` (``csv`` needs the frame: use ``Report.render``)."""
    if format == "json":
        return json.dumps(data, indent=2, allow_nan=False) + "\n"
    writers: dict[str, Callable[[str, Row, list[Row]], str]] = {
        "table": _plain,
        "markdown": _markdown,
        "html": _html,
    }
    if format not in writers:
        raise InputError(f"unknown report format {format!r}: use one of {', '.join(FORMATS)}")
    write = writers[format]
    sections = [write("Functions", *summary_table(data))]
    if data["slowest"]:
        sections.append(write("Slowest attempts", *listing_table(data["slowest"])))
    if data["failed"]:
        sections.append(write("Failed attempts", *listing_table(data["failed"])))
    sections.append(write("Coverage", ["what", "count"], _coverage_rows(data)))
    joiner = "\n" if format == "html" else "\n\n"
    body = joiner.join(sections)
    return f'<div class="lamtrace-report">\n{body}\n</div>' if format == "html" else body + "\n"


def _figures(entry: dict[str, Any]) -> Row:
    duration = entry["duration_ms"]
    return [
        _text(entry["attempts"]),
        _text(entry["invocations"]),
        _text(entry["retries"]),
        _text(entry["errors"]),
        _text(entry["timeouts"]),
        _text(entry["crashes"]),
        _percent(entry["error_rate"]),
        _text(entry["cold_starts"]),
        _percent(entry["cold_start_rate"]),
        _number(duration["p50"]),
        _number(duration["p90"]),
        _number(duration["p99"]),
        _number(duration["max"]),
        _text(duration["n"]),
        _number(entry["init_ms"]["p50"]),
        _text(entry["traced"]),
        _money(entry["cost"]["total_usd"]),
    ]


def _coverage_rows(data: dict[str, Any]) -> list[Row]:
    table = data["coverage"]["table"]
    traces = data["coverage"].get("traces", {})
    rows = [[key.replace("_", " "), _text(value)] for key, value in table.items()]
    labels = {
        "traces": "traces",
        "orphan_traces": "traces without logs",
        "unsampled": "trace ids unsampled",
        "not_collected": "trace ids sampled, not collected",
    }
    rows += [[label, _text(traces[key])] for key, label in labels.items() if key in traces]
    for key in ("unparsed_events", "duplicates_dropped"):
        if key in data["coverage"]:
            rows.append([key.replace("_", " "), _text(data["coverage"][key])])
    return rows


def _plain(title: str, header: Row, rows: list[Row]) -> str:
    widths = [max(len(c) for c in column) for column in zip(header, *rows, strict=True)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def _markdown(title: str, header: Row, rows: list[Row]) -> str:
    def line(cells: Row) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([f"### {title}", "", line(header), line(["---"] * len(header)), *map(line, rows)])


def _html(title: str, header: Row, rows: list[Row]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f"<h4>{html.escape(title)}</h4>\n<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> str:
    return "" if value is None else f"{value:,.1f}" if abs(value) < 1e5 else f"{value:,.0f}"


def _percent(value: Any) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _money(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.6f}" if value < 1 else f"{value:,.2f}"
