"""Application lines in the Text log format: the runtimes' prefixes and unhandled-error records.

* Python (awslambdaric): ``[LEVEL]\\t<ISO ms>Z\\t<request id>\\t<message>`` — request id empty during init.
* Node.js: ``<ISO ms>Z\\t<request id|undefined>\\t<LEVEL>\\t<message>``.
* Python unhandled exception: ``[ERROR] <Type>: <message>`` + traceback, one event, no request id.
* Node.js unhandled exception: ``... ERROR\\tInvoke Error \\t{"errorType": ...}`` (or ``Uncaught Exception`` at init).
* ``LAMBDA_WARNING: ...`` printed by the Python runtime without a prefix before an unhandled exception.
"""

from __future__ import annotations

from typing import Any

from lamtrace.analysis.formats.fields import ISO_TIME, TAIL, LinePattern

_PY_LEVEL = r"NOTSET|DEBUG|INFO|WARNING|ERROR|CRITICAL"
_NODE_LEVEL = r"TRACE|DEBUG|INFO|WARN|ERROR|FATAL"
_ID_OR_EMPTY = r"[0-9A-Za-z.\-]*"

PYTHON_UNHANDLED = LinePattern(
    kind="unhandled_error",
    prefix="[ERROR] ",
    key="error_type",
    regex=rf"(?s)^\[ERROR\] (?P<error_type>[A-Za-z_][A-Za-z0-9_.]*)(?:: (?P<error_message>[^\r\n]*))?(?:[\r\n].*)?{TAIL}",
    head=r"^\[ERROR\] (?P<error_type>[A-Za-z_][A-Za-z0-9_.]*)(?:: (?P<error_message>[^\r\n]*))?",
)

PYTHON_LINE = LinePattern(
    kind="app",
    prefix="[",
    key="level",
    regex=rf"(?s)^\[(?P<level>{_PY_LEVEL})\]\t{ISO_TIME}\t(?P<request_id>{_ID_OR_EMPTY})\t.*{TAIL}",
    head=rf"^\[(?P<level>{_PY_LEVEL})\]\t{ISO_TIME}\t(?P<request_id>{_ID_OR_EMPTY})\t",
)

NODE_UNHANDLED = LinePattern(
    kind="unhandled_error",
    contains="\tERROR\t",
    key="error_type",
    regex=(
        rf"(?s)^{ISO_TIME}\t(?P<request_id>{_ID_OR_EMPTY})\tERROR\t(?:Invoke Error|Uncaught Exception)[ \t]*"
        r'\{"errorType":"(?P<error_type>[^"\\]+)"(?:,"errorMessage":"(?P<error_message>[^"\\]*))?.*'
        rf"{TAIL}"
    ),
    head=(
        rf"^{ISO_TIME}\t(?P<request_id>{_ID_OR_EMPTY})\tERROR\t(?:Invoke Error|Uncaught Exception)[ \t]*"
        r'\{"errorType":"(?P<error_type>[^"\\]+)"(?:,"errorMessage":"(?P<error_message>[^"\\]*))?'
    ),
)

NODE_LINE = LinePattern(
    kind="app",
    contains="\t",
    key="level",
    regex=rf"(?s)^{ISO_TIME}\t(?P<request_id>{_ID_OR_EMPTY})\t(?P<level>{_NODE_LEVEL})\t.*{TAIL}",
    head=rf"^{ISO_TIME}\t(?P<request_id>{_ID_OR_EMPTY})\t(?P<level>{_NODE_LEVEL})\t",
)

LAMBDA_WARNING = LinePattern(
    kind="app",
    prefix="LAMBDA_WARNING: ",
    key="level",
    regex=rf"(?s)^(?P<level>LAMBDA_WARNING): .*{TAIL}",
    head=r"^(?P<level>LAMBDA_WARNING): ",
)

PATTERNS = (PYTHON_UNHANDLED, PYTHON_LINE, NODE_UNHANDLED, NODE_LINE, LAMBDA_WARNING)

# request ids a runtime prints when there is none
NO_REQUEST_ID = ("undefined",)


def normalise(event: dict[str, Any]) -> dict[str, Any]:
    """Shared clean-up: placeholder request ids to ``None``; ``LAMBDA_WARNING`` is level WARNING."""
    if event["request_id"] in NO_REQUEST_ID:
        event["request_id"] = None
    if event["level"] == "LAMBDA_WARNING":
        event["level"] = "WARNING"
    return event


def parse_app_text(message: str) -> dict[str, Any] | None:
    """Parse one Text-format application line that carries a runtime prefix; ``None`` otherwise.

    >>> parse_app_text("[INFO]\\t2026-01-02T03:04:05.678Z\\tabc-1\\thello")["level"]
    'INFO'
    """
    text = message
    for pattern in PATTERNS:
        event = pattern.parse(text)
        if event is not None:
            return normalise(event)
    return None
