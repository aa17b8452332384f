"""Stream JSON values out of a text file without loading it whole.

AWS CLI outputs are one big document (``{"events": [ ...thousands... ], "nextToken": ...}``), sometimes several
concatenated; subscription and OTLP files are JSON lines or concatenated objects. ``iter_items`` walks all of these
with memory bounded by the largest single value, not by the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

_WHITESPACE = " \t\r\n"
_DECODER = json.JSONDecoder()
_LOOKAHEAD = 40  # longer than any JSON number a value could end with

MAX_VALUE_CHARS = 64 * 1024 * 1024  # one value larger than this is treated as malformed, not buffered forever


class MalformedJSON(ValueError):
    """The text is not valid JSON at ``offset`` (characters from the start of the text); reading cannot resync."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at character {offset}")
        self.offset = offset


class _Buffer:
    """A sliding window over a text stream with just enough look-ahead to decode one value at a time."""

    def __init__(self, stream: IO[str], chunk: int = 1 << 16) -> None:
        self._stream, self._chunk = stream, chunk
        self.text, self.pos, self.consumed, self.eof = "", 0, 0, False

    def _fill(self, at_least: int) -> bool:
        if self.eof:
            return False
        data = self._stream.read(max(self._chunk, at_least))
        if not data:
            self.eof = True
            return False
        self.consumed += self.pos
        self.text = self.text[self.pos :] + data
        self.pos = 0
        return True

    def peek(self) -> str | None:
        """The next non-whitespace character (not consumed), or None at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._fill(0):
                return None

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise MalformedJSON(f"expected {char!r}", self.offset)
        self.pos += 1

    @property
    def offset(self) -> int:
        return self.consumed + self.pos

    def value(self) -> Any:
        """Decode the next JSON value; reads more text until the value is complete."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.text) - self.pos > MAX_VALUE_CHARS or not self._fill(len(self.text)):
                    raise MalformedJSON(exc.msg, self.consumed + exc.pos) from None
                continue
            # A number ending near the buffer end may continue in the next chunk ("3" of "3.5e2"): look further.
            if len(self.text) - end < _LOOKAHEAD and not self.eof and self._fill(0):
                continue
            self.pos = end
            return value


def iter_items(stream: IO[str], array_keys: frozenset[str] = frozenset()) -> Iterator[tuple[str | None, Any]]:
    """Yield ``(key, value)`` pairs from a stream of concatenated JSON values (JSON lines included).

    A top-level object whose key is in ``array_keys`` and whose value is an array has that array streamed: one
    ``(key, element)`` pair per element. Other keys of such an object yield ``(key, value)`` once. A top-level
    array yields ``(None, element)`` per element; any other top-level value yields ``(None, value)``.
    To keep top-level objects whole, pass no ``array_keys``.

    Raises ``MalformedJSON`` where the text stops being JSON; everything before has been yielded.
    """
    buf = _Buffer(stream)
    while (char := buf.peek()) is not None:
        if char == "[":
            buf.pos += 1
            yield from ((None, v) for v in _iter_array(buf))
        elif char == "{" and array_keys:
            yield from _iter_object(buf, array_keys)
        else:
            yield None, buf.value()


def _iter_array(buf: _Buffer) -> Iterator[Any]:
    if buf.peek() == "]":
        buf.pos += 1
        return
    while True:
        yield buf.value()
        char = buf.peek()
        buf.pos += 1
        if char == "]":
            return
        if char != ",":
            raise MalformedJSON("expected ',' or ']' in array", buf.offset - 1)


def _iter_object(buf: _Buffer, array_keys: frozenset[str]) -> Iterator[tuple[str | None, Any]]:
    buf.expect("{")
    if buf.peek() == "}":
        buf.pos += 1
        return
    while True:
        key = buf.value()
        if not isinstance(key, str):
            raise MalformedJSON("expected an object key", buf.offset)
        buf.expect(":")
        if key in array_keys and buf.peek() == "[":
            buf.pos += 1
            yield from ((key, v) for v in _iter_array(buf))
        else:
            yield key, buf.value()
        char = buf.peek()
        buf.pos += 1
        if char == "}":
            return
        if char != ",":
            raise MalformedJSON("expected ',' or '}' in object", buf.offset - 1)
