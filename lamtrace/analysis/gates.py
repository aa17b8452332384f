"""Quality gates for CI/CD: ``--fail-on "p99>800ms,error_rate>1%"`` evaluated over a report's ``to_dict()``.

A gate is ``[SCOPE:]METRIC OP VALUE[UNIT]``; the gate is *broken* when the comparison is true.

- SCOPE: a function name (only that function is checked) or ``total`` (the report's totals). Without a scope
  every function is checked, and the gate breaks if any function breaks it.
- METRIC: ``p50`` ``p90`` ``p99`` ``max`` (duration, ms), a rate (``error_rate``, ``timeout_rate``,
  ``failed_attempt_rate``, ``failure_rate``, ``cold_start_rate``, ``trace_coverage`` as docs/report.md defines
  them; ``retry_rate`` = retries / invocations), a count (``errors``, ``timeouts``, ``crashes``, ``cold_starts``,
  ``retries``, ``attempts``, ``invocations``, ``failed_attempts``, ``failed_invocations``, ``traced``), or a dotted
  path into a row of the report (``init_ms.p99``, ``cost.total_usd``).
- OP: ``>`` ``>=`` ``<`` ``<=`` ``==`` ``!=``.
- VALUE: a number with an optional unit: ``ms`` or ``s`` for durations (ms when omitted), ``%`` for rates
  (a bare number is a fraction: ``0.01`` = ``1%``).

Pure: no I/O. Example::

    >>> gates = parse_gates("p99>800ms, error_rate>1%")
    >>> [str(g) for g in gates]
    ['p99>800ms', 'error_rate>1%']
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lamtrace.errors import InputError

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}

_GATE = re.compile(
    r"^\s*(?:(?P<scope>[A-Za-z0-9_.$-]+)\s*:\s*)?(?P<metric>[A-Za-z_][A-Za-z0-9_.]*)\s*"
    r"(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>[0-9]*\.?[0-9]+)\s*(?P<unit>ms|s|%)?\s*$"
)

DURATION_METRICS = ("p50", "p90", "p99", "max")
# rate -> (numerator, denominator) counts to derive it from when the report row does not carry the rate itself
RATES: dict[str, tuple[str, str] | None] = {
    "error_rate": ("errors", "attempts"),
    "failed_attempt_rate": ("failed_attempts", "attempts"),  # every non-success attempt
    "failure_rate": ("failed_invocations", "invocations"),  # invocations whose final attempt failed
    "cold_start_rate": ("cold_starts", "attempts"),
    "trace_coverage": ("traced", "attempts"),
    "timeout_rate": ("timeouts", "attempts"),
    "retry_rate": ("retries", "invocations"),
}
COUNTS = (
    "errors",
    "timeouts",
    "crashes",
    "cold_starts",
    "retries",
    "attempts",
    "invocations",
    "failed_attempts",
    "failed_invocations",
    "traced",
)
TOTAL_SCOPES = ("total", "totals")


@dataclass(frozen=True)
class Gate:
    """One parsed condition; ``threshold`` is in the metric's base unit (ms, or a fraction for rates)."""

    metric: str
    op: str
    threshold: float
    scope: str | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text or f"{self.metric}{self.op}{self.threshold:g}"

    def broken_by(self, value: float) -> bool:
        """True when ``value`` breaks the gate."""
        return _OPS[self.op](value, self.threshold)


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate on one function (or the totals). ``value`` is None when the report has no data."""

    gate: Gate
    subject: str
    value: float | None
    broken: bool

    def describe(self) -> str:
        """One line for humans: ``orders: p99 = 912 ms breaks p99>800ms``."""
        if self.value is None:
            return f"{self.subject}: {self.gate.metric} has no data (gate {self.gate} not checked)"
        verb = "breaks" if self.broken else "passes"
        return f"{self.subject}: {self.gate.metric} = {format_metric(self.gate.metric, self.value)} {verb} {self.gate}"


def parse_gates(text: str) -> list[Gate]:
    """Parse a comma-separated list of gates; raises InputError naming the first bad one."""
    gates = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _GATE.match(part)
        if not match:
            raise InputError(
                f"--fail-on: cannot read {part.strip()!r}; expected METRIC OP VALUE, e.g. p99>800ms or error_rate>1%"
            )
        metric, unit = match["metric"], match["unit"]
        if "." not in metric and metric not in (*DURATION_METRICS, *RATES, *COUNTS):
            known = ", ".join((*DURATION_METRICS, *RATES, *COUNTS))
            raise InputError(f"--fail-on: unknown metric {metric!r}; use one of {known}, or a dotted path")
        value = float(match["value"])
        if metric in RATES:
            if unit in ("ms", "s"):
                raise InputError(f"--fail-on: {metric} is a rate; use % or a fraction, not {unit}")
            threshold = value / 100 if unit == "%" else value
        elif unit == "%":
            raise InputError(f"--fail-on: % only applies to rates ({', '.join(RATES)}), not {metric}")
        else:
            threshold = value * 1000 if unit == "s" else value
        gates.append(Gate(metric, match["op"], threshold, match["scope"], text=part.strip().replace(" ", "")))
    if not gates:
        raise InputError("--fail-on: no gate given")
    return gates


def metric_value(metric: str, row: Mapping[str, Any]) -> float | None:
    """The value of ``metric`` on a function (or totals) dict of ``Report.to_dict()``; None when absent."""
    if metric in RATES:
        if metric in row:
            return None if row[metric] is None else float(row[metric])
        counts = RATES[metric]
        if counts is None or row.get(counts[0]) is None or not row.get(counts[1]):
            return None
        return row[counts[0]] / row[counts[1]]
    path = ("duration_ms", metric) if metric in DURATION_METRICS else tuple(metric.split("."))
    value: Any = row
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def evaluate(gates: list[Gate], report: Mapping[str, Any]) -> list[GateResult]:
    """Check every gate against ``report`` (a ``Report.to_dict()``); one result per gate and row checked.

    A row's subject is its function (plus the other ``group_by`` values). Raises InputError when a gate's scope
    names a function the report does not have.
    """
    keys = report.get("group_by") or ["function"]
    rows = [(" ".join(str(row.get(k)) for k in keys), row) for row in report.get("functions", [])]
    results = []
    for gate in gates:
        if gate.scope in TOTAL_SCOPES:
            subjects = [("total", report.get("totals") or {})]
        elif gate.scope is not None:
            subjects = [(label, row) for label, row in rows if row.get("function") == gate.scope]
            if not subjects:
                known = ", ".join(sorted({str(row.get("function")) for _, row in rows})) or "none"
                raise InputError(f"--fail-on: no function {gate.scope!r} in the report (functions: {known})")
        else:
            subjects = rows
        checked = [(subject, metric_value(gate.metric, row)) for subject, row in subjects]
        if "." in gate.metric and checked and all(value is None for _, value in checked):
            raise InputError(f"--fail-on: the report has no numeric {gate.metric!r}")
        results += [GateResult(gate, s, v, v is not None and gate.broken_by(v)) for s, v in checked]
    return results


def format_metric(metric: str, value: float) -> str:
    """Format a metric value in the unit users wrote it in."""
    if metric in RATES:
        return f"{value * 100:.2f}%"
    if metric in COUNTS:
        return f"{value:g}"
    return (
        f"{value:.1f} ms"
        if metric in DURATION_METRICS or metric.endswith("_ms") or "_ms." in metric
        else f"{value:g}"
    )
