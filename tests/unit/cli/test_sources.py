"""SOURCE resolution and time options of the report/diff commands."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from lamtrace.cli.sources import parse_time, resolve, split_list, time_window
from lamtrace.errors import InputError
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
EVENT = {
    "log_group": "/aws/lambda/f",
    "log_stream": "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef",
    "timestamp": 1795861521564,
    "message": "START RequestId: 6795fe66-0f3d-4c6e-9d52-1d7c2f1a9b10 Version: $LATEST\n",
    "event_id": "1",
    "ingestion_time": None,
}
TRACE = {
    "trace_id": "1-6b0aac11-ea7528c0b2bc2f184899a468",
    "segment_id": "2b0bedb6df2652bc",
    "document": "{}",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28", datetime(2026, 11, 28, tzinfo=timezone.utc)),
        ("2026-11-28T10:00Z", datetime(2026, 11, 28, 10, tzinfo=timezone.utc)),
        ("2026-11-28T11:00:00+01:00", datetime(2026, 11, 28, 10, tzinfo=timezone.utc)),
        ("2h", datetime(2026, 11, 28, 10, tzinfo=timezone.utc)),
        ("90m", datetime(2026, 11, 28, 10, 30, tzinfo=timezone.utc)),
        ("1d", datetime(2026, 11, 27, 12, tzinfo=timezone.utc)),
        ("now", NOW),
        ("1795860000", datetime(2026, 11, 28, 10, tzinfo=timezone.utc)),
        ("1795860000000", datetime(2026, 11, 28, 10, tzinfo=timezone.utc)),
    ],
)
def test_times(text: str, expected: datetime) -> None:
    assert parse_time(text, now=NOW) == expected


def test_bad_time_and_inverted_window() -> None:
    with pytest.raises(InputError, match="not a time: 'yesterday'"):
        parse_time("yesterday")
    with pytest.raises(InputError, match=r"--since \(2026-11-28T11:00:00Z\) must be before --until"):
        time_window("2026-11-28T11:00Z", "2026-11-28T10:00Z")
    assert time_window(None, None) == (None, None)


def test_split_list() -> None:
    assert split_list(["function,version", " stream ,", "trigger"]) == [
        "function",
        "version",
        "stream",
        "trigger",
    ]


def _write(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_trace_files_are_recognised_wherever_they_are(tmp_path: Path) -> None:
    logs = _write(tmp_path / "mixed" / "a.jsonl", [EVENT])
    traces = _write(tmp_path / "mixed" / "b.jsonl", [TRACE])
    inputs = resolve([str(tmp_path / "mixed")])
    assert (inputs.logs, inputs.traces) == ([str(logs)], [str(traces)])
    assert inputs.load_arguments() == {"logs": [str(logs)], "traces": [str(traces)]}


def test_other_formats_are_classified() -> None:
    inputs = resolve(
        [str(FIXTURES / "files" / "filter-log-events.json"), str(FIXTURES / "files" / "otlp-traces.json")]
    )
    assert inputs.formats[inputs.logs[0]] == "filter-log-events-json"
    assert inputs.formats[inputs.traces[0]] == "otlp-json"


def test_globs_and_empty_files(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", [EVENT])
    (tmp_path / "empty.jsonl").write_text("")
    inputs = resolve([str(tmp_path / "*.jsonl")])
    assert len(inputs.logs) == 1 and inputs.skipped == [str(tmp_path / "empty.jsonl")]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "empty input: nothing to read"),
        (lambda d: (d / "x.bin").write_bytes(b"\x00\x01garbage"), "unknown file format"),
        (lambda d: (d / "e.jsonl").write_text("\n\n"), "empty input"),
        (lambda d: _write(d / "t.jsonl", [TRACE]), "only trace files given"),
    ],
)
def test_unusable_input_is_one_clear_error(tmp_path: Path, setup, message: str) -> None:
    setup(tmp_path)
    with pytest.raises(InputError, match=message):
        resolve([str(tmp_path)])


def test_missing_paths_and_globs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        resolve([str(tmp_path / "nope")])
    with pytest.raises(InputError, match="no files match"):
        resolve([str(tmp_path / "*.jsonl")])


def test_traces_option_wants_trace_files(tmp_path: Path) -> None:
    logs = _write(tmp_path / "a.jsonl", [EVENT])
    with pytest.raises(InputError, match="--traces wants trace files"):
        resolve([str(logs)], [str(logs)])


def test_unknown_files_inside_a_directory_are_skipped_not_fatal(tmp_path: Path) -> None:
    logs = _write(tmp_path / "run" / "logs" / "a.jsonl", [EVENT])
    (tmp_path / "run" / "README.md").write_text("# notes about this run\n")
    inputs = resolve([str(tmp_path / "run")])
    assert inputs.logs == [str(logs)] and inputs.unknown == [str(tmp_path / "run" / "README.md")]
    with pytest.raises(InputError, match="README.md: unknown file format"):
        resolve([str(tmp_path / "run" / "README.md")])
