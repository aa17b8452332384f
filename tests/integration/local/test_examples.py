"""The example scenario runs and does what its comments say."""

from __future__ import annotations

from pathlib import Path

from lamtrace.local.scenario import run_scenario
from tests.integration.local.raw_output import check_and_count

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_checkout_example_scenario(tmp_path):
    summary = run_scenario(EXAMPLES / "scenarios" / "checkout.yaml", tmp_path)
    assert (
        summary["attempts"],
        summary["retries"],
        summary["errors"],
        summary["timeouts"],
        summary["crashes"],
    ) == (19, 1, 3, 1, 1)
    assert summary["dead_letters"] == 1 and summary["reclaimed"] >= 2
    # hello: 1-2 environments for 2 concurrent callers, +1 after the idle wait; checkout: first, after timeout, after OOM
    assert 5 <= summary["cold_starts"] <= 6
    counted = check_and_count(tmp_path)
    assert counted["attempts"] == 19 and counted["cold_starts"] == summary["cold_starts"]
    assert counted["timeouts"] == 1 and counted["errors_reported"] == 4  # 3 errors + the out-of-memory crash
