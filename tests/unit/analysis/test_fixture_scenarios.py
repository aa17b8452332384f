"""Real-sample scenarios (tests/fixtures/logs/*.jsonl, built from samples/ by build.py) → invocation rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lamtrace.analysis import load

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "logs"

# fixture -> per attempt (in start order): expected values
EXPECTED = {
    "text-python-keyerror": [
        dict(
            outcome="error",
            error_type="KeyError",
            error_message="'id'",
            start_kind="cold",
            init_ms=560.59,
            duration_ms=2499.27,
            app_lines=2,
            app_warnings=2,
            app_errors=0,
        )
    ],
    "text-init-importmoduleerror": [
        dict(
            outcome="init_error",
            error_type="Runtime.ImportModuleError",
            start_kind="cold",
            init_ms=80.49,
            duration_ms=98.71,
            memory_mb=512,
        )
    ],
    "text-init-exiterror": [
        dict(
            outcome="init_error",
            error_type="Runtime.ExitError",
            error_message="Runtime exited with error: exit status 1",
            start_kind="cold",
            init_ms=4.87,
        )
    ],
    "text-timeout-after-report": [
        dict(
            outcome="timeout",
            error_message="Task timed out after 3.07 seconds",
            start_kind="warm",
            billed_ms=3000.0,
        )
    ],
    "text-snapstart": [
        dict(
            outcome="success",
            start_kind="snapstart",
            restore_ms=398.97,
            billed_restore_ms=182.0,
            version="72",
            cold_start=True,
            app_lines=0,
            has_app_logs=False,
        )
    ],
    "json-nodejs-cold": [
        dict(
            outcome="success",
            start_kind="cold",
            init_ms=174.055,
            duration_ms=11.642,
            log_format="json",
            app_lines=1,
        )
    ],
    "json-telemetry-timeout": [
        dict(
            outcome="success", trace_id="1-6352a70e-1e2c502e358361800241fd45", sampled=True, start_kind="warm"
        ),
        dict(outcome="timeout", duration_ms=30000.0, trace_id=None),
    ],
    "text-xray-node": [
        dict(
            outcome="success",
            trace_id="1-5d83c0ad-b8eb33a0b1de97d804fac890",
            sampled=True,
            app_lines=2,
            app_errors=1,
        )
    ],
    "text-oom-killed": [dict(outcome="crash", error_type="Runtime.ExitError")],
    "text-powertools": [
        dict(
            outcome="success",
            start_kind="cold",
            app_lines=2,
            app_errors=1,
            trace_id="1-5759e988-bd862e3fe1be46a994272793",
        )
    ],
}


def rows(name: str) -> pd.DataFrame:
    return (
        load(logs=str(FIXTURES / f"{name}.jsonl"))
        .invocations.sort_values("start_time")
        .reset_index(drop=True)
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario(name):
    table = rows(name)
    assert len(table) == len(EXPECTED[name])
    for (_, row), expected in zip(table.iterrows(), EXPECTED[name], strict=True):
        for column, value in expected.items():
            got = row[column]
            got = None if pd.isna(got) else got
            assert got == value, f"{name}: {column} = {got!r}, expected {value!r}"


def test_async_retry_in_a_new_environment_is_attempt_two_of_the_same_invocation():
    table = load(
        logs=[str(FIXTURES / "text-timeout-after-report.jsonl"), str(FIXTURES / "text-timeout-retry.jsonl")]
    )
    inv = table.invocations.sort_values("start_time")
    assert list(inv["attempt"]) == [1, 2]
    assert inv["request_id"].nunique() == 1
    assert list(inv["outcome"]) == ["timeout", "success"]
    assert list(inv["start_kind"]) == ["warm", "cold"]
    assert table.coverage["attempts"] == 2 and table.coverage["invocations"] == 1


def test_whole_fixture_directory_coverage():
    ds = load(logs=sorted(str(p) for p in FIXTURES.glob("*.jsonl")))
    cov = ds.coverage
    assert cov["events"] == cov["events_read"] == sum(1 for p in FIXTURES.glob("*.jsonl") for _ in p.open())
    assert cov["attempts"] == cov["attempts_with_report"] == 12
    assert cov["events_by_kind"]["emf"] == 1
    # the Java log4j lines and the glibc loader errors are not a format we know
    assert cov["unparsed_events"] == 3
    # the import error's init-phase [WARNING] lines and [ERROR] tracebacks (two inits) happen outside any invocation
    assert cov["unattributed_events"] == 4
    assert set(ds.invocations.columns) >= {"has_trace", "xray_init_ms", "downstream"}
