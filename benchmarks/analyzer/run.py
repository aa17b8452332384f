"""Run the analyzer benchmark: every contender in its own process, wall time and peak RSS side by side.

    python benchmarks/analyzer/generate.py --invocations 100000 --out /tmp/bench.jsonl
    python benchmarks/analyzer/run.py /tmp/bench.jsonl [--contenders lamtrace,duckdb,duckdb_careful,pandas,orjson]

Peak RSS is the child's own ``ru_maxrss`` (``os.wait4``). The load average is printed beside the figures: the
machine is shared, and the numbers mean little when it is high. Each contender's per-function numbers are compared
with the truth ``generate.py`` wrote beside the input (``FILE.truth.json``), or with lamtrace's when there is none.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def run_one(name: str, path: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "contenders.py"), name, path], stdout=subprocess.PIPE, env=env
    )
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        return {"name": name, "error": f"exit {proc.returncode}"}
    return {
        "name": name,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "result": json.loads(stdout),
    }


def agreement(reference: dict, other: dict) -> str:
    """How the contender's per-function numbers differ from lamtrace's (counts exact, percentiles to 0.01 ms)."""
    diffs = []
    for function, ref in reference.items():
        got = other.get(function)
        if got is None:
            diffs.append(f"{function}: missing")
            continue
        for key, value in ref.items():
            if key in ("p50", "p90", "p99", "max"):
                if value is not None and abs(value - got[key]) > 0.01:
                    diffs.append(f"{function} {key} {got[key]:.2f} vs {value:.2f}")
            elif value != got[key]:
                diffs.append(f"{function} {key} {got[key]} vs {value}")
    return (
        "same numbers"
        if not diffs
        else "; ".join(diffs[:4]) + (f" (+{len(diffs) - 4})" if len(diffs) > 4 else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("--contenders", default="lamtrace,duckdb,duckdb_careful,pandas,orjson")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    size = os.path.getsize(args.input)
    print(f"input {args.input}: {size / 1e9:.2f} GB; cores {os.cpu_count()}; load {os.getloadavg()}")
    results = [run_one(name, args.input) for name in args.contenders.split(",")]
    truth = Path(args.input + ".truth.json")
    if truth.exists():
        reference, against = json.loads(truth.read_text()), "the truth"
    else:
        reference = next((r["result"] for r in results if r["name"] == "lamtrace" and "result" in r), None)
        against = "lamtrace"
    print(
        f"{'contender':10} {'wall s':>7} {'cpu s':>7} {'peak RSS MB':>12} {'load':>11}  agreement with {against}"
    )
    for r in results:
        if "error" in r:
            print(f"{r['name']:10} {r['error']}")
            continue
        r["agreement"] = (
            agreement(reference, r["result"]) if reference and r["result"] is not reference else ""
        )
        print(
            f"{r['name']:10} {r['wall_s']:7.2f} {r['cpu_s']:7.2f} {r['peak_rss_mb']:12} "
            f"{r['load_before']:5.2f}/{r['load_after']:<5.2f}  {r['agreement']}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=float))


if __name__ == "__main__":
    main()
