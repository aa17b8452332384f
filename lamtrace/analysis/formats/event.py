"""One CloudWatch event message → one parsed event: the reference parser the SQL engine is tested against."""

from __future__ import annotations

from typing import Any

from lamtrace.analysis.formats import app_text, platform_text
from lamtrace.analysis.formats.fields import empty_event
from lamtrace.analysis.formats.json_records import decode_object, parse_json_record

# Text patterns in the order they are tried; the first match decides the kind.
TEXT_PATTERNS = platform_text.PATTERNS + app_text.PATTERNS


def parse_message(message: str) -> dict[str, Any]:
    """Classify and parse one event message; never raises.

    Returns a dict with the keys of :data:`lamtrace.analysis.formats.fields.FIELDS`; ``kind`` is ``unparsed`` for
    anything no format recognises (``log_format`` then says whether it was JSON or text).

    >>> parse_message("REPORT RequestId: r1\\tDuration: 1.50 ms\\tBilled Duration: 2 ms\\tMemory Size: 128 MB\\t"
    ...               "Max Memory Used: 50 MB\\t\\n")["duration_ms"]
    1.5
    """
    text = message
    if text.startswith("{"):
        obj = decode_object(text)
        if obj is not None:
            return parse_json_record(obj)
    else:
        for pattern in TEXT_PATTERNS:
            event = pattern.parse(text)
            if event is not None:
                return app_text.normalise(event)
    event = empty_event()
    event["kind"] = "unparsed"
    event["log_format"] = "json" if text.startswith("{") else "text"
    return event
