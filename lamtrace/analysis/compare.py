"""Compare two sets of invocation attempts (versions, aliases, time windows) with significance tests.

Durations are compared with a two-sided Mann-Whitney U test (normal approximation with tie and continuity
correction) and bootstrap confidence intervals for the change in p50 and p99; failure rates with a two-proportion
z-test. numpy and pandas only. Small samples get a warning instead of a verdict you should trust.

Example::

    from lamtrace.analysis.compare import compare
    result = compare(before.invocations, after.invocations, labels=("v3", "v4"))
    result.to_frame()
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

SCHEMA_VERSION = 1
MIN_SAMPLES = 20  # below this per side, the normal approximation and the percentiles are not to be trusted
MIN_SAMPLES_P99 = 100  # a p99 from fewer samples is the max of a handful
FAILURE_OUTCOMES = ("error", "timeout", "crash", "init_error")


@dataclass(frozen=True)
class MannWhitney:
    """Two-sided Mann-Whitney U test of ``a`` against ``b``.

    ``prob_b_greater`` is the common-language effect size: the chance that a random value of b exceeds a random
    value of a (ties count half). 0.5 means no shift.
    """

    u: float
    z: float
    p_value: float
    prob_b_greater: float


def mann_whitney(a: np.ndarray, b: np.ndarray) -> MannWhitney:
    """Mann-Whitney U test on two samples (NaN removed). Raises ValueError if either side is empty."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    n1, n2 = len(a), len(b)
    if not n1 or not n2:
        raise ValueError("both samples need at least one value")
    ranks = pd.Series(np.concatenate([a, b])).rank(method="average").to_numpy()
    u_b = ranks[n1:].sum() - n2 * (n2 + 1) / 2  # pairs where b > a, ties counting half
    n = n1 + n2
    _, tie_counts = np.unique(np.concatenate([a, b]), return_counts=True)
    ties = float((tie_counts**3 - tie_counts).sum())
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))) if n > 1 else 0.0
    mean = n1 * n2 / 2
    if variance <= 0:
        return MannWhitney(u=float(u_b), z=0.0, p_value=1.0, prob_b_greater=0.5)
    diff = u_b - mean
    z = (diff - math.copysign(0.5, diff)) / math.sqrt(variance) if diff else 0.0
    p_value = min(1.0, math.erfc(abs(z) / math.sqrt(2)))
    return MannWhitney(u=float(u_b), z=z, p_value=p_value, prob_b_greater=float(u_b / (n1 * n2)))


def bootstrap_quantile_diff(
    a: np.ndarray, b: np.ndarray, q: float, *, resamples: int = 1000, confidence: float = 0.95, seed: int = 0
) -> tuple[float, float]:
    """Percentile-bootstrap interval for ``quantile(b, q) - quantile(a, q)``. Deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    diffs = np.empty(resamples)
    # resample in chunks so memory stays ~ a few million values whatever the sample size
    chunk = max(1, 2_000_000 // max(len(a), len(b)))
    for start in range(0, resamples, chunk):
        k = min(chunk, resamples - start)
        qa = np.quantile(a[rng.integers(0, len(a), (k, len(a)))], q, axis=1)
        qb = np.quantile(b[rng.integers(0, len(b), (k, len(b)))], q, axis=1)
        diffs[start : start + k] = qb - qa
    tail = (1 - confidence) / 2
    low, high = np.quantile(diffs, [tail, 1 - tail])
    return float(low), float(high)


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of a pooled two-proportion z-test (1.0 when there is nothing to test)."""
    if not n1 or not n2:
        return 1.0
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 1.0
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    return min(1.0, math.erfc(abs(z) / math.sqrt(2)))


def _side(rows: pd.DataFrame) -> dict[str, Any]:
    durations = rows["duration_ms"].dropna().to_numpy(dtype=float)
    failures = int(rows["outcome"].isin(FAILURE_OUTCOMES).sum()) if "outcome" in rows else 0
    cold = int(rows["cold_start"].fillna(False).astype(bool).sum()) if "cold_start" in rows else 0
    attempts = len(rows)
    quantiles = np.quantile(durations, [0.5, 0.9, 0.99]) if len(durations) else [None] * 3
    return {
        "attempts": attempts,
        "samples": len(durations),
        "p50": _num(quantiles[0]),
        "p90": _num(quantiles[1]),
        "p99": _num(quantiles[2]),
        "failures": failures,
        "failure_rate": failures / attempts if attempts else None,
        "cold_starts": cold,
        "cold_start_rate": cold / attempts if attempts else None,
    }


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)


