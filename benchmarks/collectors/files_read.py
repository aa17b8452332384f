"""How fast collectors.files reads each input format, and how much memory it needs.

    PYTHONPATH=. python benchmarks/collectors/files_read.py --invocations 10000

Generates realistic raw events with benchmarks/analyzer/generate.py, writes them in several formats (gzipped, as they
usually arrive), then for each format: events per second through ``files.read`` (best of 3), and the tracemalloc peak
of a separate pass. Prints a markdown table and the load average (the machine is shared: compare within one run).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

from collectors import files
from collectors.store import StoreWriter

HERE = Path(__file__).resolve().parent


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_formats(events: list[dict], folder: Path) -> dict[str, Path]:
    paths = {}
    paths["lamtrace-events-jsonl (gz)"] = folder / "events.jsonl.gz"
    with gzip.open(paths["lamtrace-events-jsonl (gz)"], "wt") as fh:
        fh.writelines(json.dumps(e) + "\n" for e in events)
    cli = {
        "events": [
            {
                "logStreamName": e["log_stream"],
                "timestamp": e["timestamp"],
                "message": e["message"],
                "ingestionTime": e["ingestion_time"],
                "eventId": e["event_id"],
            }
            for e in events
        ]
    }
    paths["filter-log-events-json (gz)"] = folder / "filter.json.gz"
    with gzip.open(paths["filter-log-events-json (gz)"], "wt") as fh:
        json.dump(cli, fh, indent=4)
    paths["cloudwatch-export (gz)"] = folder / "0f9b1c6e-6a4e-4d53-9d0a-3f1e2c7b8a90" / "stream" / "000000.gz"
    paths["cloudwatch-export (gz)"].parent.mkdir(parents=True)
    with gzip.open(paths["cloudwatch-export (gz)"], "wt") as fh:
        fh.writelines(f"{iso(e['timestamp'])} {e['message'].rstrip(chr(10))}\n" for e in events)
    paths["subscription-base64"] = folder / "kinesis.b64"
    with open(paths["subscription-base64"], "w") as fh:
        for i in range(0, len(events), 500):
            chunk = events[i : i + 500]
            payload = {
                "messageType": "DATA_MESSAGE",
                "owner": "123456789012",
                "logGroup": chunk[0]["log_group"],
                "logStream": chunk[0]["log_stream"],
                "subscriptionFilters": ["f"],
                "logEvents": [
                    {"id": e["event_id"], "timestamp": e["timestamp"], "message": e["message"]} for e in chunk
                ],
            }
            fh.write(base64.b64encode(gzip.compress(json.dumps(payload).encode())).decode() + "\n")
    with StoreWriter(folder / "store") as writer:
        for e in events:
            writer.add_event(e)
    paths["collect store (parquet)"] = folder / "store"
    return paths


def throughput(path: Path) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(3):
        started = time.perf_counter()
        count = sum(1 for _ in files.read(path))
        best = min(best, time.perf_counter() - started)
    return count, best


def peak(path: Path) -> int:
    tracemalloc.start()
    for _ in files.read(path):
        pass
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw = folder / "raw.jsonl"
        generator = HERE.parent / "analyzer" / "generate.py"
        subprocess.run(
            [sys.executable, str(generator), "--invocations", str(args.invocations), "--out", str(raw)],
            check=True,
        )
        events = [json.loads(line) for line in raw.read_text().splitlines()]
        paths = write_formats(events, folder)
        del events
        print(f"{len(paths)} formats, load average before: {os.getloadavg()}")
        print("| format | events | on disk (MB) | events/s | s | tracemalloc peak (MB) |")
        print("|---|---|---|---|---|---|")
        for name, path in paths.items():
            size = sum(
                p.stat().st_size
                for p in ([path] if path.is_file() else path.rglob("*") if path.is_dir() else [])
            )
            count, seconds = throughput(path)
            top = peak(path)
            print(
                f"| {name} | {count} | {size / 1e6:.1f} | {count / seconds:,.0f} | {seconds:.2f} | {top / 1e6:.1f} |"
            )
        print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
