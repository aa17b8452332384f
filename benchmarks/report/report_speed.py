"""How long the report and the trace join take on large synthetic inputs, and their peak memory.

    PYTHONPATH=. python benchmarks/report/report_speed.py --attempts 1000000 --traces 50000

Two measurements, each in its own subprocess so peak RSS is its own:

* ``build_report`` over an invocation table of N attempts (4 functions, 2,000 environments, 1 % cold starts, 2 %
  errors, 1 % timeouts, over one day) with an hourly timeline;
* ``segment_rows`` + ``join`` over T traces (an AWS::Lambda segment and a function segment with Invocation, a nested
  DynamoDB call and Overhead: 5 segment rows per trace) and T invocations matched by request id.

Prints wall time, peak RSS and the load average (the machine is shared: compare within one run).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def invocation_table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    functions = rng.choice(["orders", "payments", "search", "auth"], n)
    start = pd.Timestamp("2026-11-28T00:00:00Z") + pd.to_timedelta(rng.uniform(0, 86400, n), unit="s")
    duration = rng.lognormal(4.5, 0.7, n)
    cold = rng.random(n) < 0.01
    return pd.DataFrame(
        {
            "function": functions,
            "log_group": "/aws/lambda/" + functions,
            "log_stream": [f"2026/11/28/[$LATEST]{i:032x}" for i in rng.integers(0, 2000, n)],
            "version": "$LATEST",
            "request_id": [f"r{i}" for i in range(n)],
            "attempt": 1,
            "start_time": start.astype("datetime64[ms, UTC]"),
            "end_time": (start + pd.to_timedelta(duration, unit="ms")).astype("datetime64[ms, UTC]"),
            "duration_ms": duration,
            "billed_ms": np.ceil(duration),
            "memory_mb": pd.array(np.full(n, 512), dtype="Int64"),
            "max_memory_mb": pd.array(rng.integers(80, 200, n), dtype="Int64"),
            "init_ms": np.where(cold, 300.0, np.nan),
            "restore_ms": np.nan,
            "cold_start": cold,
            "start_kind": np.where(cold, "cold", "warm"),
            "outcome": rng.choice(["success", "error", "timeout"], n, p=[0.97, 0.02, 0.01]),
            "trace_id": None,
            "trigger": "sqs",
            "delivery_key": None,
            "delivery_attempt": pd.array([None] * n, dtype="Int64"),
            "app_errors": 0,
            "has_report": True,
            "has_app_logs": False,
            "has_trace": False,
        }
    )


def trace_documents(n: int) -> list[dict]:
    docs = []
    for i in range(n):
        trace, service, function, t = f"1-{i:08x}-{i:024x}", f"{i:015x}a", f"{i:015x}b", 1.7e9 + i
        call = {
            "id": f"{i:015x}d",
            "name": "DynamoDB",
            "namespace": "aws",
            "start_time": t + 0.02,
            "end_time": t + 0.05,
        }
        subsegments = [
            {
                "id": f"{i:015x}c",
                "name": "Invocation",
                "start_time": t + 0.01,
                "end_time": t + 0.18,
                "subsegments": [call],
            },
            {"id": f"{i:015x}e", "name": "Overhead", "start_time": t + 0.18, "end_time": t + 0.19},
        ]
        service_doc = {"id": service, "trace_id": trace, "name": "orders", "origin": "AWS::Lambda",
                       "start_time": t, "end_time": t + 0.2, "aws": {"request_id": f"r{i}"}}  # fmt: skip
        function_doc = {"id": function, "trace_id": trace, "parent_id": service, "name": "orders",
                        "origin": "AWS::Lambda::Function", "start_time": t + 0.01, "end_time": t + 0.19,
                        "subsegments": subsegments}  # fmt: skip
        for doc in (service_doc, function_doc):
            docs.append({"trace_id": trace, "segment_id": doc["id"], "document": json.dumps(doc)})
    return docs


def measure(kind: str, size: int) -> dict:
    if kind == "report":
        from types import SimpleNamespace

        from lamtrace.analysis.report import build_report

        table = invocation_table(size)
        began = time.perf_counter()
        build_report(SimpleNamespace(invocations=table, segments=pd.DataFrame(), coverage={}), bucket="1h")
    else:
        from lamtrace.analysis.traces import join, segment_rows

        docs = trace_documents(size)
        table = pd.DataFrame({"function": "orders", "request_id": [f"r{i}" for i in range(size)], "attempt": 1,
                              "trace_id": None, "sampled": None,
                              "start_time": pd.to_datetime(1.7e9 + np.arange(size), unit="s", utc=True)})  # fmt: skip
        began = time.perf_counter()
        join(table, segment_rows(docs))
    return {
        "kind": kind,
        "size": size,
        "seconds": round(time.perf_counter() - began, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--traces", type=int, default=50_000)
    parser.add_argument("--one", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    print("| what | size | wall s | peak RSS MB (incl. the input) |\n|---|---|---|---|")
    for kind, size in (("report", args.attempts), ("traces", args.traces)):
        out = subprocess.run([sys.executable, __file__, "--one", kind, str(size)], capture_output=True, text=True,
                             check=True, env={**os.environ})  # fmt: skip
        result = json.loads(out.stdout)
        label = "build_report (attempts)" if kind == "report" else "segment_rows + join (traces)"
        print(f"| {label} | {size:,} | {result['seconds']} | {result['peak_rss_mb']} |")
    print(f"\nload average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
