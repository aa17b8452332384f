"""X-Ray subsegments over UDP to the X-Ray daemon, with the standard library only.

Lambda writes the function segment itself; we add subsegments under it. Each one is sent when it ends, as an
independent document (``"type": "subsegment"``, ``parent_id`` = the enclosing span or, for the handler span, the
``Parent`` of ``_X_AMZN_TRACE_ID``; ``trace_id`` = its ``Root``), in one datagram::

    {"format":"json","version":1}\\n{"id":"...","name":"## handler","trace_id":"1-...","parent_id":"...",...}

Nothing is sent for an invocation whose trace header says ``Sampled=0`` or has no Root/Parent.
"""

from __future__ import annotations

import _socket  # the C module: ``socket`` adds nothing used here and costs milliseconds of cold start
import os
import time
from contextvars import ContextVar

from lamtrace.runtime import log
from lamtrace.runtime.log import DIGITS3 as _DIGITS3
from lamtrace.runtime.log import encode, quote
from lamtrace.runtime.tracing import NO_SPAN, Invocation

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from typing import Any

HEADER = b'{"format":"json","version":1}\n'
DEFAULT_DAEMON_ADDRESS = "127.0.0.1:2000"
MAX_DATAGRAM = 64 * 1024 - len(HEADER) - 1024  # the daemon's limit, with room to spare
MAX_STACK_FRAMES = 50


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
    import traceback

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


def epoch_seconds(ns: int) -> str:
    """``time.time_ns()`` as X-Ray's epoch seconds with microseconds (``1764329439.123456``): integer arithmetic,
    several times cheaper than ``repr`` of the float."""
    us = ns // 1000
    return f"{us // 1_000_000}.{_DIGITS3[us // 1000 % 1000]}{_DIGITS3[us % 1000]}"


class Subsegment:
    """A subsegment being recorded, and the context token that made it current.

    Its fields are kept as attributes and rendered into the document by ``document`` from fixed text: a
    subsegment is sent on every sampled invocation, and encoding it as a dict costs several times as much.
    """

    __slots__ = (
        "id", "name", "trace_id", "parent_id", "start_ns", "annotations", "annotations_text", "metadata", "cause",
        "token",
    )  # fmt: skip

    def __init__(self, name: str, trace_id: str, parent_id: str) -> None:
        self.id = new_id()
        self.name = name[:200]
        self.trace_id, self.parent_id = trace_id, parent_id
        self.start_ns = time.time_ns()
        self.annotations: dict[str, Any] | None = None
        self.annotations_text: str | None = None  # ``annotations`` rendered, while they are unchanged
        self.metadata: dict[str, Any] | None = None
        self.cause: dict[str, Any] | None = None  # set (with fault) when the span ends with an exception
        self.token: Any = None

    def set_attribute(self, key: str, value: Any) -> None:
        # Annotation keys: letters, digits and "_" only; values: string, number or boolean.
        if is_annotation_key(key) and isinstance(value, (str, int, float, bool)):
            if self.annotations is None:
                self.annotations = {}
            self.annotations[key] = value[:1000] if isinstance(value, str) else value
            self.annotations_text = None
        else:
            if self.metadata is None:
                self.metadata = {"default": {}}
            self.metadata["default"][key] = value

    def document(self, end_ns: int | None, metadata: bool = True) -> str:
        """The subsegment document as JSON text (``metadata=False``: without it, to fit a datagram;
        ``end_ns=None``: an in-progress document, which the complete one replaces if it is sent later)."""
        end = '"in_progress":true' if end_ns is None else f'"end_time":{epoch_seconds(end_ns)}'
        text = (
            f'{{"id":"{self.id}","name":{quote(self.name)},"trace_id":{quote(self.trace_id)},'
            f'"parent_id":{quote(self.parent_id)},"type":"subsegment",'
            f'"start_time":{epoch_seconds(self.start_ns)},{end}'
        )
        if self.annotations:
            text += ',"annotations":' + (self.annotations_text or encode(self.annotations))
        if self.metadata is not None and metadata:
            text += ',"metadata":' + encode(self.metadata)
        if self.cause is not None:
            text += ',"fault":true,"cause":' + encode(self.cause)
        return text + "}"


