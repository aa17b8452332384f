"""Estimated Lambda cost from a versioned price table: requests + GB-seconds, with INIT billing.

The table (``prices.json`` beside this module, or your own with the same shape) is documented in docs/pricing.md.
Each attempt is one billed request; its compute is ``memory_mb / 1024 × billed seconds``. Billed time is the REPORT's
Billed Duration, which already includes Init Duration where Lambda bills it (container images, custom runtimes, and
every on-demand function since ``init_billing_since``) and Billed Restore Duration for SnapStart. When a REPORT from
on or after that date shows a Billed Duration below Duration + Init Duration, the Init Duration (rounded up to 1 ms)
is added. Attempts without a REPORT are billed their Duration rounded up, or nothing if that is unknown too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lamtrace.errors import InputError

ARCHITECTURES = ("x86_64", "arm64")


@dataclass(frozen=True)
class Prices:
    """Prices that apply to one region and architecture, and where they came from."""

    table_version: str
    region: str
    architecture: str
    request_per_million: float
    gb_second: float
    exact_region: bool  # False: the region is not in the table; the default region's prices were used
    init_billing_since: pd.Timestamp

    def as_dict(self) -> dict[str, Any]:
        return {
            "table_version": self.table_version,
            "region": self.region,
            "architecture": self.architecture,
            "request_per_million_usd": self.request_per_million,
            "gb_second_usd": self.gb_second,
            "exact_region": self.exact_region,
            "init_billing_since": self.init_billing_since.date().isoformat(),
        }


def load_price_table(source: str | Path | dict | None = None) -> dict[str, Any]:
    """The bundled price table, or one from a path / dict with the same shape."""
    if isinstance(source, dict):
        return source
    if source is None:
        text = resources.files("lamtrace.analysis").joinpath("prices.json").read_text(encoding="utf-8")
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read price table {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"price table {source or 'prices.json'} is not valid JSON: {exc}") from None


def prices_for(table: dict[str, Any], region: str | None = None, architecture: str | None = None) -> Prices:
    """Look up one region and architecture (defaults: the table's default region, x86_64)."""
    architecture = architecture or "x86_64"
    if architecture not in ARCHITECTURES:
        raise InputError(f"unknown architecture {architecture!r}: use one of {', '.join(ARCHITECTURES)}")
    regions = table.get("regions", {})
    default = table.get("default_region", "us-east-1")
    region = region or default
    exact = region in regions
    try:
        entry = regions[region if exact else default][architecture]
        return Prices(
            table_version=str(table.get("version", "unknown")),
            region=region,
            architecture=architecture,
            request_per_million=float(entry["request_per_million"]),
            gb_second=float(entry["gb_second"]),
            exact_region=exact,
            init_billing_since=pd.Timestamp(table.get("init_billing_since", "2025-08-01"), tz="UTC"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"price table has no usable {architecture} prices for {region}: {exc}") from None


def billed_ms(attempts: pd.DataFrame, init_billing_since: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Billed milliseconds per attempt, and the part of it that is INIT (per the rules in the module docstring)."""
    duration = attempts["duration_ms"].astype("float64")
    init = attempts["init_ms"].astype("float64")
    billed = attempts["billed_ms"].astype("float64")
    billed = billed.fillna(np.ceil(duration)).fillna(0.0)
    after = attempts["start_time"] >= init_billing_since
    has_init = init.notna() & after.fillna(False).astype(bool)
    # A REPORT that bills Init shows Billed >= Duration + Init (within rounding); older-style lines do not.
    excluded = has_init & (billed + 1.0 < duration.fillna(0.0) + init)
    init_billed = pd.Series(0.0, index=attempts.index)
    init_billed[has_init] = np.ceil(init[has_init])
    billed = billed + init_billed.where(excluded, 0.0)
    return billed, init_billed


def cost(attempts: pd.DataFrame, prices: Prices) -> dict[str, Any]:
    """Requests, GB-seconds and USD for a set of attempts (the ``cost`` section of the report)."""
    if attempts.empty:
        return {
            "requests": 0,
            "gb_seconds": 0.0,
            "init_gb_seconds": 0.0,
            "request_usd": 0.0,
            "compute_usd": 0.0,
            "total_usd": 0.0,
            "attempts_without_memory": 0,
        }
    billed, init_billed = billed_ms(attempts, prices.init_billing_since)
    memory_gb = attempts["memory_mb"].astype("float64") / 1024.0
    gb_seconds = float((memory_gb * billed / 1000.0).sum(skipna=True))
    init_gb_seconds = float((memory_gb * init_billed / 1000.0).sum(skipna=True))
    requests = len(attempts)
    request_usd = requests * prices.request_per_million / 1_000_000
    compute_usd = gb_seconds * prices.gb_second
    return {
        "requests": requests,
        "gb_seconds": _round(gb_seconds),
        "init_gb_seconds": _round(init_gb_seconds),
        "request_usd": _round(request_usd),
        "compute_usd": _round(compute_usd),
        "total_usd": _round(request_usd + compute_usd),
        "attempts_without_memory": int(attempts["memory_mb"].isna().sum()),
    }


def _round(value: float) -> float:
    """Keep 6 significant digits: costs span micro-dollars to thousands."""
    return float(f"{value:.6g}") if value and math.isfinite(value) else 0.0
