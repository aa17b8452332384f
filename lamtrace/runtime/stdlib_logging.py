"""Format records of every stdlib ``logging`` logger as lamtrace lines (``capture_logging=True``).

Imported only when that option is on (``logging`` itself is not on lamtrace's default path).
"""

from __future__ import annotations

import logging

from lamtrace import records as R
from lamtrace.runtime import log

# LogRecord attributes that are not user ``extra=`` fields.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
# Attributes awslambdaric's LambdaLoggerFilter adds to every record.
_RUNTIME_ATTRS = frozenset({"aws_request_id", "tenant_id", "_frame_type"})


class LamtraceHandler(logging.Handler):
    """A logging handler that sends each record through lamtrace's pipeline (same keys, same stdout)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line: log.Record = {
                R.LEVEL: record.levelname,
                R.LOCATION: f"{record.module}:{record.funcName}:{record.lineno}",
                R.MESSAGE: record.getMessage(),
                R.LOGGER: record.name,
            }
            extra = {
                k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and k not in _RUNTIME_ATTRS
            }
            if extra:
                line["_extra"] = extra
            if record.exc_info:
                line["_exc_info"] = record.exc_info
            log.emit(line)
        except Exception as exc:
            log.internal_error("logging handler", exc)


def install(level: int) -> LamtraceHandler:
    """Route the root logger to lamtrace at ``level``, replacing the Lambda runtime's own root handler.

    Replacing (not adding) is what keeps each record from being printed twice, and, with Lambda's JSON log
    format, from being wrapped in the runtime's JSON object. Handlers the user added are kept. Idempotent.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, LamtraceHandler):
            return handler
        if type(handler).__module__.startswith("awslambdaric"):
            root.removeHandler(handler)
    handler = LamtraceHandler()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
