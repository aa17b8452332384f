"""Lambda platform lines in the Text log format: START, END, REPORT (+XRAY), INIT_*/RESTORE_*, timeouts, runtime exits.

Formats as documented in the project's FORMATS reference: TAB-separated fields in raw data, spaces in copies, so
separators are ``[ \\t]+``. Field order of REPORT as Lambda prints it, plus the local emulator's Init-first order.
"""

from __future__ import annotations

from typing import Any

from lamtrace.analysis.formats.fields import ISO_TIME, NUMBER, REQUEST_ID, TAIL, UUID, LinePattern

_SEP = r"[ \t]+"
_ERROR_TYPE = r"[A-Za-z][A-Za-z0-9_.]*"

START = LinePattern(
    kind="start",
    prefix="START RequestId:",
    key="request_id",
    regex=rf"^START RequestId: (?P<request_id>{REQUEST_ID}){_SEP}Version: (?P<version>\$LATEST|[0-9]+){TAIL}",
)

END = LinePattern(
    kind="end",
    prefix="END RequestId:",
    key="request_id",
    regex=rf"^END RequestId: (?P<request_id>{REQUEST_ID}){TAIL}",
)

REPORT = LinePattern(
    kind="report",
    prefix="REPORT RequestId:",
    key="request_id",
    regex=(
        rf"^REPORT RequestId: (?P<request_id>{REQUEST_ID})"
        rf"(?:[ \t]*Init Duration: (?P<init_ms__2>{NUMBER}) ms)?"  # the local emulator prints Init first
        rf"[ \t]*Duration: (?P<duration_ms>{NUMBER}) ms"  # [ \t]* tolerates a lost separator in copies
        rf"{_SEP}Billed Duration: (?P<billed_ms>[0-9]+) ms"
        rf"{_SEP}Memory Size: (?P<memory_mb>[0-9]+) MB"
        rf"{_SEP}Max Memory Used: (?P<max_memory_mb>[0-9]+) MB"
        rf"(?:{_SEP}Init Duration: (?P<init_ms>{NUMBER}) ms)?"
        rf"(?:{_SEP}Restore Duration: (?P<restore_ms>{NUMBER}) ms"
        rf"{_SEP}Billed Restore Duration: (?P<billed_restore_ms>[0-9]+) ms)?"
        rf"(?:{_SEP}Status: (?P<status>[a-z]+)(?:{_SEP}Error Type: (?P<error_type>{_ERROR_TYPE}))?)?"
        r"(?:[ \t\r\n]+XRAY TraceId: (?P<trace_id>[0-9A-Za-z-]+)"
        rf"{_SEP}SegmentId: [0-9A-Za-z]+{_SEP}Sampled: (?P<sampled>true|false))?{TAIL}"
    ),
)

INIT_START = LinePattern(
    kind="init_start",
    prefix="INIT_START ",
    key="runtime_version",
    regex=rf"^INIT_START Runtime Version: (?P<runtime_version>[^ \t\r\n]+)(?:[ \t]+Runtime Version ARN: [^ \t\r\n]+)?{TAIL}",
)

RESTORE_START = LinePattern(
    kind="restore_start",
    prefix="RESTORE_START ",
    key="runtime_version",
    regex=rf"^RESTORE_START Runtime Version: (?P<runtime_version>[^ \t\r\n]+)(?:[ \t]+Runtime Version ARN: [^ \t\r\n]+)?{TAIL}",
    fixed=(("init_type", "snap-start"),),
)

INIT_REPORT = LinePattern(
    kind="init_report",
    prefix="INIT_REPORT ",
    key="init_ms",
    regex=(
        rf"^INIT_REPORT Init Duration: (?P<init_ms>{NUMBER}) ?ms"
        rf"(?:{_SEP}Phase: (?P<phase>init|invoke))?"
        rf"(?:{_SEP}Status: (?P<status>[a-z]+))?"
        rf"(?:{_SEP}Error Type: (?P<error_type>{_ERROR_TYPE}))?{TAIL}"
    ),
)

RESTORE_REPORT = LinePattern(
    kind="restore_report",
    prefix="RESTORE_REPORT ",
    key="restore_ms",
    regex=(
        rf"^RESTORE_REPORT Restore Duration: (?P<restore_ms>{NUMBER}) ?ms"
        rf"(?:{_SEP}Status: (?P<status>[a-z]+))?"
        rf"(?:{_SEP}Error Type: (?P<error_type>{_ERROR_TYPE}))?{TAIL}"
    ),
)

# "<ISO time> <request id> Task timed out after 3.00 seconds"; copies may lack the time or the id
TIMEOUT = LinePattern(
    kind="timeout",
    contains="Task timed out after ",
    key="error_message",
    regex=(
        rf"^(?:{ISO_TIME}[ \t]+)?(?:(?P<request_id>{UUID})[ \t]+)?"
        rf"(?P<error_message>Task timed out after {NUMBER} seconds){TAIL}"
    ),
    fixed=(("status", "timeout"),),
)

# "RequestId: <id> Error: Runtime exited with error: signal: killed\nRuntime.ExitError"
RUNTIME_EXIT = LinePattern(
    kind="runtime_exit",
    prefix="RequestId:",
    key="error_message",
    regex=(
        r"^RequestId: ?(?P<request_id>[0-9A-Za-z.\-]*)[ \t]+Error: "
        r"(?P<error_message>Runtime exited (?:with error: [^\r\n]+?|without providing a reason))"
        rf"(?:[ \t\r\n]+(?P<error_type>Runtime\.[A-Za-z]+))?{TAIL}"
    ),
    fixed=(("status", "error"),),
)

UNKNOWN_ERROR = LinePattern(
    kind="unknown_error",
    prefix="Unknown application error occurred",
    key="error_message",
    regex=rf"^(?P<error_message>Unknown application error occurred)(?:[ \t\r\n]+(?P<error_type>Runtime\.[A-Za-z]+))?{TAIL}",
    fixed=(("status", "error"),),
)

PATTERNS = (
    START,
    END,
    REPORT,
    INIT_START,
    RESTORE_START,
    INIT_REPORT,
    RESTORE_REPORT,
    TIMEOUT,
    RUNTIME_EXIT,
    UNKNOWN_ERROR,
)


def parse_platform_text(message: str) -> dict[str, Any] | None:
    """Parse one Text-format platform event; ``None`` if it is not one.

    >>> parse_platform_text("END RequestId: 8f507cfc-8d37-4f2b-9f3c-7f5e1c2a9b10\\n")["kind"]
    'end'
    """
    text = message
    for pattern in PATTERNS:
        event = pattern.parse(text)
        if event is not None:
            return event
    return None
