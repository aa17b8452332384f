"""Cost arithmetic on worked examples, INIT billing, and the price table lookup."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lamtrace.analysis.pricing import billed_ms, cost, load_price_table, prices_for
from lamtrace.errors import InputError
from tests.unit.analysis.invocation_builder import invocations


def test_worked_example_x86_and_arm64():
    # 10 attempts x 1024 MB x 2000 ms billed = 20 GB-s
    frame = invocations(*[{"memory_mb": 1024, "duration_ms": 1999.2, "billed_ms": 2000.0}] * 10)
    x86 = cost(frame, prices_for(load_price_table(), "us-east-1", "x86_64"))
    assert x86["requests"] == 10 and x86["gb_seconds"] == pytest.approx(20.0)
    assert x86["request_usd"] == pytest.approx(10 * 0.20 / 1e6)  # 0.000002
    assert x86["compute_usd"] == pytest.approx(20 * 0.0000166667)  # 0.000333334
    assert x86["total_usd"] == pytest.approx(0.000335334)
    arm = cost(frame, prices_for(load_price_table(), "us-east-1", "arm64"))
    assert arm["compute_usd"] == pytest.approx(20 * 0.0000133334)


def test_gb_is_mb_over_1024():
    frame = invocations({"memory_mb": 512, "billed_ms": 1000.0})
    assert cost(frame, prices_for(load_price_table()))["gb_seconds"] == pytest.approx(0.5)


def test_init_is_added_only_when_billed_after_the_cutover_and_missing_from_billed():
    since = pd.Timestamp("2025-08-01", tz="UTC")
    frame = invocations(
        # after the cutover, REPORT without Init in Billed: add ceil(250.4) = 251
        {"start_time": "2025-09-01T00:00:00Z", "duration_ms": 99.5, "billed_ms": 100.0, "init_ms": 250.4},
        # after the cutover, Billed already includes Init (15.74 + 130.49 -> 147, a real 2025 REPORT)
        {"start_time": "2025-09-01T00:00:00Z", "duration_ms": 15.74, "billed_ms": 147.0, "init_ms": 130.49},
        # before the cutover, zip functions: Init was free
        {"start_time": "2024-01-01T00:00:00Z", "duration_ms": 978.56, "billed_ms": 979.0, "init_ms": 720.71},
        # no REPORT: Duration rounded up
        {"start_time": "2025-09-01T00:00:00Z", "duration_ms": 10.2, "billed_ms": None, "has_report": False},
    )
    billed, init = billed_ms(frame, since)
    assert billed.tolist() == [351.0, 147.0, 979.0, 11.0]
    assert init.tolist() == [251.0, 131.0, 0.0, 0.0]


def test_init_gb_seconds_in_cost():
    frame = invocations(
        {
            "start_time": "2025-09-01T00:00:00Z",
            "memory_mb": 2048,
            "duration_ms": 100,
            "billed_ms": 600.0,
            "init_ms": 500.0,
        }
    )
    result = cost(frame, prices_for(load_price_table()))
    assert result["gb_seconds"] == pytest.approx(1.2) and result["init_gb_seconds"] == pytest.approx(1.0)


def test_unknown_region_uses_the_default_and_says_so():
    prices = prices_for(load_price_table(), "eu-west-3")
    assert prices.region == "eu-west-3" and not prices.exact_region
    assert prices.gb_second == prices_for(load_price_table(), "us-east-1").gb_second
    assert prices_for(load_price_table(), "us-east-2").exact_region


def test_bad_architecture_and_tables_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="architecture"):
        prices_for(load_price_table(), architecture="sparc")
    with pytest.raises(InputError, match="no usable"):
        prices_for({"regions": {"us-east-1": {"x86_64": {}}}})
    bad = tmp_path / "prices.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_price_table(bad)
    with pytest.raises(InputError, match="cannot read"):
        load_price_table(tmp_path / "missing.json")


def test_custom_price_table(tmp_path):
    table = {
        "version": "mine",
        "default_region": "xx-1",
        "regions": {"xx-1": {"x86_64": {"request_per_million": 1.0, "gb_second": 0.001}}},
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(table))
    prices = prices_for(load_price_table(path))
    assert (prices.table_version, prices.gb_second, prices.exact_region) == ("mine", 0.001, True)


def test_bundled_table_is_versioned_and_sourced():
    table = load_price_table()
    assert table["version"] and table["sources"] and table["init_billing_since"] == "2025-08-01"


def test_empty_frame_costs_nothing():
    assert cost(invocations().iloc[0:0], prices_for(load_price_table()))["total_usd"] == 0.0