def _compare_group(name: str, a: pd.DataFrame, b: pd.DataFrame, alpha: float) -> dict[str, Any]:
    side_a, side_b = _side(a), _side(b)
    row: dict[str, Any] = {"function": name, "a": side_a, "b": side_b, "warnings": []}
    da = a["duration_ms"].dropna().to_numpy(dtype=float)
    db = b["duration_ms"].dropna().to_numpy(dtype=float)
    if not len(da) or not len(db):
        row["warnings"].append("no durations on one side: nothing to compare")
        row.update(delta=None, mann_whitney=None, significant=False, verdict="no data")
        return row
    test = mann_whitney(da, db)
    row["delta"] = {
        "p50": _num(side_b["p50"] - side_a["p50"]),
        "p99": _num(side_b["p99"] - side_a["p99"]),
        "p50_ci": [_num(v) for v in bootstrap_quantile_diff(da, db, 0.5)],
        "p99_ci": [_num(v) for v in bootstrap_quantile_diff(da, db, 0.99)],
    }
    row["mann_whitney"] = {
        "u": test.u,
        "p_value": test.p_value,
        "prob_b_slower": round(test.prob_b_greater, 4),
    }
    row["failure_rate_p_value"] = two_proportion_p_value(
        side_a["failures"], side_a["attempts"], side_b["failures"], side_b["attempts"]
    )
    small = min(len(da), len(db))
    if small < MIN_SAMPLES:
        row["warnings"].append(
            f"only {small} durations on one side (< {MIN_SAMPLES}): the test has little power; collect more"
        )
    elif small < MIN_SAMPLES_P99:
        row["warnings"].append(f"p99 from {small} samples (< {MIN_SAMPLES_P99}) is close to the max")
    row["significant"] = test.p_value < alpha and small >= MIN_SAMPLES
    if not row["significant"]:
        row["verdict"] = "no significant change" if small >= MIN_SAMPLES else "too few samples"
    else:
        row["verdict"] = "slower" if test.prob_b_greater > 0.5 else "faster"
    return row


@dataclass
class Comparison:
    """The result of :func:`compare`: one entry per function (or one overall entry)."""

    labels: tuple[str, str]
    alpha: float
    functions: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"schema", "a", "b", "alpha", "functions": [...]}`` (docs/cli.md)."""
        return {
            "schema": SCHEMA_VERSION,
            "a": self.labels[0],
            "b": self.labels[1],
            "alpha": self.alpha,
            "functions": self.functions,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per function with A/B percentiles, the change, the p-value and the verdict."""
        rows = []
        for f in self.functions:
            delta, test = f.get("delta") or {}, f.get("mann_whitney") or {}
            rows.append(
                {
                    "function": f["function"],
                    "n_a": f["a"]["samples"],
                    "n_b": f["b"]["samples"],
                    "p50_a": f["a"]["p50"],
                    "p50_b": f["b"]["p50"],
                    "p99_a": f["a"]["p99"],
                    "p99_b": f["b"]["p99"],
                    "delta_p50": delta.get("p50"),
                    "delta_p99": delta.get("p99"),
                    "failure_rate_a": f["a"]["failure_rate"],
                    "failure_rate_b": f["b"]["failure_rate"],
                    "p_value": test.get("p_value"),
                    "verdict": f["verdict"],
                }
            )
        return pd.DataFrame(rows)

    @property
    def regressed(self) -> bool:
        """True when any function got significantly slower."""
        return any(f["verdict"] == "slower" for f in self.functions)


def compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    labels: tuple[str, str] = ("a", "b"),
    by_function: bool = True,
    alpha: float = 0.05,
) -> Comparison:
    """Compare invocation attempts ``a`` (baseline) with ``b`` (candidate).

    ``a``/``b`` are invocation tables (docs/schema.md; needs ``duration_ms`` and ``outcome``, uses ``cold_start`` and
    ``function`` when present). With ``by_function`` each function present on both sides is compared on its own;
    functions present on one side only are listed with a warning. Otherwise everything is one comparison.
    """
    result = Comparison(labels=labels, alpha=alpha)
    if not by_function or "function" not in a or "function" not in b:
        result.functions.append(_compare_group(f"{labels[0]} → {labels[1]}", a, b, alpha))
        return result
    names_a, names_b = set(a["function"].dropna()), set(b["function"].dropna())
    for name in sorted(names_a | names_b):
        rows_a, rows_b = a[a["function"] == name], b[b["function"] == name]
        entry = _compare_group(name, rows_a, rows_b, alpha)
        if name not in names_a or name not in names_b:
            side = "b" if name not in names_a else "a"
            entry["warnings"] = [f"only in {labels[0] if side == 'a' else labels[1]}"]
            entry["verdict"] = f"only in {side}"
        result.functions.append(entry)
    return result
