"""Write what ``lamtrace local`` produced in the raw shapes of docs/schema.md.

Layout of an output directory::

    DIR/logs/<function>.jsonl     raw log events, one JSON object per line, exactly the keys
                                  log_group, log_stream, timestamp, message, event_id, ingestion_time
    DIR/traces/<function>.jsonl   raw trace documents: trace_id, segment_id, document (segment JSON text)
    DIR/traces/daemon.jsonl       segments the local X-Ray daemon received that belong to no local invocation

Every writer is thread-safe (environments of one function run concurrently).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from lamtrace.local.capture import LogLine

INGESTION_LAG_MS = 200  # CloudWatch ingests seconds later; a fixed small lag keeps runs reproducible

RAW_EVENT_KEYS = ("log_group", "log_stream", "timestamp", "message", "event_id", "ingestion_time")


def event_id(log_stream: str, timestamp: int, sequence: int) -> str:
    """A 56-digit CloudWatch-style eventId: time, stream and position, so it is unique and stable."""
    stream_number = int(hashlib.sha256(log_stream.encode()).hexdigest()[:16], 16) % 10**20
    return f"{timestamp:016d}{stream_number:020d}{sequence:020d}"


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"


class OutputDir:
    """An output directory: appends raw log events and raw trace documents, one file per function."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        (self.root / "traces").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._sequence: dict[str, int] = defaultdict(int)
        self.events_written = 0
        self.documents_written = 0

    def write_events(self, function: str, log_group: str, log_stream: str, lines: Iterable[LogLine]) -> None:
        """Append the CloudWatch events of one log stream."""
        with self._lock:
            rows = []
            for line in lines:
                self._sequence[log_stream] += 1
                rows.append(
                    {
                        "log_group": log_group,
                        "log_stream": log_stream,
                        "timestamp": line.timestamp,
                        "message": line.message,
                        "event_id": event_id(log_stream, line.timestamp, self._sequence[log_stream]),
                        "ingestion_time": line.timestamp + INGESTION_LAG_MS,
                    }
                )
            self._append(self.root / "logs" / f"{_safe_name(function)}.jsonl", rows)
            self.events_written += len(rows)

    def write_documents(self, name: str, documents: Iterable[dict]) -> None:
        """Append X-Ray segment documents (dicts) as raw trace documents."""
        with self._lock:
            rows = [
                {
                    "trace_id": doc["trace_id"],
                    "segment_id": doc["id"],
                    "document": json.dumps(doc, separators=(",", ":")),
                }
                for doc in documents
            ]
            self._append(self.root / "traces" / f"{_safe_name(name)}.jsonl", rows)
            self.documents_written += len(rows)

    @staticmethod
    def _append(path: Path, rows: list[dict]) -> None:
        if not rows:
            return
        with path.open("a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
