"""collectors.file_formats: pure pieces (time parsing, export line assembly, detection edge cases)."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from collectors import file_formats as ff


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_iso_to_ms_matches_datetime(ms):
    text = (
        datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}"
    )
    assert ff.iso_to_ms(text) == ms


def test_iso_to_ms_without_and_with_short_fraction():
    assert ff.iso_to_ms("2020-09-08T04:00:24") == 1599537624000
    assert ff.iso_to_ms("2020-09-08T04:00:24.5") == 1599537624500


def test_export_lines_keep_empty_continuations_as_newlines():
    lines = ff.ExportLines("g", "s")
    out = [
        lines.feed(x) for x in ["2020-09-08T04:00:24.000Z REPORT a\t", "", "2020-09-08T04:00:25.000Z next"]
    ]
    out.append(lines.finish())
    events = [e for e in out if e]
    assert [e["message"] for e in events] == ["REPORT a\t\n", "next"]


def test_identical_export_events_get_distinct_ids():
    lines = ff.ExportLines("g", "s")
    first = lines.feed("2020-09-08T04:00:24.000Z same")
    second = lines.feed("2020-09-08T04:00:24.000Z same")
    assert first is None and second is not None
    last = lines.finish()
    assert second["event_id"] != last["event_id"]


def test_detect_unknown_and_plain_text():
    assert ff.detect("just words\n") is None
    assert ff.detect('{"unrelated": true}') is None
    assert ff.detect("  \n") == ff.EMPTY
