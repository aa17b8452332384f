"""Capture what a runtime process writes, cut into CloudWatch events the way Lambda cuts them.

Lambda reads a runtime's output on two channels:

* the *telemetry log fd* (``_LAMBDA_TELEMETRY_LOG_FD``): awslambdaric writes every ``logging`` record and the unhandled
  error report there as one frame (``type:4 | length:4 | timestamp µs:8 | message``, big-endian), so a multi-line
  traceback is **one** event;
* stdout and stderr (``print``, C extensions): split on newlines, one event per line.

``parse_frames`` is pure; ``OutputCapture`` does the reading on a background thread and lets the caller ``drain`` what
the process has already written (awslambdaric flushes before it posts a response, so draining after the response
arrives collects every line of the invocation).
"""

from __future__ import annotations

import os
import selectors
import threading
import time
from dataclasses import dataclass, field

FRAME_HEADER_BYTES = 16
FRAME_MAGIC = 0xA55A0000  # high 16 bits of every frame type


@dataclass(frozen=True)
class LogLine:
    """One CloudWatch event: its time (epoch ms) and message text (a print()ed line keeps its ``\\n``)."""

    timestamp: int
    message: str
    micros: int = field(default=0, compare=False, repr=False)  # precise time, only to order channels


def parse_frames(buffer: bytes) -> tuple[list[LogLine], bytes]:
    """Split telemetry frames off the front of ``buffer``; return the complete frames and the unparsed rest.

    >>> parse_frames(bytes.fromhex("a55a0003") + (2).to_bytes(4, "big") + (5_000).to_bytes(8, "big") + b"hi")
    ([LogLine(timestamp=5, message='hi')], b'')
    """
    lines = []
    offset = 0
    while len(buffer) - offset >= FRAME_HEADER_BYTES:
        frame_type = int.from_bytes(buffer[offset : offset + 4], "big")
        if frame_type & 0xFFFF0000 != FRAME_MAGIC:
            raise ValueError(f"not a telemetry frame: type {frame_type:#x}")
        length = int.from_bytes(buffer[offset + 4 : offset + 8], "big")
        if len(buffer) - offset < FRAME_HEADER_BYTES + length:
            break
        micros = int.from_bytes(buffer[offset + 8 : offset + 16], "big")
        body = buffer[offset + FRAME_HEADER_BYTES : offset + FRAME_HEADER_BYTES + length]
        lines.append(LogLine(micros // 1000, body.decode("utf-8", errors="replace"), micros))
        offset += FRAME_HEADER_BYTES + length
    return lines, buffer[offset:]


def split_lines(buffer: bytes, now_us: int) -> tuple[list[LogLine], bytes]:
    """Cut complete ``\\n``-terminated lines off ``buffer`` (each keeps its newline); return them and the rest."""
    lines = []
    while True:
        end = buffer.find(b"\n")
        if end < 0:
            return lines, buffer
        lines.append(LogLine(now_us // 1000, buffer[: end + 1].decode("utf-8", errors="replace"), now_us))
        buffer = buffer[end + 1 :]


class OutputCapture:
    """Reads a process's stdout, stderr and telemetry pipes into one time-ordered list of ``LogLine``."""

    def __init__(self, stdout_fd: int, stderr_fd: int, telemetry_fd: int) -> None:
        self._framed = {telemetry_fd}
        self._buffers = {fd: b"" for fd in (stdout_fd, stderr_fd, telemetry_fd)}
        for fd in self._buffers:
            os.set_blocking(fd, False)
        self._lines: list[LogLine] = []
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        for fd in self._buffers:
            self._selector.register(fd, selectors.EVENT_READ)
        self._open = set(self._buffers)
        self._thread = threading.Thread(target=self._run, name="output-capture", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while self._open:
            for key, _ in self._selector.select(timeout=0.5):
                with self._lock:
                    self._read(key.fd)
        self._selector.close()

    def _read(self, fd: int) -> None:
        """Read what is available on ``fd`` (caller holds the lock)."""
        if fd not in self._open:
            return
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not chunk:  # writer closed
                self._open.discard(fd)
                self._selector.unregister(fd)
                os.close(fd)
                self._flush_partial(fd)
                break
            self._buffers[fd] += chunk
            if fd in self._framed:
                lines, self._buffers[fd] = parse_frames(self._buffers[fd])
            else:
                lines, self._buffers[fd] = split_lines(self._buffers[fd], time.time_ns() // 1000)
            self._lines.extend(lines)

    def _flush_partial(self, fd: int) -> None:
        rest = self._buffers[fd]
        self._buffers[fd] = b""
        if rest and fd not in self._framed:
            now_us = time.time_ns() // 1000
            self._lines.append(LogLine(now_us // 1000, rest.decode("utf-8", errors="replace"), now_us))

    def drain(self, flush_partial: bool = False) -> list[LogLine]:
        """Everything captured so far (reading what is already in the pipes), oldest first; clears the list.

        ``flush_partial`` also emits an unterminated last stdout/stderr line (``print(..., end="")``) as an event,
        as Lambda does when an invocation ends.
        """
        with self._lock:
            for fd in list(self._open):
                self._read(fd)
            if flush_partial:
                for fd in self._buffers:
                    self._flush_partial(fd)
            lines, self._lines = self._lines, []
        # stdout lines carry their read time, frames their write time: good enough to interleave the channels
        lines.sort(key=lambda line: line.micros)
        return lines

    def wait_closed(self, timeout: float) -> None:
        """Wait until the process closed its pipes (it exited), at most ``timeout`` seconds."""
        self._thread.join(timeout)
