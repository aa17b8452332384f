"""lamtrace diff's statistics: Mann-Whitney U, bootstrap intervals, failure-rate test, verdicts and warnings."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from lamtrace.analysis.compare import bootstrap_quantile_diff, compare, mann_whitney, two_proportion_p_value


def _brute_u(a: list[float], b: list[float]) -> float:
    return sum(1.0 if y > x else 0.5 if y == x else 0.0 for x in a for y in b)


def test_u_statistic_counts_pairs_with_ties_as_half() -> None:
    a = [1.0, 2.0, 2.0, 5.0, 7.0]
    b = [2.0, 3.0, 5.0, 8.0, 9.0, 9.0]
    result = mann_whitney(np.array(a), np.array(b))
    assert result.u == _brute_u(a, b)
    assert result.prob_b_greater == pytest.approx(_brute_u(a, b) / 30)


def test_p_value_is_close_to_the_exact_permutation_p_value() -> None:
    rng = np.random.default_rng(7)
    a = rng.normal(100, 10, 8).round(1)
    b = rng.normal(112, 10, 9).round(1)
    observed = _brute_u(list(a), list(b))
    pooled = np.concatenate([a, b])
    mean = len(a) * len(b) / 2
    extreme = total = 0
    for idx in itertools.combinations(range(len(pooled)), len(a)):
        mask = np.zeros(len(pooled), bool)
        mask[list(idx)] = True
        u = _brute_u(list(pooled[mask]), list(pooled[~mask]))
        extreme += abs(u - mean) >= abs(observed - mean) - 1e-9
        total += 1
    exact = extreme / total
    assert mann_whitney(a, b).p_value == pytest.approx(exact, abs=0.01)


def test_identical_samples_are_not_different() -> None:
    same = np.full(50, 12.0)
    result = mann_whitney(same, same)
    assert (result.p_value, result.prob_b_greater) == (1.0, 0.5)
    with pytest.raises(ValueError):
        mann_whitney(np.array([]), same)


def test_bootstrap_interval_covers_the_true_shift_and_is_deterministic() -> None:
    rng = np.random.default_rng(1)
    a = rng.lognormal(4, 0.3, 400)
    b = a * 1.0 + 30  # shifted by exactly 30 ms
    low, high = bootstrap_quantile_diff(a, b, 0.5)
    assert low < 30 < high
    assert (low, high) == bootstrap_quantile_diff(a, b, 0.5)


def test_two_proportion_test() -> None:
    assert two_proportion_p_value(1, 1000, 60, 1000) < 1e-6
    assert two_proportion_p_value(10, 1000, 11, 1000) > 0.5
    assert two_proportion_p_value(0, 0, 3, 10) == 1.0


def _attempts(function: str, durations: np.ndarray, failures: int = 0) -> pd.DataFrame:
    outcome = ["error"] * failures + ["success"] * (len(durations) - failures)
    return pd.DataFrame(
        {"function": function, "duration_ms": durations, "outcome": outcome, "cold_start": False}
    )


def test_compare_flags_a_real_slowdown_per_function() -> None:
    rng = np.random.default_rng(3)
    before = pd.concat(
        [_attempts("orders", rng.normal(100, 15, 300)), _attempts("mail", rng.normal(50, 5, 300))]
    )
    after = pd.concat(
        [_attempts("orders", rng.normal(130, 15, 300)), _attempts("mail", rng.normal(50, 5, 300))]
    )
    result = compare(before, after, labels=("v1", "v2"))
    verdicts = {f["function"]: f["verdict"] for f in result.functions}
    assert verdicts == {"mail": "no significant change", "orders": "slower"}
    orders = next(f for f in result.functions if f["function"] == "orders")
    assert 20 < orders["delta"]["p50"] < 40
    low, high = orders["delta"]["p50_ci"]
    assert low < orders["delta"]["p50"] < high
    assert result.regressed
    frame = result.to_frame()
    assert list(frame["function"]) == ["mail", "orders"]
    assert frame.loc[frame["function"] == "orders", "p_value"].item() < 1e-6
    assert result.to_dict()["a"] == "v1"


def test_small_samples_warn_and_give_no_verdict() -> None:
    result = compare(_attempts("f", np.array([10.0, 11, 12])), _attempts("f", np.array([50.0, 51, 52])))
    (entry,) = result.functions
    assert entry["verdict"] == "too few samples"
    assert not entry["significant"]
    assert "only 3 durations" in entry["warnings"][0]


def test_functions_on_one_side_only_are_listed() -> None:
    rng = np.random.default_rng(0)
    result = compare(_attempts("old", rng.normal(10, 1, 30)), _attempts("new", rng.normal(10, 1, 30)))
    by_name = {f["function"]: f for f in result.functions}
    assert (by_name["old"]["warnings"], by_name["old"]["verdict"]) == (["only in a"], "only in a")
    assert (by_name["new"]["warnings"], by_name["new"]["verdict"]) == (["only in b"], "only in b")


def test_failure_rates_are_compared() -> None:
    rng = np.random.default_rng(5)
    result = compare(
        _attempts("f", rng.normal(10, 1, 500), failures=2),
        _attempts("f", rng.normal(10, 1, 500), failures=40),
    )
    (entry,) = result.functions
    assert entry["a"]["failure_rate"] == pytest.approx(2 / 500)
    assert entry["failure_rate_p_value"] < 1e-6


def test_overall_comparison_without_functions() -> None:
    rng = np.random.default_rng(2)
    a = _attempts("f", rng.normal(10, 1, 50)).drop(columns="function")
    b = _attempts("g", rng.normal(10, 1, 50)).drop(columns="function")
    (entry,) = compare(a, b, labels=("x", "y")).functions
    assert entry["function"] == "x → y"
