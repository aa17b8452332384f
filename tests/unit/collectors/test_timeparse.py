"""collectors.timeparse: the --since / --until values users type."""

from __future__ import annotations

import pytest

from collectors.collect import _service_filter
from collectors.timeparse import format_ms, parse_time
from lamtrace.errors import InputError

NOW = 1_764_324_000_000  # 2025-11-28T10:00:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW - 2 * 3_600_000),
        ("30m", NOW - 30 * 60_000),
        ("7d", NOW - 7 * 86_400_000),
        ("1w", NOW - 7 * 86_400_000),
        ("90s", NOW - 90_000),
        ("1.5h", NOW - 5_400_000),
        ("now", NOW),
        ("2025-11-28", 1_764_288_000_000),
        ("2025-11-28T10:00:00Z", NOW),
        ("2025-11-28T12:00:00+02:00", NOW),
        ("2025-11-28T10:00:00.250", NOW + 250),
        ("1764324000", NOW),
        ("1764324000000", NOW),
        (1764324000, NOW),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text, now_ms=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "2h ago", "-3h", "2025-13-01"])
def test_unreadable_times_are_input_errors(text):
    with pytest.raises(InputError, match="cannot read the time"):
        parse_time(text, now_ms=NOW)


def test_format_ms():
    assert format_ms(NOW + 5) == "2025-11-28T10:00:00.005Z"
    assert format_ms(None) == "-"


def test_trace_filter_from_function_groups():
    assert _service_filter(["/aws/lambda/a", "/aws/lambda/b"]) == 'service("a") OR service("b")'
    assert _service_filter(["/aws/lambda/a", "/custom/shared"]) is None
