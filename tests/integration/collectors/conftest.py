"""Fixtures for collector tests: boto3 clients on the moto server, seeded log groups, a throttling proxy."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from collectors import aws

HOUR = 3_600_000


@pytest.fixture
def logs(aws_env):
    return aws.client("logs", aws.session())


@pytest.fixture
def now_ms() -> int:
    return int(time.time() * 1000) // HOUR * HOUR  # whole hour: slice edges are easy to reason about


def unique_group(prefix: str = "/aws/lambda/t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def seed_group(logs, group: str, timestamps: list[int], streams: int = 2) -> list[tuple[str, int, str]]:
    """Create ``group`` with ``streams`` streams and one event per timestamp (round-robin over streams).

    Returns (stream, timestamp, message) per event.
    """
    logs.create_log_group(logGroupName=group)
    names = [f"2026/11/28/[$LATEST]{uuid.uuid4().hex}" for _ in range(streams)]
    for name in names:
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    seeded: dict[str, list[tuple[int, str]]] = {n: [] for n in names}
    for i, ts in enumerate(sorted(timestamps)):
        seeded[names[i % streams]].append((ts, f"{group} event {i}\n"))
    for name, events in seeded.items():
        for start in range(0, len(events), 5000):
            chunk = events[start : start + 5000]
            logs.put_log_events(
                logGroupName=group,
                logStreamName=name,
                logEvents=[{"timestamp": t, "message": m} for t, m in chunk],
            )
    return [(n, t, m) for n, evs in seeded.items() for t, m in evs]


class ThrottleProxy:
    """An HTTP proxy in front of moto answering the first ``n`` matching requests the way AWS throttles: HTTP 400
    with a ``ThrottlingException`` JSON error (awsJson protocol). ``rewrite`` changes the next ``n`` matching JSON
    responses (to give answers moto never gives, such as a still-running query). Everything else is forwarded."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.remaining = 0
        self.target = ""
        self.throttled = 0
        self.forwarded = 0
        self.delay = 0.0  # seconds to hold every forwarded request (a slow network)
        self._rewrites: list[list] = []  # [target, remaining, function]
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self.do_POST()

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                # JSON-protocol services name the operation in X-Amz-Target; REST ones (Lambda) in the path
                operation = self.headers.get("X-Amz-Target") or self.path.split("?")[0]
                if proxy._should_throttle(operation):
                    payload = json.dumps(
                        {"__type": "ThrottlingException", "message": "Rate exceeded"}
                    ).encode()
                    self.send_response(400)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                time.sleep(proxy.delay)
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = proxy._rewrite(operation, response.read())
                with proxy._lock:
                    proxy.forwarded += 1
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def throttle(self, n: int, target: str) -> None:
        """Throttle the next ``n`` requests whose X-Amz-Target ends with ``target`` (e.g. ``FilterLogEvents``)."""
        with self._lock:
            self.remaining, self.target = n, target

    def rewrite(self, n: int, target: str, function) -> None:
        """Pass the next ``n`` JSON responses to requests whose X-Amz-Target (or, for REST services, URL path)
        ends with ``target`` through ``function(dict) -> dict``."""
        with self._lock:
            self._rewrites.append([target, n, function])

    def _rewrite(self, target: str, data: bytes) -> bytes:
        with self._lock:
            for rule in self._rewrites:
                if rule[1] > 0 and target.endswith(rule[0]):
                    rule[1] -= 1
                    return json.dumps(rule[2](json.loads(data))).encode()
        return data

    def _should_throttle(self, target: str) -> bool:
        with self._lock:
            if self.remaining > 0 and target.endswith(self.target):
                self.remaining -= 1
                self.throttled += 1
                return True
            return False

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def throttle_proxy(aws_env) -> Iterator[ThrottleProxy]:
    proxy = ThrottleProxy(aws_env)
    try:
        yield proxy
    finally:
        proxy.close()
