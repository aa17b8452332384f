"""X-Ray subsegments over UDP to the X-Ray daemon, with the standard library only.

Lambda writes the function segment itself; we add subsegments under it. Each one is sent when it ends, as an
independent document (``"type": "subsegment"``, ``parent_id`` = the enclosing span or, for the handler span, the
``Parent`` of ``_X_AMZN_TRACE_ID``; ``trace_id`` = its ``Root``), in one datagram::

    {"format":"json","version":1}\\n{"id":"...","name":"## handler","trace_id":"1-...","parent_id":"...",...}

Nothing is sent for an invocation whose trace header says ``Sampled=0`` or has no Root/Parent.
"""

from __future__ import annotations

import json
import os
import socket
import time
import traceback
from contextvars import ContextVar
from typing import Any

from lamtrace.runtime import log
from lamtrace.runtime.tracing import NO_SPAN, Invocation

HEADER = b'{"format":"json","version":1}\n'
DEFAULT_DAEMON_ADDRESS = "127.0.0.1:2000"
MAX_DATAGRAM = 64 * 1024 - len(HEADER) - 1024  # the daemon's limit, with room to spare
MAX_STACK_FRAMES = 50
_encode = json.JSONEncoder(separators=(",", ":"), default=repr).encode


def daemon_address(value: str | None) -> tuple[str, int]:
    """(host, port) of the daemon's UDP endpoint from ``AWS_XRAY_DAEMON_ADDRESS``.

    Accepts ``host:port`` and the two-endpoint form ``tcp:host:port udp:host:port``.

    >>> daemon_address("tcp:127.0.0.1:2000 udp:169.254.79.129:2001")
    ('169.254.79.129', 2001)
    """
    text = (value or DEFAULT_DAEMON_ADDRESS).strip()
    for part in text.split():
        if part.startswith("udp:"):
            text = part[4:]
            break
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def is_annotation_key(key: str) -> bool:
    """Whether X-Ray accepts ``key`` as an annotation key (else the value goes to metadata)."""
    return 0 < len(key) <= 500 and key.isascii() and key.replace("_", "a").isalnum()


def new_id() -> str:
    """A 16-hex-digit segment id."""
    return os.urandom(8).hex()


def cause(exc: BaseException) -> dict[str, Any]:
    """The X-Ray ``cause`` object of an exception (innermost frame first, at most MAX_STACK_FRAMES)."""
    frames = traceback.extract_tb(exc.__traceback__)[::-1]
    entry: dict[str, Any] = {
        "id": new_id(),
        "type": type(exc).__name__,
        "message": str(exc),
        "stack": [{"path": f.filename, "line": f.lineno, "label": f.name} for f in frames[:MAX_STACK_FRAMES]],
    }
    if len(frames) > MAX_STACK_FRAMES:
        entry["truncated"] = len(frames) - MAX_STACK_FRAMES
    return {"working_directory": os.getcwd(), "exceptions": [entry]}


class Subsegment:
    """A subsegment being recorded: its document and the context token that made it current."""

    __slots__ = ("doc", "token")

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.token: Any = None

    def set_attribute(self, key: str, value: Any) -> None:
        # Annotation keys: letters, digits and "_" only; values: string, number or boolean.
        if is_annotation_key(key) and isinstance(value, (str, int, float, bool)):
            self.doc.setdefault("annotations", {})[key] = value[:1000] if isinstance(value, str) else value
        else:
            self.doc.setdefault("metadata", {}).setdefault("default", {})[key] = value


class XRayBackend:
    """The ``xray`` backend: sends each ended subsegment as one UDP datagram."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setblocking(False)
        self._socket.connect(address)
        self._current: ContextVar[Subsegment | None] = ContextVar("lamtrace_xray_current", default=None)
        self._handler: Subsegment | None = None  # parent of spans started on threads without a current span

    def start(self, name: str, invocation: Invocation | None = None) -> Subsegment | Any:
        if invocation is not None:
            header = invocation.trace
            self._handler = None
            if not (header.sampled and header.root and header.parent):
                return NO_SPAN
            trace_id, parent_id = header.root, header.parent
        else:
            parent = self._current.get() or self._handler
            if parent is None:
                return NO_SPAN
            trace_id, parent_id = parent.doc["trace_id"], parent.doc["id"]
        sub = Subsegment(
            {
                "id": new_id(),
                "name": name[:200],
                "trace_id": trace_id,
                "parent_id": parent_id,
                "type": "subsegment",
                "start_time": time.time(),
            }
        )
        if invocation is not None:
            sub.doc["annotations"] = {
                "ColdStart": invocation.cold_start,
                "function": invocation.function_name or "",
                "trigger": invocation.trigger.name,
            }
            self._handler = sub
        sub.token = self._current.set(sub)
        return sub

    def end(self, span: Subsegment | Any, error: BaseException | None = None) -> None:
        if not isinstance(span, Subsegment):
            return
        doc = span.doc
        doc["end_time"] = time.time()
        if error is not None:
            doc["fault"] = True
            doc["cause"] = cause(error)
        try:  # noqa: SIM105
            self._current.reset(span.token)
        except ValueError:  # ended in another context (thread) than it started in
            pass
        if span is self._handler:
            self._handler = None
        self.send(doc)

    def flush(self) -> None:
        """Nothing to do: every subsegment was sent when it ended."""

    def send(self, doc: dict[str, Any]) -> None:
        """Send one document; oversized ones lose metadata and stack first. Errors are counted, never raised."""
        try:
            body = _encode(doc).encode()
            if len(body) > MAX_DATAGRAM:
                doc = {k: v for k, v in doc.items() if k != "metadata"}
                for exception in doc.get("cause", {}).get("exceptions", []):
                    exception["stack"] = exception["stack"][:5]
                    exception["message"] = exception["message"][:1000]
                body = _encode(doc).encode()
            self._socket.send(HEADER + body)
        except Exception as exc:  # the daemon is away (ECONNREFUSED), a datagram too large, ...
            log.internal_error("xray send", exc)


def create(options: Any) -> XRayBackend:
    """The backend for ``AWS_XRAY_DAEMON_ADDRESS`` (default 127.0.0.1:2000)."""
    return XRayBackend(daemon_address(os.environ.get("AWS_XRAY_DAEMON_ADDRESS")))
