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
    """``1,234``; floats that hold a count (``30.0``) print as integers."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def fmt_usd(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1:
        return f"${value:,.2f}"
    return f"${value:.4f}" if value >= 0.01 or value == 0 else f"${value:.6f}"


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


def _rate_of(row: Row, rate_key: str, part_key: str, whole_key: str) -> float | None:
    """The report's own rate when it has one, else part / whole."""
    if rate_key in row:
        return row[rate_key]
    part, whole = row.get(part_key), row.get(whole_key)
    return part / whole if part is not None and whole else None


def fmt_count_rate(part: Any, rate: float | None) -> str:
    """``12 (4.8%)``: a count with its rate (the report's rates carry their own denominators)."""
    if part is None:
        return "-"
    return f"{part:,}" if rate is None else f"{part:,} ({100 * rate:.1f}%)"


def _failure_level(rate: float | None) -> str:
    if not rate:
        return ""
    return "bad" if rate >= ERROR_RATE_BAD else "warn"


def _count_rate_cell(part_key: str, rate_key: str, whole_key: str, level: Callable[[float | None], str]):
    def cell(row: Row) -> Cell:
        rate = _rate_of(row, rate_key, part_key, whole_key)
        return fmt_count_rate(row.get(part_key), rate), level(rate)

    return cell


def _cold_level(rate: float | None) -> str:
    return "warn" if rate and rate >= COLD_RATE_WARN else ""


def _traced_level(rate: float | None) -> str:
    return "dim" if not rate else ""


def _count_cell(key: str, failure: bool = False) -> Callable[[Row], Cell]:
    def cell(row: Row) -> Cell:
        value = row.get(key)
        return fmt_count(value), ("warn" if failure and value else "")

    return cell


def _rate_cell(key: str) -> Callable[[Row], Cell]:
    def cell(row: Row) -> Cell:
        rate = row.get(key)
        return ("-" if rate is None else f"{100 * rate:.1f}%"), _failure_level(rate)

    return cell


def _ms_cell(*path: str) -> Callable[[Row], Cell]:
    def cell(row: Row) -> Cell:
        return fmt_ms(nested(row, *path)), ""

    return cell


def _p99_cell(row: Row) -> Cell:
    p50, p99 = nested(row, "duration_ms", "p50"), nested(row, "duration_ms", "p99")
    level = "warn" if p50 and p99 and p99 >= TAIL_RATIO_WARN * p50 else ""
    return fmt_ms(p99), level


@dataclass(frozen=True)
class Column:
    """A table column: header, the figures it shows (gates on them highlight the cell), and how to draw a cell."""

    header: str
    cell: Callable[[Row], Cell]
    metrics: tuple[str, ...] = ()


INVOCATION_COLUMNS = (
    Column("attempts", _count_cell("attempts"), ("attempts",)),
    Column("invocations", _count_cell("invocations"), ("invocations",)),
    Column("retries", _count_cell("retries"), ("retries", "retry_rate")),
    Column(
        "cold starts",
        _count_rate_cell("cold_starts", "cold_start_rate", "attempts", _cold_level),
        ("cold_starts", "cold_start_rate"),
    ),
    Column("environments", lambda row: (fmt_count(nested(row, "environments", "count")), "")),
    Column(
        "traced",
        _count_rate_cell("traced", "trace_coverage", "attempts", _traced_level),
        ("traced", "trace_coverage"),
    ),
)

FAILURE_COLUMNS = (
    Column("errors", _count_cell("errors", failure=True), ("errors", "error_rate")),
    Column("timeouts", _count_cell("timeouts", failure=True), ("timeouts", "timeout_rate")),
    Column("crashes", _count_cell("crashes", failure=True), ("crashes",)),
    Column("init errors", _count_cell("init_errors", failure=True), ("init_errors",)),
    Column(
        "failed attempts",
        _count_rate_cell("failed_attempts", "failed_attempt_rate", "attempts", _failure_level),
        ("failed_attempts", "failed_attempt_rate", "error_rate"),
    ),
    Column(
        "failed invocations",
        _count_rate_cell("failed_invocations", "failure_rate", "invocations", _failure_level),
        ("failed_invocations", "failure_rate"),
    ),
)

