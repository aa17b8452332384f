"""The report as CSV: one row per function (then ``total``) with every figure of ``to_dict()``, flattened."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any


def flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"duration_ms": {"p50": 1}}`` -> ``{"duration_ms_p50": 1}``; lists are left out (they are not columns)."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}_"))
        elif not isinstance(value, list | tuple):
            flat[name] = value
    return flat


def render_csv(report: Mapping[str, Any]) -> str:
    """CSV text with a header; columns are the union of the function rows' keys, in first-seen order."""
    rows = [flatten(row) for row in report.get("functions", [])]
    if report.get("totals"):
        rows.append({"function": "total", **flatten(report["totals"])})
    columns: dict[str, None] = {"function": None}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
