"""Telemetry frames and stdout lines become CloudWatch events the way Lambda cuts them."""

from __future__ import annotations

import os
import time

import pytest

from lamtrace.local.capture import LogLine, OutputCapture, parse_frames, split_lines


def frame(message: str, micros: int, frame_type: int = 0xA55A0017) -> bytes:
    body = message.encode()
    return frame_type.to_bytes(4, "big") + len(body).to_bytes(4, "big") + micros.to_bytes(8, "big") + body


def test_frames_keep_multiline_messages_whole():
    traceback = '[ERROR] ValueError: x\nTraceback (most recent call last):\n\u00a0\u00a0File "h.py"'
    data = frame(traceback, 1_700_000_000_123_456) + frame(
        "[INFO]\tt\tid\thi\n", 1_700_000_000_124_000, 0xA55A000F
    )
    lines, rest = parse_frames(data)
    assert rest == b"" and [line.message for line in lines] == [traceback, "[INFO]\tt\tid\thi\n"]
    assert lines[0].timestamp == 1_700_000_000_123


def test_partial_frame_waits_for_the_rest():
    data = frame("hello", 5_000)
    lines, rest = parse_frames(data[:10])
    assert lines == [] and rest == data[:10]
    lines, rest = parse_frames(rest + data[10:])
    assert lines == [LogLine(5, "hello")] and rest == b""


def test_garbage_is_an_error_not_a_silent_skip():
    with pytest.raises(ValueError, match="not a telemetry frame"):
        parse_frames(b"\x00" * 20)


def test_stdout_is_split_on_newlines_keeping_them():
    lines, rest = split_lines(b"one\ntwo\nthr", 7_000)
    assert [line.message for line in lines] == ["one\n", "two\n"] and rest == b"thr"


def test_capture_reads_all_channels_and_flushes_partial_lines():
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    tel_r, tel_w = os.pipe()
    capture = OutputCapture(out_r, err_r, tel_r)
    os.write(out_w, b"printed\nhalf")
    os.write(err_w, b"warning\n")
    os.write(tel_w, frame("framed", time.time_ns() // 1000))
    lines = capture.drain(flush_partial=True)
    assert sorted(line.message for line in lines) == ["framed", "half", "printed\n", "warning\n"]
    for fd in (out_w, err_w, tel_w):
        os.close(fd)
    capture.wait_closed(2)
    assert capture.drain() == []
