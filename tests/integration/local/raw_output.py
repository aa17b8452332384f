"""Read a `lamtrace local` output directory back and count what its platform lines say (Text and JSON formats)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.unit.local import real_formats as rf


def read_raw_events(out: Path) -> list[dict]:
    events = []
    for path in sorted((out / "logs").glob("*.jsonl")):
        events += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return events


def check_and_count(out: Path) -> dict[str, int]:
    """Assert every platform line has Lambda's exact shape; return counts taken from the REPORT lines."""
    reports = []
    kinds: Counter[str] = Counter()
    for event in read_raw_events(out):
        assert list(event) == list(rf_keys()), event
        message = event["message"]
        platform = rf.check_json_platform(message)
        if platform:
            kinds[platform["type"]] += 1
            if platform["type"] == "platform.report":
                record = platform["record"]
                reports.append(
                    (
                        record["requestId"],
                        record["status"],
                        "initDurationMs" in record["metrics"],
                        "tracing" in record,
                    )
                )
            continue
        found = rf.classify_text(message)
        assert found or not rf.looks_like_platform(message), repr(message)
        if found:
            kind, match = found
            kinds[kind] += 1
            if kind == "REPORT":
                reports.append(
                    (
                        match["request_id"],
                        match["status"] or "success",
                        bool(match["init_ms"]),
                        bool(match["trace_id"]),
                    )
                )
    ids = Counter(request_id for request_id, *_ in reports)
    status = Counter(s for _, s, _, _ in reports)
    return {
        "attempts": len(reports),
        "requests": len(ids),
        "retries": sum(n - 1 for n in ids.values()),
        "cold_starts": sum(cold for _, _, cold, _ in reports),
        "errors_reported": status["error"],
        "timeouts": status["timeout"],
        "sampled": sum(traced for *_, traced in reports),
        "timeout_lines": kinds["TIMEOUT"],
        "runtime_exit_lines": kinds["RUNTIME_EXIT"],
        "init_starts": kinds["INIT_START"] + kinds["platform.initStart"],
    }


def rf_keys() -> tuple[str, ...]:
    return ("log_group", "log_stream", "timestamp", "message", "event_id", "ingestion_time")
