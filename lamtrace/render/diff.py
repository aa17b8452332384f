"""``lamtrace diff`` output: the comparison of two sets of invocations as a terminal table, Markdown or JSON."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from lamtrace.render.cells import fmt_ms

VERDICT_STYLES = {
    "slower": "bold red",
    "faster": "green",
    "no significant change": "",
    "too few samples": "yellow",
}
SHORT_VERDICTS = {"no significant change": "not significant", "too few samples": "too few"}
TERMINAL_OMITS = ("p99",)  # 100 columns hold the rest; p99 is in the JSON and Markdown


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _signed(value: float | None) -> str:
    if value is None:
        return "-"
    return ("+" if value > 0 else "-" if value < 0 else "±") + fmt_ms(abs(value))


def _p(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def diff_rows(comparison: Mapping[str, Any]) -> list[dict[str, str]]:
    """One dict of display strings per function (shared by the table and Markdown)."""
    rows = []
    for f in comparison["functions"]:
        a, b, delta = f["a"], f["b"], f.get("delta") or {}
        ci = delta.get("p50_ci") or [None, None]
        rows.append(
            {
                "function": f["function"],
                "n": f"{a['samples']} / {b['samples']}",
                "p50": f"{fmt_ms(a['p50'])} → {fmt_ms(b['p50'])}",
                "Δp50 (95% CI)": f"{_signed(delta.get('p50'))} ({_signed(ci[0])}..{_signed(ci[1])})"
                if delta
                else "-",
                "p99": f"{fmt_ms(a['p99'])} → {fmt_ms(b['p99'])}",
                "failures": f"{_pct(a['failure_rate'])} → {_pct(b['failure_rate'])}",
                "p": _p((f.get("mann_whitney") or {}).get("p_value")),
                "verdict": f["verdict"],
            }
        )
    return rows


def _warnings(comparison: Mapping[str, Any]) -> list[str]:
    return [f"{f['function']}: {w}" for f in comparison["functions"] for w in f.get("warnings", [])]


def render_diff(comparison: Mapping[str, Any], fmt: str, *, color: bool = False) -> str:
    """``fmt`` is ``table``, ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(comparison, indent=2, default=str) + "\n"
    rows = diff_rows(comparison)
    title = f"a = {comparison['a']}   b = {comparison['b']}   (Mann-Whitney U, alpha {comparison['alpha']})"
    if fmt == "markdown":
        headers = list(rows[0]) if rows else ["function"]
        lines = ["# lamtrace diff", "", title, "", "| " + " | ".join(headers) + " |"]
        lines.append("|" + "|".join("---" for _ in headers) + "|")
        lines += ["| " + " | ".join(r[h].replace("|", "\\|") for h in headers) + " |" for r in rows]
        lines += ["", *(f"- ⚠ {w}" for w in _warnings(comparison))]
        return "\n".join(lines).rstrip() + "\n"
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    console = Console(
        file=out, width=100, force_terminal=color, no_color=not color, highlight=False, emoji=False
    )
    console.print(Text(title, style="bold"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=(0, 1, 0, 0))
    headers = [h for h in (rows[0] if rows else ["function"]) if h not in TERMINAL_OMITS]
    for header in headers:
        left = header in ("function", "verdict")
        table.add_column(
            header, justify="left" if left else "right", no_wrap=True, max_width=18 if left else None
        )
    for row in rows:
        verdict = row["verdict"]
        cells = [row[h] for h in headers[:-1]]
        table.add_row(
            *cells, Text(SHORT_VERDICTS.get(verdict, verdict), style=VERDICT_STYLES.get(verdict, ""))
        )
    console.print(table)
    for warning in _warnings(comparison):
        console.print(Text(f"warning: {warning}", style="yellow"))
    return out.getvalue()
