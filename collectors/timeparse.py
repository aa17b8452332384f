"""Times as users write them on the command line: ``2h``, ``30m``, ``7d``, ``1w`` ago, ``now``, ISO 8601, epoch."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

from lamtrace.errors import InputError

_UNITS_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")


def parse_time(text: str | int | float, now_ms: int | None = None) -> int:
    """Epoch milliseconds for ``text``.

    ``"2h"``/``"30m"``/``"7d"``/``"1w"``/``"90s"`` mean that long before ``now_ms`` (default: now); ``"now"``;
    ISO 8601 dates and times (``2026-11-28``, ``2026-11-28T10:00``, ``…Z``, ``…+02:00``; no zone means UTC);
    integers are epoch milliseconds (or seconds when below 10^11).

    >>> parse_time("2h", now_ms=10_000_000)
    2800000
    """
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if isinstance(text, (int, float)):
        return _epoch(float(text))
    value = text.strip()
    if value.lower() == "now":
        return now_ms
    if match := _RELATIVE.match(value.lower()):
        return now_ms - int(float(match.group(1)) * _UNITS_MS[match.group(2)])
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return _epoch(float(value))
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        raise InputError(
            f"cannot read the time {text!r}: use e.g. 2h, 7d, 2026-11-28 or 2026-11-28T10:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp() * 1000)


def _epoch(number: float) -> int:
    return int(number * 1000) if number < 1e11 else int(number)


def format_ms(ms: int | None) -> str:
    """``2026-11-28T10:00:00.000Z`` for epoch milliseconds (``-`` for None)."""
    if ms is None:
        return "-"
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
