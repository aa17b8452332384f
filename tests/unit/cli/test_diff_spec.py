"""lamtrace diff's side specifications and selection."""

from __future__ import annotations

import pandas as pd
import pytest

from lamtrace.cli.diff import parse_spec, select
from lamtrace.errors import InputError


def test_specs() -> None:
    assert parse_spec("version=3, since=2026-11-28T10:00Z", "--a") == {
        "version": "3",
        "since": "2026-11-28T10:00Z",
    }
    assert parse_spec(None, "--a") == {}
    with pytest.raises(InputError, match="--b: unknown key 'alias'.*use the version they point to"):
        parse_spec("alias=live", "--b")
    with pytest.raises(InputError, match="expected key=value"):
        parse_spec("version", "--a")


def test_select_by_version_and_window() -> None:
    frame = pd.DataFrame(
        {
            "function": ["f", "f", "f", "g"],
            "version": pd.array(["1", "2", "2", "2"], dtype="string"),
            "log_stream": ["s1", "s2", "s2", "s3"],
            "trigger": [None, None, None, None],
            "start_time": pd.to_datetime(
                ["2026-11-28T09:00Z", "2026-11-28T10:00Z", "2026-11-28T11:00Z", "2026-11-28T11:30Z"], utc=True
            ),
        }
    )
    assert len(select(frame, {"version": "2"})) == 3
    assert len(select(frame, {"version": "2", "function": "f", "until": "2026-11-28T10:30Z"})) == 1
    assert list(select(frame, {"since": "2026-11-28T11:00Z"})["function"]) == ["f", "g"]
