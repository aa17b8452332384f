"""``lamtrace report`` driven as a subprocess over the bundled demo data (recorded with the local emulator)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from lamtrace.cli import main
from lamtrace.cli.demo import BUNDLED
from tests.conftest import FIXTURES
from tests.integration.cli.helpers import in_process_error, lamtrace, one_line_error

DEMO = str(BUNDLED)


@pytest.fixture(scope="module")
def report_json() -> dict:
    result = lamtrace("report", DEMO, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # not a terminal: no progress display
    return json.loads(result.stdout)


def test_json_has_the_documented_keys_and_figures(report_json: dict) -> None:
    assert report_json["schema"].startswith("lamtrace.report/")
    assert {"functions", "totals", "coverage"} <= set(report_json)
    rows = {row["function"]: row for row in report_json["functions"]}
    assert set(rows) == {"shop-api", "shop-notify", "shop-report", "shop-worker"}
    for row in rows.values():
        assert {"attempts", "invocations", "retries", "cold_starts", "errors", "timeouts", "traced"} <= set(
            row
        )
        assert {"p50", "p90", "p99", "max"} <= set(row["duration_ms"])
    # what the recorded run did: 3 async retries of shop-notify, one timeout in shop-report, 50 attempts in all
    assert (rows["shop-notify"]["attempts"], rows["shop-notify"]["retries"]) == (7, 3)
    assert rows["shop-report"]["timeouts"] == 1
    assert report_json["totals"]["attempts"] == 50
    assert rows["shop-api"]["traced"] > 0  # trace files in the directory were found without --traces


def test_terminal_report_fits_100_columns_and_shows_the_json_figures(report_json: dict) -> None:
    result = lamtrace("report", DEMO)
    assert result.returncode == 0, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert max(len(line) for line in lines) <= 100
    assert "\x1b[" not in result.stdout
    api = next(row for row in report_json["functions"] if row["function"] == "shop-api")
    invocations = next(line for line in lines if line.startswith("shop-api "))
    assert invocations.split()[1:4] == [str(api["attempts"]), str(api["invocations"]), str(api["retries"])]
    for title in (
        "Invocations",
        "Failures",
        "Latency (ms)",
        "Memory and cost (us-east-1, x86_64, prices ",
        "Failed invocations",
        "Coverage",
    ):
        assert any(line.startswith(title) for line in lines), title
    assert "Sandbox.Timedout" in result.stdout


def test_csv_and_markdown(tmp_path: Path) -> None:
    result = lamtrace("report", DEMO, "--format", "csv", "-o", str(tmp_path / "r.csv"))
    assert result.returncode == 0 and result.stdout == ""
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    assert rows[-1]["function"] == "total" and rows[-1]["attempts"] == "50"
    markdown = lamtrace("report", DEMO, "--format", "markdown", "--top", "3").stdout
    assert "| function | attempts | invocations |" in markdown
    slowest = markdown.split("## Slowest invocations")[1].split("##")[0]
    assert slowest.count("\n| shop-") == 3


def test_function_filter_and_group_by(report_json: dict) -> None:
    result = lamtrace("report", DEMO, "--function", "shop-api", "--group-by", "version", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {row["function"] for row in data["functions"]} == {"shop-api"}
    assert {row["version"] for row in data["functions"]} == {
        "$LATEST",
        "1",
    }  # the alias 'live' runs version 1
    assert sum(row["attempts"] for row in data["functions"]) == 35


def test_a_collect_store_gives_the_same_report(report_json: dict, tmp_path: Path) -> None:
    from collectors import files, store

    store.write(tmp_path / "store", files.read([DEMO]))
    assert any((tmp_path / "store" / "traces").rglob("*.parquet"))
    result = lamtrace("report", str(tmp_path / "store"), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("attempts", "invocations", "retries", "cold_starts", "errors", "timeouts", "traced"):
        assert data["totals"][key] == report_json["totals"][key], key


def test_other_formats_are_detected() -> None:
    result = lamtrace(
        "report",
        str(FIXTURES / "files" / "filter-log-events.jsonl"),
        "--traces",
        str(FIXTURES / "files" / "batch-get-traces.json"),
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["attempts"] > 0


def test_gates_break_with_exit_code_3() -> None:
    result = lamtrace("report", DEMO, "--format", "json", "--fail-on", "p99>500ms,error_rate>50%")
    assert result.returncode == 3
    json.loads(result.stdout)  # stdout stays valid JSON; gate results go to stderr
    assert "shop-report: p99 = " in result.stderr and "breaks p99>500ms" in result.stderr
    assert "shop-notify: error_rate = 57.14% breaks error_rate>50%" in result.stderr


def test_passing_gates_are_listed(capsys: pytest.CaptureFixture) -> None:
    assert main(["report", DEMO, "--fail-on", "max>5s", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "shop-api: max = " in out and "passes max>5s" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "p99 over 800"], "--fail-on: cannot read 'p99 over 800'"),
        (["--function", "nope"], "no invocations match --function nope"),
        (["--since", "2026-11-29", "--until", "2026-11-28"], "--since (2026-11-29T00:00:00Z) must be before"),
        (["--since", "last tuesday"], "not a time: 'last tuesday'"),
        (["--group-by", "colour"], "--group-by: unknown key 'colour'"),
    ],
)
def test_mistakes_are_one_line_with_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    assert message in in_process_error(["report", DEMO, *args], capsys)


def test_bad_inputs_are_one_line_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "notes.txt").write_text("hello, this is not a log\n")
    assert "unknown file format" in one_line_error(lamtrace("report", str(tmp_path / "notes.txt")))
    (tmp_path / "empty").mkdir()
    assert "empty input" in in_process_error(["report", str(tmp_path / "empty")], capsys)
    assert "no such file or directory" in in_process_error(
        ["report", str(tmp_path / "missing.jsonl")], capsys
    )
    assert "nothing to read" in in_process_error(["report"], capsys)


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    result = lamtrace("--debug", "report", str(tmp_path / "notes.txt"))
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "InputError" in result.stderr
