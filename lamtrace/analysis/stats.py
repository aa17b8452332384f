"""Small statistics the report states everywhere: percentiles with their n, and rates with their denominator.

Percentiles use linear interpolation between closest ranks (numpy's default ``linear`` method): for sorted values
``x[0..n-1]`` the q-th percentile is at rank ``h = (n - 1) * q / 100``, ``x[floor h] + (h - floor h) *
(x[floor h + 1] - x[floor h])``. Missing values (NaN / null) are left out of n.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

DURATION_QUANTILES = (50, 90, 99)


def percentiles(values: Iterable[Any], quantiles: Sequence[float] = DURATION_QUANTILES) -> dict[str, Any]:
    """``{"n": n, "p50": ..., "p90": ..., "p99": ..., "max": ...}``; every figure ``None`` when n is 0.

    >>> percentiles([1, 2, 3, 4], (50,))
    {'n': 4, 'p50': 2.5, 'max': 4.0}
    """
    array = _floats(values)
    result: dict[str, Any] = {"n": int(array.size)}
    if array.size == 0:
        result.update({_key(q): None for q in quantiles})
        result["max"] = None
        return result
    points = np.percentile(array, list(quantiles), method="linear")
    result.update({_key(q): round(float(p), 3) for q, p in zip(quantiles, points, strict=True)})
    result["max"] = round(float(array.max()), 3)
    return result


def rate(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator`` rounded to 6 places; ``None`` when the denominator is 0 (no data is not 0 %)."""
    return round(float(numerator) / float(denominator), 6) if denominator else None


def mean(values: Iterable[Any]) -> float | None:
    array = _floats(values)
    return round(float(array.mean()), 3) if array.size else None


def _floats(values: Iterable[Any]) -> np.ndarray:
    array = np.asarray(
        [np.nan if v is None else v for v in values] if not hasattr(values, "dtype") else values,
        dtype="float64",
    )
    return array[~np.isnan(array)]


def _key(q: float) -> str:
    return f"p{q:g}".replace(".", "_")
