"""--fail-on gates: parsing, units, scopes, and evaluation over a report dict."""

from __future__ import annotations

import pytest

from lamtrace.analysis.gates import evaluate, metric_value, parse_gates
from lamtrace.errors import InputError
from tests.unit.render.sample import sample_report


def test_parses_units_into_base_units() -> None:
    gates = parse_gates("p99>800ms, max>=3s, error_rate>1%, cold_start_rate<0.2")
    assert [(g.metric, g.op, g.threshold) for g in gates] == [
        ("p99", ">", 800.0),
        ("max", ">=", 3000.0),
        ("error_rate", ">", 0.01),
        ("cold_start_rate", "<", 0.2),
    ]
    assert [str(g) for g in gates] == ["p99>800ms", "max>=3s", "error_rate>1%", "cold_start_rate<0.2"]


def test_bare_duration_is_milliseconds() -> None:
    assert parse_gates("p50>250")[0].threshold == 250.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("p99 above 800", "cannot read 'p99 above 800'"),
        ("p98>800ms", "unknown metric 'p98'"),
        ("error_rate>5ms", "is a rate"),
        ("p99>5%", "% only applies to rates"),
        (" , ", "no gate given"),
    ],
)
def test_bad_gates_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_gates(text)


def test_every_function_is_checked_and_any_break_counts() -> None:
    results = evaluate(parse_gates("p99>800ms"), sample_report())
    assert [(r.subject, r.value, r.broken) for r in results] == [
        ("orders-api", 912.3, True),
        ("thumbnailer", 160.0, False),
    ]
    assert results[0].describe() == "orders-api: p99 = 912.3 ms breaks p99>800ms"


def test_rates_are_the_reports_own_or_derived_from_counts() -> None:
    row = sample_report()["functions"][0]
    assert metric_value("error_rate", row) == pytest.approx(0.025)  # the report's own figure
    assert metric_value("failed_attempt_rate", row) == pytest.approx(0.03)
    assert metric_value("timeout_rate", row) == pytest.approx(1 / 200)
    assert metric_value("retry_rate", row) == pytest.approx(4 / 196)
    del row["cold_start_rate"]
    assert metric_value("cold_start_rate", row) == pytest.approx(12 / 200)
    row["errors"], row["error_rate"] = 3, None
    assert metric_value("error_rate", row) is None  # the report says it has no figure: not recomputed
    del row["error_rate"]
    assert metric_value("error_rate", row) == pytest.approx(3 / 200)
    results = evaluate(parse_gates("error_rate>2%"), sample_report())
    assert [r.broken for r in results] == [True, False]
    assert "2.50%" in results[0].describe()


def test_grouped_rows_are_named_by_their_group_and_scoped_by_function() -> None:
    report = sample_report()
    report["group_by"] = ["function", "version"]
    report["functions"][0]["version"] = "3"
    report["functions"].append({**report["functions"][0], "version": "4", "duration_ms": {"p99": 100.0}})
    results = evaluate(parse_gates("orders-api:p99>800ms"), report)
    assert [(r.subject, r.broken) for r in results] == [("orders-api 3", True), ("orders-api 4", False)]


def test_scopes_select_a_function_or_the_totals() -> None:
    report = sample_report()
    (only,) = evaluate(parse_gates("thumbnailer:p99>100ms"), report)
    assert (only.subject, only.broken) == ("thumbnailer", True)
    (total,) = evaluate(parse_gates("total:errors>=5"), report)
    assert (total.subject, total.value, total.broken) == ("total", 5.0, True)
    with pytest.raises(InputError, match="no function 'nope'"):
        evaluate(parse_gates("nope:p99>1"), report)


def test_dotted_paths_reach_nested_figures() -> None:
    results = evaluate(parse_gates("init_ms.p99>850"), sample_report())
    assert [r.broken for r in results] == [False, True]
    with pytest.raises(InputError, match="no numeric 'init_ms.p42'"):
        evaluate(parse_gates("init_ms.p42>1"), sample_report())


def test_missing_data_is_reported_not_broken() -> None:
    report = sample_report()
    report["functions"][1]["duration_ms"]["p99"] = None
    report["functions"][1]["error_rate"] = None
    results = evaluate(parse_gates("p99>100ms,error_rate>0%"), report)
    thumb = [r for r in results if r.subject == "thumbnailer"]
    assert all(r.value is None and not r.broken for r in thumb)
    assert "has no data" in thumb[0].describe()
