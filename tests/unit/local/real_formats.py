"""Lambda's real log-line patterns, written from reference/FORMATS.md (the strict raw-API variants).

Every platform line ``lamtrace local`` writes must match one of these.
"""

from __future__ import annotations

import json
import re

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
START = re.compile(rf"^START RequestId: (?P<request_id>{UUID}) Version: (?P<version>\$LATEST|\d+)\n$")
END = re.compile(rf"^END RequestId: (?P<request_id>{UUID})\n$")
REPORT = re.compile(
    rf"^REPORT RequestId: (?P<request_id>{UUID})\tDuration: (?P<duration_ms>\d+\.\d{{2}}) ms"
    r"\tBilled Duration: (?P<billed_ms>\d+) ms\tMemory Size: (?P<memory_mb>\d+) MB"
    r"\tMax Memory Used: (?P<max_memory_mb>\d+) MB"
    r"(?:\tInit Duration: (?P<init_ms>\d+\.\d{2}) ms)?"
    r"(?:\tStatus: (?P<status>error|timeout)(?:\tError Type: (?P<error_type>[A-Za-z][\w.]*))?)?"
    r"\t(?:\nXRAY TraceId: (?P<trace_id>1-[0-9a-f]{8}-[0-9a-f]{24})\tSegmentId: (?P<segment_id>[0-9a-f]{16})"
    r"\tSampled: (?P<sampled>true)\t)?\n$"
)
INIT_START = re.compile(
    r"^INIT_START Runtime Version: (?P<runtime_version>python:3\.\d+\.v\d+)"
    r"\tRuntime Version ARN: (?P<arn>arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64})\n$"
)
INIT_REPORT = re.compile(
    r"^INIT_REPORT Init Duration: (?P<init_ms>\d+\.\d{2}) ms\tPhase: (?P<phase>init|invoke)"
    r"\tStatus: (?P<status>error|timeout)(?:\tError Type: (?P<error_type>[A-Za-z][\w.]*))?\n$"
)
TIMEOUT = re.compile(
    rf"^(?P<ts>\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}\.\d{{3}}Z) (?P<request_id>{UUID}) "
    r"Task timed out after (?P<seconds>\d+\.\d{2}) seconds\n\n$"
)
RUNTIME_EXIT = re.compile(
    rf"^RequestId: (?P<request_id>{UUID}) Error: Runtime exited with error: (?P<reason>exit status \d+|signal: \w+)"
    r"\n(?P<error_type>Runtime\.[A-Za-z]+)\n$"
)
PY_PREFIX = re.compile(
    r"^\[(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
    r"\t(?P<request_id>[0-9a-f-]*)\t(?P<message>.*)$",
    re.DOTALL,
)
PY_UNHANDLED = re.compile(
    r"^\[ERROR\] (?P<error_type>[A-Za-z_][\w.]*)(?:: (?P<error_message>[^\r\n]*))?"
    r"(?:\n(?P<traceback>Traceback \(most recent call last\):.*))?$",
    re.DOTALL,
)
LOG_STREAM = re.compile(r"^\d{4}/\d{2}/\d{2}/\[(?P<version>\$LATEST|\d+)\](?P<instance_id>[0-9a-f]{32})$")
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

TEXT_PLATFORM = {
    "START": START,
    "END": END,
    "REPORT": REPORT,
    "INIT_START": INIT_START,
    "INIT_REPORT": INIT_REPORT,
}
JSON_PLATFORM_TYPES = {
    "platform.initStart",
    "platform.start",
    "platform.report",
    "platform.initReport",
    "platform.runtimeDone",
}


def classify_text(message: str) -> tuple[str, re.Match] | None:
    """(kind, match) of a Text-format platform line, or None for application output."""
    for kind, pattern in (*TEXT_PLATFORM.items(), ("TIMEOUT", TIMEOUT), ("RUNTIME_EXIT", RUNTIME_EXIT)):
        match = pattern.match(message)
        if match:
            return kind, match
    return None


def looks_like_platform(message: str) -> bool:
    """A line that starts like a platform line (so it must match one of the patterns exactly)."""
    return bool(
        re.match(
            r"^(START|END|REPORT|INIT_START|INIT_REPORT) |^RequestId: |^\S+Z \S+ Task timed out", message
        )
    )


def check_json_platform(message: str) -> dict | None:
    """The parsed platform event when ``message`` is one, checked for Lambda's shape; None for other lines."""
    try:
        event = json.loads(message)
    except ValueError:
        return None
    if not isinstance(event, dict) or not str(event.get("type", "")).startswith("platform."):
        return None
    assert list(event) == ["time", "type", "record"], event
    assert ISO_MS.match(event["time"]), event
    assert event["type"] in JSON_PLATFORM_TYPES, event
    record = event["record"]
    if event["type"] == "platform.report":
        assert re.fullmatch(UUID, record["requestId"])
        assert record["status"] in ("success", "error", "timeout")
        assert set(record["metrics"]) >= {"durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"}
        assert isinstance(record["metrics"]["billedDurationMs"], int)
    if event["type"] == "platform.start":
        assert re.fullmatch(UUID, record["requestId"]) and record["version"]
    if event["type"] == "platform.initStart":
        assert record["initializationType"] in ("on-demand", "provisioned-concurrency")
        assert record["phase"] == "init"
    return event
