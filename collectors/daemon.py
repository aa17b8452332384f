"""A local X-Ray daemon: receives segment datagrams on UDP and hands them on as raw trace documents.

The X-Ray SDKs (and lamtrace's own tracer) send each segment or subsegment as one UDP datagram::

    {"format":"json","version":1}\\n<segment JSON>

``XRayDaemon`` listens on 127.0.0.1:2000 by default (port 0 picks a free port), parses each datagram and gives the
document to ``on_document`` and/or appends it as a raw trace document (``trace_id``, ``segment_id``, ``document``) to a
JSON-lines file. With a boto3 X-Ray client it also forwards documents with ``PutTraceSegments`` in batches of up to 50
(the API limit), as the real daemon does. Malformed datagrams are counted (``malformed``), never fatal.

>>> with XRayDaemon(port=0, out="traces/daemon.jsonl") as daemon:
...     os.environ["AWS_XRAY_DAEMON_ADDRESS"] = daemon.address
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

HEADER = b'{"format":"json","version":1}'
MAX_DATAGRAM = 65535
PUT_BATCH = 50  # PutTraceSegments accepts at most 50 documents per call


def parse_datagram(data: bytes) -> dict:
    """The segment document of one daemon datagram; ``ValueError`` when it is not one."""
    header, sep, body = data.partition(b"\n")
    if not sep:
        raise ValueError("no header line")
    try:
        if json.loads(header) != {"format": "json", "version": 1}:
            raise ValueError(f"unknown header {header[:60]!r}")
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict) or not document.get("trace_id") or not document.get("id"):
        raise ValueError("a segment needs trace_id and id")
    return document


def raw_trace_document(document: dict) -> dict[str, str]:
    """The raw trace document row (docs/schema.md) of a segment."""
    return {
        "trace_id": document["trace_id"],
        "segment_id": document["id"],
        "document": json.dumps(document, separators=(",", ":")),
    }


class XRayDaemon:
    """Receives X-Ray segment datagrams on a local UDP port (see module docstring)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2000,
        *,
        out: str | Path | None = None,
        on_document: Callable[[dict], None] | None = None,
        xray_client: Any = None,
    ) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        self._socket.bind((host, port))
        self._socket.settimeout(0.2)
        self._out = Path(out) if out else None
        self._on_document = on_document
        self._client = xray_client
        self._batch: list[str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xray-daemon", daemon=True)
        self.received = 0
        self.malformed = 0
        self.forwarded = 0
        self.unprocessed = 0  # documents PutTraceSegments rejected
        self.forward_errors: list[str] = []

    @property
    def address(self) -> str:
        """``host:port``, the value for ``AWS_XRAY_DAEMON_ADDRESS``."""
        host, port = self._socket.getsockname()[:2]
        return f"{host}:{port}"

    def start(self) -> XRayDaemon:
        if self._out:
            self._out.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def __enter__(self) -> XRayDaemon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Receive what is already queued, forward the last batch, close the socket."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self._socket.close()
        self.flush()

    def _run(self) -> None:
        while True:
            try:
                data = self._socket.recv(MAX_DATAGRAM)
            except TimeoutError:  # quiet for a moment: forward what is buffered
                if self._stopping.is_set():
                    return
                self.flush()
                continue
            except OSError:
                return
            self._handle(data)

    def _handle(self, data: bytes) -> None:
        try:
            document = parse_datagram(data)
        except ValueError:
            self.malformed += 1
            return
        self.received += 1
        if self._on_document:
            self._on_document(document)
        if self._out:
            with self._lock, self._out.open("a", encoding="utf-8") as out:
                out.write(json.dumps(raw_trace_document(document), separators=(",", ":")) + "\n")
        if self._client is not None:
            with self._lock:
                self._batch.append(json.dumps(document, separators=(",", ":")))
                full = len(self._batch) >= PUT_BATCH
            if full:
                self.flush()

    def flush(self) -> None:
        """Send buffered documents to X-Ray (PutTraceSegments), if a client was given."""
        if self._client is None:
            return
        with self._lock:
            batch, self._batch = self._batch, []
        for i in range(0, len(batch), PUT_BATCH):
            chunk = batch[i : i + PUT_BATCH]
            try:
                answer = self._client.put_trace_segments(TraceSegmentDocuments=chunk)
            except Exception as exc:  # network, credentials, throttling: counted, the daemon keeps running
                self.forward_errors.append(f"{type(exc).__name__}: {exc}")
                self.unprocessed += len(chunk)
                continue
            rejected = len(answer.get("UnprocessedTraceSegments") or [])
            self.unprocessed += rejected
            self.forwarded += len(chunk) - rejected
