"""The parsed-event record every format parser returns, and the value conversions they share.

A parsed event is a flat dict with exactly the keys of ``FIELDS`` (``None`` where the line does not say).
The SQL engine (:mod:`lamtrace.analysis.sql.classify`) produces the same columns with the same types, so the
two can be compared value for value.

Regexes in this package are written in the subset Python's ``re`` and DuckDB's RE2 read identically:
ASCII classes (``[0-9]``, ``[ \\t]``) instead of ``\\d``/``\\s``/``\\w``, no look-around, no back-references,
and every pattern ends with ``[ \\t\\r\\n]*$`` (``TAIL``) (messages end with ``\\n`` or ``\\t\\n``), which means the same in both
engines. Messages are not stripped first: trimming every message costs more in SQL than the whole parse.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

# field name -> type: "str" | "float" | "int" | "bool"
FIELDS: dict[str, str] = {
    "kind": "str",
    "log_format": "str",  # text | json
    "request_id": "str",
    "version": "str",
    "duration_ms": "float",
    "billed_ms": "float",
    "memory_mb": "int",
    "max_memory_mb": "int",
    "init_ms": "float",
    "restore_ms": "float",
    "billed_restore_ms": "float",
    "status": "str",
    "error_type": "str",
    "error_message": "str",
    "trace_id": "str",
    "sampled": "bool",
    "phase": "str",
    "init_type": "str",
    "level": "str",
    "outcome": "str",
    "trigger": "str",
    "delivery_key": "str",
    "delivery_attempt": "int",
    "proactive": "bool",
}

# Event kinds. Platform records first, then application records; "unparsed" is everything else.
PLATFORM_KINDS = (
    "start",
    "end",
    "report",
    "init_start",
    "restore_start",
    "init_report",
    "restore_report",
    "timeout",
    "runtime_exit",
    "unknown_error",
    "runtime_done",
    "init_runtime_done",
    "platform_other",
)
APP_KINDS = ("app", "unhandled_error", "emf", "env_init", "invocation_end", "timeout_warning")
KINDS = PLATFORM_KINDS + APP_KINDS + ("unparsed",)

NUMBER = r"[0-9]+(?:\.[0-9]+)?"
NUMBER_FULL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# request ids: UUIDs in real data; docs and copies also show "xmpl" ids and truncated "8f50..." ids
REQUEST_ID = r"[0-9A-Za-z][0-9A-Za-z.\-]*?"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ISO_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z"
TAIL = r"[ \t\r\n]*$"  # every pattern ends so: trailing whitespace is not part of a value


def empty_event() -> dict[str, Any]:
    """A parsed event with every field ``None``."""
    return dict.fromkeys(FIELDS)


def to_float(value: Any) -> float | None:
    """A JSON or regex value as a float: numbers and numeric strings only (booleans and text are ``None``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) or isinstance(value, str) and NUMBER_FULL.fullmatch(value):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def to_int(value: Any) -> int | None:
    """Like :func:`to_float`, truncated to an integer."""
    number = to_float(value)
    if number is None or abs(number) > 2**62:
        return None
    return int(number)


def to_bool(value: Any) -> bool | None:
    """``True``/``False`` from a JSON boolean or the strings ``"true"``/``"false"``."""
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    return None


def to_text(value: Any) -> str | None:
    """A JSON value as text, the way DuckDB's ``json_extract_string`` renders it; ``None`` for null/empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


CONVERT = {"str": to_text, "float": to_float, "int": to_int, "bool": to_bool}


@dataclass(frozen=True)
class LinePattern:
    """One text line format: a regex whose named groups are ``FIELDS`` names.

    ``quick`` is a literal the message must start with (``prefix``) or contain (``contains``) — a cheap test run
    before the regex, in Python and in SQL. ``key`` names a group that is non-empty whenever the regex matched
    (SQL's ``regexp_extract`` returns empty strings on no match). ``head``, for patterns whose tail is free text
    (tracebacks, log messages), is the regex up to the last group: values are extracted with it once ``regex``
    matched, so the capturing engine never walks a long message. A group ``X__2`` fills field ``X`` when group
    ``X`` is empty (Python forbids two groups with one name). ``fixed`` sets constant fields.
    """

    kind: str
    regex: str
    key: str
    prefix: str | None = None
    contains: str | None = None
    fixed: tuple[tuple[str, str], ...] = ()
    head: str | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        return _compile(self.regex)

    @property
    def extractor(self) -> str:
        """The regex values are extracted with (``head`` if there is one)."""
        return self.head or self.regex

    def groups(self) -> list[str]:
        """Group names of the extractor in group-number order (SQL ``regexp_extract`` names them positionally)."""
        index = _compile(self.extractor).groupindex
        return sorted(index, key=index.__getitem__)

    def quick_match(self, text: str) -> bool:
        if self.prefix is not None and not text.startswith(self.prefix):
            return False
        return self.contains is None or self.contains in text

    def parse(self, text: str) -> dict[str, Any] | None:
        """The parsed event for ``text`` (a whole message), or ``None`` if this pattern does not match."""
        if not self.quick_match(text):
            return None
        match = self.compiled.match(text)
        if match is None:
            return None
        if self.head is not None:
            match = _compile(self.head).match(text)
            if match is None:  # a head that does not match where the whole regex does is a bug in the pattern
                raise AssertionError(f"head of {self.kind} pattern does not match {text[:80]!r}")
        event = empty_event()
        event["kind"] = self.kind
        event["log_format"] = "text"
        groups = match.groupdict()
        for name in FIELDS:
            raw = groups.get(name) or groups.get(name + "__2") or None
            if raw is not None:
                event[name] = CONVERT[FIELDS[name]](raw)
        for name, value in self.fixed:
            event[name] = value
        return event


_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(regex: str) -> re.Pattern[str]:
    compiled = _CACHE.get(regex)
    if compiled is None:
        compiled = _CACHE[regex] = re.compile(regex)
    return compiled
