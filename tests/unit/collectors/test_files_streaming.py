"""collectors.files streams: reading a file 50x larger does not need more memory."""

from __future__ import annotations

import gzip
import json
import tracemalloc

import pytest

from collectors import files


def _filter_output(n: int) -> str:
    events = [
        {
            "logStreamName": "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef",
            "timestamp": 1764288000000 + i,
            "message": f"[INFO]\t2026-11-28T00:00:00.000Z\t{i:036d}\tprocessed order {'x' * 150}\n",
            "ingestionTime": 1764288000400 + i,
            "eventId": f"{i:056d}",
        }
        for i in range(n)
    ]
    return json.dumps({"events": events, "searchedLogStreams": []}, indent=4)


def _export_text(n: int) -> str:
    return "".join(
        f"2026-11-28T00:00:{i % 60:02d}.{i % 1000:03d}Z line {i} {'y' * 150}\n  continued\n" for i in range(n)
    )


def _peak_while_reading(path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in files.read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


@pytest.mark.parametrize(
    ("name", "make"),
    [("cli.json.gz", _filter_output), ("000000.gz", _export_text)],
    ids=["cli-json", "export"],
)
def test_memory_does_not_grow_with_file_size(tmp_path, name, make):
    small, large = tmp_path / "small" / name, tmp_path / "large" / name
    small.parent.mkdir()
    large.parent.mkdir()
    small.write_bytes(gzip.compress(make(400).encode(), compresslevel=1))
    large_text = make(20_000)
    large.write_bytes(gzip.compress(large_text.encode(), compresslevel=1))

    small_count, small_peak = _peak_while_reading(small)
    large_count, large_peak = _peak_while_reading(large)

    assert (small_count, large_count) == (400, 20_000)
    # 50x the data; the peak stays within a fixed margin of the small file's and far below the text size
    assert large_peak < small_peak + 512 * 1024, (small_peak, large_peak)
    assert large_peak < len(large_text) / 8, (large_peak, len(large_text))
