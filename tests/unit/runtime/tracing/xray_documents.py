"""A local UDP receiver standing in for the X-Ray daemon, and a check against the segment document format."""

from __future__ import annotations

import json
import re
import socket
from typing import Any

HEADER = '{"format":"json","version":1}'
SEGMENT_ID = re.compile(r"^[0-9a-f]{16}$")
TRACE_ID = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")


class UdpReceiver:
    """A bound UDP socket on 127.0.0.1; ``address`` is what AWS_XRAY_DAEMON_ADDRESS should say."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

    def documents(self, expect: int | None = None, wait: float = 1.0) -> list[dict[str, Any]]:
        """Datagrams received so far (split into header and document; the header is checked)."""
        docs = []
        self.sock.settimeout(wait)
        while expect is None or len(docs) < expect:
            try:
                data = self.sock.recv(70_000)
            except TimeoutError:
                break
            header, _, body = data.decode().partition("\n")
            assert header == HEADER
            docs.append(json.loads(body))
            self.sock.settimeout(0.2 if expect is None else wait)
        return docs

    def close(self) -> None:
        self.sock.close()


def check_subsegment(doc: dict[str, Any]) -> None:
    """Assert ``doc`` is a valid independent X-Ray subsegment document."""
    assert SEGMENT_ID.match(doc["id"]), doc["id"]
    assert TRACE_ID.match(doc["trace_id"]), doc["trace_id"]
    assert SEGMENT_ID.match(doc["parent_id"]), doc["parent_id"]
    assert doc["type"] == "subsegment"
    assert isinstance(doc["name"], str) and 0 < len(doc["name"]) <= 200
    assert isinstance(doc["start_time"], float)
    if doc.get("in_progress"):
        assert "end_time" not in doc
    else:
        assert isinstance(doc["end_time"], float) and doc["end_time"] >= doc["start_time"]
    for key, value in doc.get("annotations", {}).items():
        assert re.match(r"^[A-Za-z0-9_]+$", key) and isinstance(value, (str, int, float, bool))
    if "cause" in doc:
        for exc in doc["cause"]["exceptions"]:
            assert SEGMENT_ID.match(exc["id"]) and exc["type"] and "message" in exc
            for frame in exc["stack"]:
                assert set(frame) == {"path", "line", "label"}