class XRayBackend:
    """The ``xray`` backend: sends each ended subsegment as one UDP datagram."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self._socket = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
        self._socket.setblocking(False)
        self._socket.connect(address)  # resolved once; ``send`` on a connected socket looks nothing up
        self._current: ContextVar[Subsegment | None] = ContextVar("lamtrace_xray_current", default=None)
        self._handler: Subsegment | None = None  # parent of spans started on threads without a current span
        self._function, self._function_json = "", '""'  # the function name and its JSON text (quoted once)

    def start(self, name: str, invocation: Invocation | None = None) -> Subsegment | Any:
        if invocation is not None:
            header = invocation.trace
            self._handler = None
            if not (header.sampled and header.root and header.parent):
                return NO_SPAN
            sub = Subsegment(name, header.root, header.parent)
            function, trigger, cold = (
                invocation.function_name or "",
                invocation.trigger.name,
                invocation.cold_start,
            )
            sub.annotations = {"ColdStart": cold, "function": function, "trigger": trigger}
            if self._function != function:
                self._function, self._function_json = function, quote(function)
            # Trigger names are triggers.* constants: nothing to escape.
            sub.annotations_text = f'{{"ColdStart":{"true" if cold else "false"},"function":{self._function_json},"trigger":"{trigger}"}}'
            self._handler = sub
        else:
            parent = self._current.get() or self._handler
            if parent is None:
                return NO_SPAN
            sub = Subsegment(name, parent.trace_id, parent.id)
        sub.token = self._current.set(sub)
        return sub

    def end(self, span: Subsegment | Any, error: BaseException | None = None) -> None:
        if type(span) is not Subsegment:
            return
        end_ns = time.time_ns()
        if error is not None:
            span.cause = cause(error)
        try:  # noqa: SIM105
            self._current.reset(span.token)
        except ValueError:  # ended in another context (thread) than it started in
            pass
        if span is self._handler:
            self._handler = None
        self.send(span, end_ns)

    buffers = False  # every subsegment is sent when it ends: the wrapper need not call ``flush``

    def flush(self) -> None:
        """Nothing to do: every subsegment was sent when it ended."""

    def send_in_progress(self, span: Subsegment | Any) -> None:
        """Send ``span`` as in progress: called at the timeout warning, since a timed-out function is killed
        before its handler subsegment ends, and X-Ray would otherwise never hear of it."""
        if type(span) is Subsegment:
            self.send(span, None)

    def send(self, span: Subsegment, end_ns: int | None) -> None:
        """Send one document; oversized ones lose metadata and stack first. Errors are counted, never raised."""
        try:
            try:
                body = span.document(end_ns).encode()
            except (
                TypeError,
                ValueError,
                RecursionError,
            ) as exc:  # metadata JSON cannot hold (a cycle, odd keys)
                log.internal_error("xray metadata", exc)
                body = span.document(end_ns, metadata=False).encode()
            if len(body) > MAX_DATAGRAM:
                for exception in (span.cause or {}).get("exceptions", []):
                    exception["stack"] = exception["stack"][:5]
                    exception["message"] = exception["message"][:1000]
                body = span.document(end_ns, metadata=False).encode()
            self._socket.send(HEADER + body)
        except Exception as exc:  # the daemon is away (ECONNREFUSED), a datagram too large, ...
            log.internal_error("xray send", exc)


def create(options: Any) -> XRayBackend:
    """The backend for ``AWS_XRAY_DAEMON_ADDRESS`` (default 127.0.0.1:2000)."""
    return XRayBackend(daemon_address(os.environ.get("AWS_XRAY_DAEMON_ADDRESS")))
