"""``lamtrace diff`` as a subprocess: versions and time windows, a real slowdown, and too-small samples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.integration.cli.helpers import in_process_error, lamtrace, one_line_error, write_invocations

START = 1_795_860_000_000  # 2026-11-28T10:00:00Z


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """orders: version 1 at ~100 ms, then version 2 at ~130 ms (from 10:10); mail: unchanged, few samples."""
    root = tmp_path_factory.mktemp("diff")
    rng = np.random.default_rng(11)
    write_invocations(root / "orders.jsonl", "orders", "1", rng.normal(100, 10, 80), start_ms=START)
    write_invocations(root / "orders.jsonl", "orders", "2", rng.normal(130, 10, 80), start_ms=START + 600_000)
    write_invocations(root / "mail.jsonl", "mail", "1", rng.normal(40, 4, 8), start_ms=START)
    write_invocations(root / "mail.jsonl", "mail", "2", rng.normal(40, 4, 8), start_ms=START + 600_000)
    return root


def test_two_versions_are_compared_by_default(logs: Path) -> None:
    result = lamtrace("diff", str(logs), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["a"], data["b"]) == ("version=1", "version=2")
    rows = {row["function"]: row for row in data["functions"]}
    assert rows["orders"]["verdict"] == "slower"
    assert rows["orders"]["mann_whitney"]["p_value"] < 1e-6
    assert 20 < rows["orders"]["delta"]["p50"] < 40
    assert rows["mail"]["verdict"] == "too few samples"
    assert "only 8 durations" in rows["mail"]["warnings"][0]


def test_time_windows_and_the_regression_gate(logs: Path) -> None:
    result = lamtrace(
        "diff",
        str(logs),
        "--function",
        "orders",
        "--a",
        "until=2026-11-28T10:05Z",
        "--b",
        "since=2026-11-28T10:10Z",
        "--fail-on-regression",
    )
    assert result.returncode == 3, result.stderr
    assert "significantly slower in b: orders" in result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert max(map(len, lines)) <= 100
    orders = next(line for line in lines if line.startswith("orders"))
    assert orders.endswith("slower") and "80 / 80" in orders


def test_separate_sources_per_side(logs: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    before = write_invocations(tmp_path / "before" / "f.jsonl", "f", "$LATEST", rng.normal(50, 5, 40))
    after = write_invocations(tmp_path / "after" / "f.jsonl", "f", "$LATEST", rng.normal(50, 5, 40))
    result = lamtrace("diff", "--a", f"source={before}", "--b", f"source={after}", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert "| f | 40 / 40 |" in result.stdout and "no significant change" in result.stdout


def test_diff_mistakes(logs: Path, capsys: pytest.CaptureFixture) -> None:
    assert "give both --a and --b" in one_line_error(lamtrace("diff", str(logs), "--a", "version=1"))
    assert "--b version=9 selects no invocations" in in_process_error(
        ["diff", str(logs), "--a", "version=1", "--b", "version=9"], capsys
    )
    assert "unknown key 'alias'" in in_process_error(
        ["diff", str(logs), "--a", "alias=live", "--b", "version=2"], capsys
    )
