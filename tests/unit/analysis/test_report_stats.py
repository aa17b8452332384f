"""Percentiles (numpy's linear interpolation, n beside each) and rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtrace.analysis.stats import mean, percentiles, rate


def test_hand_computed_percentiles():
    # ranks h = (n - 1) q: p50 of 1..4 at h = 1.5 -> 2.5; p90 at h = 2.7 -> 3.7; p99 at 2.97 -> 3.97
    assert percentiles([4, 1, 3, 2]) == {"n": 4, "p50": 2.5, "p90": 3.7, "p99": 3.97, "max": 4.0}


def test_missing_values_are_not_counted_and_empty_gives_nulls():
    assert percentiles(pd.Series([1.0, None, np.nan, 3.0]), (50,)) == {"n": 2, "p50": 2.0, "max": 3.0}
    assert percentiles(pd.array([None, 5], dtype="Int64"), (50,)) == {"n": 1, "p50": 5.0, "max": 5.0}
    assert percentiles([]) == {"n": 0, "p50": None, "p90": None, "p99": None, "max": None}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=200))
def test_matches_numpy_linear(values):
    result = percentiles(values, (50, 90, 99))
    expected = np.percentile(values, [50, 90, 99])
    assert result["n"] == len(values)
    for key, value in zip(("p50", "p90", "p99"), expected, strict=True):
        assert result[key] == pytest.approx(value, abs=1e-3)
    assert isinstance(result["p50"], float)


def test_rate_has_no_value_without_a_denominator():
    assert rate(1, 4) == 0.25 and rate(0, 0) is None and rate(2, 3) == 0.666667
    assert mean([1, None, 2]) == 1.5 and mean([]) is None
