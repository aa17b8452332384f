"""The wrapper benchmark script runs (tiny n): its figures are measured in benchmarks/, not asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytest.importorskip("awslambdaric")


@pytest.mark.slow
def test_benchmark_script_runs_and_writes_json(tmp_path) -> None:
    out = tmp_path / "results.json"
    args = [
        "--n",
        "10",
        "--repeats",
        "1",
        "--processes",
        "1",
        "--timed-runs",
        "2",
        "--only",
        "bare,lamtrace_logs,lamtrace_xray",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "wrapper" / "run.py"), *args],
        cwd=REPO, capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert [r["variant"] for r in result["rows"]] == ["bare", "lamtrace_logs", "lamtrace_xray"]
    for row in result["rows"]:
        assert row["per_invocation_us"] > 0 and row["init_ms"] >= 0
        assert len(row["cpu_us_each_run"]) == 2 and row["cpu_us"] == min(row["cpu_us_each_run"])
    assert len(result["loadavg_before"]) == 3
    assert "| lamtrace_xray |" in done.stdout
