"""What the report tables show: columns over ``Report.to_dict()`` rows, their formatting and their warning level.

Every renderer (terminal, markdown, HTML) draws the same columns from here, so the figures agree across formats.
A cell is ``(text, level)`` where level is ``""`` (fine), ``"warn"`` or ``"bad"``; each renderer maps levels to
its own styling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, Any]
Cell = tuple[str, str]

ERROR_RATE_BAD = 0.01  # >= 1% of attempts failing is red; any failure is yellow
COLD_RATE_WARN = 0.10  # >= 10% cold starts is yellow
TAIL_RATIO_WARN = 5.0  # p99 >= 5 x p50 is yellow: a long tail worth a look


def fmt_ms(value: float | None) -> str:
    """Milliseconds, compact: ``4.21``, ``41.2``, ``3,003``; ``-`` when unknown."""
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def fmt_count(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def fmt_rate(part: Any, whole: Any) -> str:
    """``12 (4.8%)``; the denominator is always the row's own count."""
    if part is None:
        return "-"
    if not whole:
        return f"{part:,}"
    return f"{part:,} ({100 * part / whole:.1f}%)"


def fmt_usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}" if value >= 1 else f"${value:.4f}"


def nested(row: Row, *path: str) -> Any:
    """``row[a][b]...`` or None when any step is missing."""
    value: Any = row
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def cost_usd(row: Row) -> float | None:
    """The row's cost in USD, whatever shape the report gives it (a number or a dict with a USD total)."""
    cost = row.get("cost")
    if isinstance(cost, int | float):
        return float(cost)
    if isinstance(cost, Mapping):
        for key in ("usd", "total_usd", "total"):
            if isinstance(cost.get(key), int | float):
                return float(cost[key])
    return None


def _failure_cell(key: str) -> Callable[[Row], Cell]:
    def cell(row: Row) -> Cell:
        part, whole = row.get(key), row.get("attempts")
        level = ""
        if part and whole:
            level = "bad" if part / whole >= ERROR_RATE_BAD else "warn"
        return fmt_rate(part, whole), level

    return cell


def _cold_cell(row: Row) -> Cell:
    part, whole = row.get("cold_starts"), row.get("attempts")
    level = "warn" if part and whole and part / whole >= COLD_RATE_WARN else ""
    return fmt_rate(part, whole), level


def _ms_cell(*path: str) -> Callable[[Row], Cell]:
    def cell(row: Row) -> Cell:
        return fmt_ms(nested(row, *path)), ""

    return cell


def _p99_cell(row: Row) -> Cell:
    p50, p99 = nested(row, "duration_ms", "p50"), nested(row, "duration_ms", "p99")
    level = "warn" if p50 and p99 and p99 >= TAIL_RATIO_WARN * p50 else ""
    return fmt_ms(p99), level


def _traced_cell(row: Row) -> Cell:
    traced = row.get("traced")
    return fmt_rate(traced, row.get("attempts")), "dim" if not traced else ""


@dataclass(frozen=True)
class Column:
    """A table column: header, the dict keys it reads (for gates to highlight), and how to draw a cell."""

    header: str
    cell: Callable[[Row], Cell]
    metrics: tuple[str, ...] = ()
    numeric: bool = True


def _count(key: str) -> Column:
    return Column(key.replace("_", " "), lambda row: (fmt_count(row.get(key)), ""), (key,))


INVOCATION_COLUMNS = (
    _count("attempts"),
    _count("invocations"),
    Column("retries", lambda row: (fmt_count(row.get("retries")), ""), ("retries", "retry_rate")),
    Column("cold starts", _cold_cell, ("cold_starts", "cold_start_rate")),
    Column("errors", _failure_cell("errors"), ("errors", "error_rate", "failure_rate")),
    Column("timeouts", _failure_cell("timeouts"), ("timeouts", "timeout_rate", "failure_rate")),
    Column("traced", _traced_cell, ("traced", "traced_rate")),
)

LATENCY_COLUMNS = (
    Column("p50", _ms_cell("duration_ms", "p50"), ("p50",)),
    Column("p90", _ms_cell("duration_ms", "p90"), ("p90",)),
    Column("p99", _p99_cell, ("p99",)),
    Column("max", _ms_cell("duration_ms", "max"), ("max",)),
    Column("init p50", _ms_cell("init_ms", "p50"), ("init_ms.p50",)),
    Column("init p99", _ms_cell("init_ms", "p99"), ("init_ms.p99",)),
    Column("cost", lambda row: (fmt_usd(cost_usd(row)), ""), ("cost.usd",)),
)


def _short_time(value: Any) -> str:
    """``11-28 10:12:00`` from an ISO time: the year and the milliseconds are noise in a list of invocations."""
    if value is None:
        return "-"
    text = str(value).replace("T", " ").rstrip("Z")
    return text[5:19] if len(text) >= 19 else text


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def outcome_text(row: Row) -> str:
    """The outcome, or the error type when there is one (``timeout``, ``KeyError``, ``Runtime.ExitError``)."""
    return _text(row.get("error_type") or row.get("outcome"))


# the slowest / failed invocation lists: (header, key, formatter of the row)
INVOCATION_LIST_COLUMNS: tuple[tuple[str, str, Callable[[Row], str]], ...] = (
    ("function", "function", lambda row: _text(row.get("function"))),
    ("start", "start_time", lambda row: _short_time(row.get("start_time"))),
    ("request id", "request_id", lambda row: _text(row.get("request_id"))),
    ("try", "attempt", lambda row: fmt_count(row.get("attempt"))),
    ("ms", "duration_ms", lambda row: fmt_ms(row.get("duration_ms"))),
    ("outcome", "outcome", outcome_text),
)


def rows_with_total(report: Row) -> list[tuple[str, Row]]:
    """The function rows, then the totals when there is more than one function."""
    rows = [(str(row.get("function")), row) for row in report.get("functions", [])]
    if len(rows) > 1 and report.get("totals"):
        rows.append(("total", report["totals"]))
    return rows


def broken_cells(gate_results: Any) -> set[tuple[str, str]]:
    """``{(subject, metric)}`` for every broken gate, so renderers can mark the cell that broke it."""
    return {(r.subject, r.gate.metric) for r in gate_results or () if r.broken}


def cell_for(column: Column, name: str, row: Row, broken: set[tuple[str, str]]) -> Cell:
    """A column's cell, escalated to ``bad`` when a gate on one of its metrics broke for this row."""
    text, level = column.cell(row)
    if any((name, metric) in broken for metric in column.metrics):
        level = "bad"
    return text, level


# report key -> title of the invocation lists (``--top N``)
TOP_LISTS = (("slowest", "Slowest invocations"), ("failed", "Failed invocations"))


def coverage_lines(report: Row) -> list[str]:
    """``key: value`` lines for the report's coverage dict (what was read, parsed, skipped, joined)."""
    coverage = report.get("coverage") or {}
    lines = []
    for key, value in coverage.items():
        if isinstance(value, Mapping):
            value = ", ".join(f"{k} {fmt_count(v) if isinstance(v, int) else v}" for k, v in value.items())
        elif isinstance(value, int) and not isinstance(value, bool):
            value = fmt_count(value)
        lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines
