"""How pulls are cut: CloudWatch slices per group, X-Ray windows of at most 6 hours."""

from __future__ import annotations

import pytest

from collectors import cloudwatch, xray
from collectors.checkpoint import Slice

HOUR = 3_600_000


def test_slices_cover_the_window_exactly_once():
    slices = cloudwatch.plan_slices(["a", "b"], 1000, 1000 + 5 * HOUR - 1, slice_ms=2 * HOUR)
    a = [s for s in slices if s.log_group == "a"]
    assert a == [
        Slice("a", 1000, 1000 + 2 * HOUR - 1),
        Slice("a", 1000 + 2 * HOUR, 1000 + 4 * HOUR - 1),
        Slice("a", 1000 + 4 * HOUR, 1000 + 5 * HOUR - 1),
    ]
    assert len(slices) == 6


def test_default_slices_at_most_sixteen_and_at_least_fifteen_minutes():
    week = cloudwatch.plan_slices(["g"], 0, 7 * 24 * HOUR - 1)
    assert len(week) == 16 and week[-1].end_ms == 7 * 24 * HOUR - 1
    short = cloudwatch.plan_slices(["g"], 0, HOUR - 1)
    assert len(short) == 4
    assert cloudwatch.plan_slices(["g"], 7, 7) == [Slice("g", 7, 7)]
    with pytest.raises(ValueError):
        cloudwatch.plan_slices(["g"], 10, 5)


def test_xray_windows_are_at_most_six_hours():
    windows = xray.plan_windows(0, 20 * HOUR)
    assert windows == [(0, 6 * HOUR), (6 * HOUR, 12 * HOUR), (12 * HOUR, 18 * HOUR), (18 * HOUR, 20 * HOUR)]
    assert xray.plan_windows(5, 5) == [(5, 5)]
    with pytest.raises(ValueError):
        xray.plan_windows(10, 5)
