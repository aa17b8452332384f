"""Driving the ``lamtrace`` command as a user does (a subprocess), and writing raw log events for it to read."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path

from tests.conftest import REPO


def lamtrace(*args: str, cwd: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``python -m lamtrace ARGS`` with this checkout on the path; output is not a terminal."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "lamtrace", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed run, checked to be a single ``lamtrace: error: ...`` line without a traceback."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lamtrace: error: "), result.stderr
    return lines[0]


def invocation_events(
    function: str,
    version: str,
    durations_ms: Iterable[float],
    *,
    start_ms: int = 1_795_860_000_000,
    gap_ms: int = 1000,
    memory_mb: int = 128,
) -> list[dict]:
    """Raw log events (docs/schema.md) of one warm environment: START / END / REPORT per invocation, as Lambda
    writes them in its Text log format."""
    stream = f"2026/11/28/[{version}]{uuid.uuid4().hex}"
    rows = []
    for i, duration in enumerate(durations_ms):
        request_id = str(uuid.uuid4())
        start = start_ms + i * gap_ms
        end = start + int(duration) + 1
        messages = [
            (start, f"START RequestId: {request_id} Version: {version}\n"),
            (end, f"END RequestId: {request_id}\n"),
            (
                end,
                f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)}"
                f" ms\tMemory Size: {memory_mb} MB\tMax Memory Used: 41 MB\t\n",
            ),
        ]
        for n, (timestamp, message) in enumerate(messages):
            rows.append(
                {
                    "log_group": f"/aws/lambda/{function}",
                    "log_stream": stream,
                    "timestamp": timestamp,
                    "message": message,
                    "event_id": f"{timestamp:020d}{i:06d}{n}",
                    "ingestion_time": timestamp + 200,
                }
            )
    return rows


def in_process_error(argv: list[str], capsys) -> str:
    """Run ``lamtrace.cli.main(argv)`` in this process (fast: nothing to import again) expecting a one-line error."""
    from lamtrace.cli import main

    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lamtrace: error: "), err
    return lines[0]


def write_invocations(
    path: Path, function: str, version: str, durations_ms: Iterable[float], **options
) -> Path:
    """Append :func:`invocation_events` to a canonical JSON-lines file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(
            json.dumps(row) + "\n" for row in invocation_events(function, version, durations_ms, **options)
        )
    return path
