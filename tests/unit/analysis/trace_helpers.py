"""Helpers shared by the trace tests: fixtures as raw trace documents (docs/schema.md)."""

from __future__ import annotations

import json
from pathlib import Path

TRACES = Path(__file__).resolve().parents[2] / "fixtures" / "traces"


def raw_docs(name: str) -> list[dict]:
    """A fixture as raw trace documents: BatchGetTraces JSON (``*.json``) or raw documents (``*.jsonl``)."""
    path = TRACES / name
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    response = json.loads(path.read_text())
    traces = response.get("Traces", [response])
    return [
        {"trace_id": trace["Id"], "segment_id": segment["Id"], "document": segment["Document"]}
        for trace in traces
        for segment in trace["Segments"]
    ]
