"""A Lambda Runtime API server (version 2018-06-01) for one execution environment.

Lambda's Runtime API is the HTTP interface a runtime (here the real ``awslambdaric``) polls for work:

* ``GET  /2018-06-01/runtime/invocation/next`` blocks until there is an invocation, then answers 200 with the event as
  body and the ``Lambda-Runtime-*`` headers (request id, deadline, invoked ARN, trace id, client context, identity);
* ``POST /2018-06-01/runtime/invocation/{id}/response`` → 202; ``.../{id}/error`` → 202; an unknown or finished
  request id → 400 ``InvalidRequestID``; a response over 6 MB → 413;
* ``POST /2018-06-01/runtime/init/error`` → 202 (the runtime then exits).

There is no real Runtime API outside Lambda, so this is the one fake in lamtrace's tests; it follows the published
OpenAPI description. Sockets set ``TCP_NODELAY``: without it every small response waits ~40-90 ms for Nagle/delayed-ACK.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/2018-06-01/runtime"
MAX_RESPONSE_BYTES = 6 * 1024 * 1024
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"


@dataclass
class Invocation:
    """One invocation handed to the runtime, and what the runtime answered."""

    request_id: str
    event: bytes
    deadline_ms: int
    invoked_function_arn: str
    trace_header: str | None = None
    client_context: str | None = None
    cognito_identity: str | None = None
    # filled in by the server
    received_at: float | None = None  # when the runtime fetched it (epoch seconds)
    responded_at: float | None = None  # when the response or error arrived (epoch seconds)
    response: bytes | None = None
    error: bytes | None = None
    error_type: str | None = None
    xray_error_cause: str | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    def headers(self) -> dict[str, str]:
        """The headers of the ``invocation/next`` answer."""
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": self.request_id,
            "Lambda-Runtime-Deadline-Ms": str(self.deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.invoked_function_arn,
        }
        if self.trace_header:
            headers["Lambda-Runtime-Trace-Id"] = self.trace_header
        if self.client_context:
            headers["Lambda-Runtime-Client-Context"] = self.client_context
        if self.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = self.cognito_identity
        return headers


@dataclass
class InitError:
    """What the runtime posted to ``/runtime/init/error``."""

    error_type: str | None
    body: bytes
    at: float


class RuntimeAPIServer:
    """The Runtime API of one execution environment, on 127.0.0.1 and a free port.

    >>> server = RuntimeAPIServer(); server.start()
    >>> server.address  # the value of AWS_LAMBDA_RUNTIME_API
    '127.0.0.1:...'
    >>> server.submit(invocation); invocation.done.wait(timeout)
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._pending: queue.Queue[Invocation | None] = queue.Queue()
        self._active: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self.first_poll = threading.Event()  # set when the runtime first asks for work (= init finished)
        self.first_poll_at: float | None = None
        self.init_error: InitError | None = None
        self.init_error_event = threading.Event()
        self._httpd = _QuietServer((host, port), _handler_class(self))
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> RuntimeAPIServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="runtime-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a runtime blocked in ``next`` is released with an error answer."""
        self._pending.put(None)
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        """Forget all state, for a new runtime process in the same environment (the old one was killed)."""
        with self._lock:
            self._active.clear()
        while not self._pending.empty():
            self._pending.get_nowait()
        self.first_poll.clear()
        self.first_poll_at = None
        self.init_error = None
        self.init_error_event.clear()

    def submit(self, invocation: Invocation) -> None:
        """Queue an invocation for the runtime's next ``invocation/next`` call."""
        with self._lock:
            self._active[invocation.request_id] = invocation
        self._pending.put(invocation)

    def abandon(self, request_id: str) -> None:
        """Forget an invocation (timed out, runtime killed): later posts for it get 400."""
        with self._lock:
            self._active.pop(request_id, None)

    # --- called from the HTTP handler threads ---------------------------------------------------------------------
    def _next(self) -> Invocation | None:
        if not self.first_poll.is_set():
            self.first_poll_at = time.time()
            self.first_poll.set()
        invocation = self._pending.get()
        if invocation is None:
            self._pending.put(None)  # keep releasing any other poller
            return None
        invocation.received_at = time.time()
        return invocation

    def _finish(self, request_id: str) -> Invocation | None:
        with self._lock:
            return self._active.pop(request_id, None)

    def _record_init_error(self, error_type: str | None, body: bytes) -> None:
        self.init_error = InitError(error_type, body, time.time())
        self.init_error_event.set()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A runtime killed mid-request is normal here (timeouts, crashes): no traceback on stderr."""


def _error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def _handler_class(server: RuntimeAPIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the runtime client expects
        disable_nagle_algorithm = True  # TCP_NODELAY on every accepted socket

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet server
            pass

        def _send(self, status: HTTPStatus, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if not headers or "Content-Type" not in headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            if self.path != f"{API_PREFIX}/invocation/next":
                self._send(HTTPStatus.NOT_FOUND, _error_body("NotFound", f"no route {self.path}"))
                return
            invocation = server._next()
            if invocation is None:
                self._send(
                    HTTPStatus.INTERNAL_SERVER_ERROR, _error_body("ServiceStopped", "environment shut down")
                )
                return
            self._send(HTTPStatus.OK, invocation.event, invocation.headers())

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            body = self._body()
            if self.path == f"{API_PREFIX}/init/error":
                server._record_init_error(self.headers.get(ERROR_TYPE_HEADER), body)
                self._send(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
                return
            parts = self.path[len(API_PREFIX) :].split("/") if self.path.startswith(API_PREFIX) else []
            # ['', 'invocation', '<id>', 'response' | 'error']
            if len(parts) != 4 or parts[1] != "invocation" or parts[3] not in ("response", "error"):
                self._send(HTTPStatus.NOT_FOUND, _error_body("NotFound", f"no route {self.path}"))
                return
            request_id, kind = parts[2], parts[3]
            if kind == "response" and len(body) > MAX_RESPONSE_BYTES:
                self._send(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    _error_body(
                        "RequestEntityTooLarge", f"response of {len(body)} bytes over the 6 MB limit"
                    ),
                )
                return
            invocation = server._finish(request_id)
            if invocation is None:
                self._send(
                    HTTPStatus.BAD_REQUEST,
                    _error_body("InvalidRequestID", f"unknown request id {request_id}"),
                )
                return
            invocation.responded_at = time.time()
            if kind == "response":
                invocation.response = body
            else:
                invocation.error = body
                invocation.error_type = self.headers.get(ERROR_TYPE_HEADER)
                invocation.xray_error_cause = self.headers.get(XRAY_CAUSE_HEADER)
            invocation.done.set()
            self._send(HTTPStatus.ACCEPTED, b'{"status":"OK"}')

    return Handler