LATENCY_COLUMNS = (
    Column("p50", _ms_cell("duration_ms", "p50"), ("p50", "duration_ms.p50")),
    Column("p90", _ms_cell("duration_ms", "p90"), ("p90", "duration_ms.p90")),
    Column("p99", _p99_cell, ("p99", "duration_ms.p99")),
    Column("max", _ms_cell("duration_ms", "max"), ("max", "duration_ms.max")),
    Column("cold p50", _ms_cell("duration_cold_ms", "p50"), ("duration_cold_ms.p50",)),
    Column("init p50", _ms_cell("init_ms", "p50"), ("init_ms.p50",)),
    Column("init p99", _ms_cell("init_ms", "p99"), ("init_ms.p99",)),
)

COST_COLUMNS = (
    Column("memory MB", lambda row: (fmt_count(nested(row, "memory", "memory_mb")), "")),
    Column("peak MB", lambda row: (fmt_count(nested(row, "memory", "max_memory_used_mb", "max")), "")),
    Column("GB-s", lambda row: (_fmt_float(nested(row, "cost", "gb_seconds")), "")),
    Column("requests", lambda row: (fmt_count(nested(row, "cost", "requests")), "")),
    Column("cost", lambda row: (fmt_usd(cost_usd(row)), ""), ("cost.total_usd",)),
)

# (section id, title, columns): the tables of one report, in order
TABLES = (
    ("invocations", "Invocations", INVOCATION_COLUMNS),
    ("failures", "Failures", FAILURE_COLUMNS),
    ("latency-table", "Latency (ms)", LATENCY_COLUMNS),
    ("cost-table", "Memory and cost", COST_COLUMNS),
)


def table_title(report: Row, table_id: str, title: str) -> str:
    """A table's title; the cost table names the prices it used (region, architecture, price table version)."""
    pricing = report.get("pricing") or {}
    if table_id != "cost-table" or not pricing.get("region"):
        return title
    note = f"{pricing['region']}, {pricing.get('architecture') or 'x86_64'}"
    if pricing.get("table_version"):
        note += f", prices {pricing['table_version']}"
    if pricing.get("exact_region") is False:
        note += ", region not in the price table"
    return f"{title} ({note})"


def _fmt_float(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"


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
# HTML has the room for two more: how the attempt started, and the trace to open in the X-Ray console
WIDE_LIST_COLUMNS = (
    *INVOCATION_LIST_COLUMNS,
    ("start kind", "start_kind", lambda row: _text(row.get("start_kind"))),
    ("trace id", "trace_id", lambda row: _text(row.get("trace_id"))),
)


def row_label(report: Row, row: Row) -> str:
    """A row's name: its function, plus the other ``group_by`` values (``shop-api 3``)."""
    keys = report.get("group_by") or ["function"]
    return " ".join("-" if row.get(k) is None else str(row.get(k)) for k in keys)


def rows_with_total(report: Row) -> list[tuple[str, Row]]:
    """The rows (one per function or group), then the totals when there is more than one row."""
    rows = [(row_label(report, row), row) for row in report.get("functions", [])]
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


def coverage_rows(report: Row) -> list[tuple[str, str]]:
    """What the input held and what was understood, as ``(what, count)`` pairs (the coverage section)."""
    coverage = report.get("coverage") or {}
    rows = [(k.replace("_", " "), fmt_count(v)) for k, v in (coverage.get("table") or {}).items()]
    for key in ("events", "unparsed_events", "unattributed_events", "duplicates_dropped"):
        if isinstance(coverage.get(key), int):
            rows.append((key.replace("_", " "), fmt_count(coverage[key])))
    malformed = nested(coverage, "files", "malformed_lines")
    if malformed:
        rows.append(("malformed lines", fmt_count(malformed)))
    traces = coverage.get("traces") or {}
    if traces.get("available") is False:
        rows.append(("traces", "none in the input"))
    for key in ("traces", "matched_attempts", "orphan_traces", "unsampled", "not_collected"):
        if isinstance(traces.get(key), int):
            name = key.replace("_", " ") if "trace" in key else f"traces {key.replace('_', ' ')}"
            rows.append((name, fmt_count(traces[key])))
    return rows


def coverage_lines(report: Row) -> list[str]:
    """The coverage section as ``what: count`` lines (terminal and Markdown)."""
    return [f"{what}: {count}" for what, count in coverage_rows(report)]
