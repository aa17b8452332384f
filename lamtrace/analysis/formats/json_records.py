"""JSON log records: Lambda's JSON platform events, JSON application lines (Lambda's own, Powertools, lamtrace), EMF.

Detection, applied in this order to a message that is a JSON object:

* ``type`` starting ``platform.`` → a platform event (``platform.report`` …); kind from ``PLATFORM_TYPES``;
* a ``lamtrace`` key → a lamtrace record; its ``marker`` names the kind (``env_init`` …), else an ``app`` line;
* an ``_aws`` object → an EMF metrics line (not an application log line, never an error);
* ``errorType`` without ``level`` → the runtime's unhandled-error record (``log_level`` ERROR, JSON log format);
* ``level`` or ``log_level`` → an application line (Lambda JSON app lines, Powertools Logger, …);
* anything else → ``unparsed`` (user stdout that happens to be JSON).

Fields are read by JSON path (``FIELD_PATHS``) so the SQL engine reads exactly the same paths.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lamtrace import records
from lamtrace.analysis.formats.fields import CONVERT, FIELDS, empty_event

PLATFORM_TYPES = {
    "platform.start": "start",
    "platform.report": "report",
    "platform.runtimeDone": "runtime_done",
    "platform.initStart": "init_start",
    "platform.initRuntimeDone": "init_runtime_done",
    "platform.initReport": "init_report",
    "platform.restoreStart": "restore_start",
    "platform.restoreReport": "restore_report",
}

_TRACING = ("$.record.tracing.value",)  # "Root=1-...;Parent=...;Sampled=1"
_REQUEST = ("$.record.requestId",)
_APP_REQUEST = ("$.requestId", f"$.{records.FUNCTION_REQUEST_ID}")
_APP_TRACE = (f"$.{records.XRAY_TRACE_ID}",)

# kind -> field -> JSON paths, first non-null wins. "trace_header" is split into trace_id and sampled.
FIELD_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    "start": {"request_id": _REQUEST, "version": ("$.record.version",), "trace_header": _TRACING},
    "report": {
        "request_id": _REQUEST,
        "duration_ms": ("$.record.metrics.durationMs",),
        "billed_ms": ("$.record.metrics.billedDurationMs",),
        "memory_mb": ("$.record.metrics.memorySizeMB",),
        "max_memory_mb": ("$.record.metrics.maxMemoryUsedMB",),
        "init_ms": ("$.record.metrics.initDurationMs",),
        "restore_ms": ("$.record.metrics.restoreDurationMs",),
        "billed_restore_ms": ("$.record.metrics.billedRestoreDurationMs",),
        "status": ("$.record.status",),
        "error_type": ("$.record.errorType",),
        "trace_header": _TRACING,
    },
    "runtime_done": {
        "request_id": _REQUEST,
        "status": ("$.record.status",),
        "error_type": ("$.record.errorType",),
        "trace_header": _TRACING,
    },
    "init_start": {
        "init_type": ("$.record.initializationType",),
        "phase": ("$.record.phase",),
        "version": ("$.record.functionVersion",),
    },
    "init_runtime_done": {
        "init_type": ("$.record.initializationType",),
        "phase": ("$.record.phase",),
        "status": ("$.record.status",),
        "error_type": ("$.record.errorType",),
    },
    "init_report": {
        "init_type": ("$.record.initializationType",),
        "phase": ("$.record.phase",),
        "status": ("$.record.status",),
        "error_type": ("$.record.errorType",),
        "init_ms": ("$.record.metrics.durationMs",),
    },
    "restore_start": {"version": ("$.record.functionVersion",)},
    "restore_report": {
        "status": ("$.record.status",),
        "error_type": ("$.record.errorType",),
        "restore_ms": ("$.record.metrics.durationMs",),
    },
    "platform_other": {},
    "app": {"request_id": _APP_REQUEST, "level": ("$.level", "$.log_level"), "trace_id": _APP_TRACE},
    "unhandled_error": {
        "request_id": _APP_REQUEST,
        "level": ("$.log_level",),
        "error_type": ("$.errorType",),
        "error_message": ("$.errorMessage",),
        "trace_id": _APP_TRACE,
    },
    "emf": {},
    "env_init": {
        "request_id": _APP_REQUEST,
        "level": ("$.level",),
        "trace_id": _APP_TRACE,
        "init_type": (f"$.{records.INIT_TYPE}",),
        "proactive": (f"$.{records.PROACTIVE}",),
    },
    "invocation_end": {
        "request_id": _APP_REQUEST,
        "level": ("$.level",),
        "trace_id": _APP_TRACE,
        "version": (f"$.{records.FUNCTION_VERSION}",),
        "outcome": (f"$.{records.OUTCOME}",),
        "error_type": (f"$.{records.ERROR_TYPE}",),
        "error_message": (f"$.{records.ERROR_MESSAGE}",),
        "trigger": (f"$.{records.TRIGGER}",),
        "delivery_key": (f"$.{records.DELIVERY_KEY}",),
        "delivery_attempt": (f"$.{records.DELIVERY_ATTEMPT}",),
    },
    "timeout_warning": {"request_id": _APP_REQUEST, "level": ("$.level",), "trace_id": _APP_TRACE},
    "unparsed": {},
}
# fixed values per kind
FIXED: dict[str, dict[str, str]] = {"restore_start": {"init_type": "snap-start"}}

# paths used to decide the kind
KIND_PATHS = (
    "$.type",
    f"$.{records.SCHEMA_KEY}",
    f"$.{records.MARKER_KEY}",
    "$._aws",
    "$.errorType",
    "$.level",
    "$.log_level",
)
MARKER_KINDS = tuple(records.MARKERS)

TRACE_ROOT = r"Root=([0-9A-Za-z-]+)"
TRACE_SAMPLED = r"Sampled=([01])"


def all_paths() -> list[str]:
    """Every JSON path the parsers read, in a fixed order (the SQL engine extracts them in one pass)."""
    paths = list(KIND_PATHS)
    for fields in FIELD_PATHS.values():
        for field_paths in fields.values():
            paths.extend(p for p in field_paths if p not in paths)
    return paths


def get_path(obj: dict[str, Any], path: str) -> Any:
    """The value at a ``$.a.b`` path, or ``None``."""
    value: Any = obj
    for key in path[2:].split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def kind_of(obj: dict[str, Any]) -> str:
    """Which kind of record a decoded JSON log line is (see the module docstring)."""
    typ = CONVERT["str"](obj.get("type"))
    if typ is not None and typ.startswith("platform."):
        return PLATFORM_TYPES.get(typ, "platform_other")
    if obj.get(records.SCHEMA_KEY) is not None:
        marker = CONVERT["str"](obj.get(records.MARKER_KEY))
        return marker if marker in MARKER_KINDS else "app"
    if (CONVERT["str"](obj.get("_aws")) or "").startswith("{"):  # an object (what SQL sees as text)
        return "emf"
    if obj.get("errorType") is not None and obj.get("level") is None:
        return "unhandled_error"
    if obj.get("level") is not None or obj.get("log_level") is not None:
        return "app"
    return "unparsed"


def parse_json_record(obj: dict[str, Any]) -> dict[str, Any]:
    """Parse one decoded JSON log record (see the module docstring for the detection rules)."""
    kind = kind_of(obj)
    event = empty_event()
    event["kind"] = kind
    event["log_format"] = "json"
    for field, paths in FIELD_PATHS[kind].items():
        target = "str" if field == "trace_header" else FIELDS[field]
        value = None
        for path in paths:
            value = CONVERT[target](get_path(obj, path))
            if value is not None:
                break
        if field == "trace_header":
            if value is not None:
                root = re.search(TRACE_ROOT, value)
                sampled = re.search(TRACE_SAMPLED, value)
                event["trace_id"] = root.group(1) if root else None
                event["sampled"] = (sampled.group(1) == "1") if sampled else None
        else:
            event[field] = value
    if event["level"] is not None:
        event["level"] = event["level"].upper()
    event.update(FIXED.get(kind, {}))
    return event


def _first_key_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # a repeated key keeps its first value, as DuckDB's JSON reader does
    return dict(reversed(pairs))


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def decode_object(message: str) -> dict[str, Any] | None:
    """The JSON object a message holds (strict JSON: no NaN/Infinity), or ``None``."""
    text = message
    if not text.startswith("{"):
        return None
    try:
        obj = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_first_key_wins)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None
