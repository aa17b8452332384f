"""Import cost and per-invocation overhead of lamtrace and its peers, side by side.

    PYTHONPATH=$PWD python benchmarks/wrapper/run.py [--n 20000] [--repeats 7] [--processes 7] [--timed-runs 3]
        [--only a,b] [--out FILE]

For every variant in ``variants.py``, each measured in its own fresh interpreter:

* ``import ms, fresh``: imports + setup + decoration, timed in-process in a fresh interpreter;
* ``first call ms``: the first invocation in that interpreter (what a library defers until then: threads, sockets,
  backend imports — part of every cold start);
* ``import ms, after runtime``: the same once awslambdaric's bootstrap (json, logging, http client ...) is imported,
  as in Lambda's Python runtime, where the function module is imported after the runtime;
* ``process ms``: whole-process cost of ``python -c <setup>`` minus that of an interpreter doing nothing (median of
  ``--processes`` runs): what a cold start pays, interpreter effects included;
* ``wall µs/inv``: time per invocation of the handler (awslambdaric's LambdaContext, an API Gateway HTTP event, stdout
  to /dev/null), best of ``--repeats`` runs of ``--n``; ``CPU µs/inv``: the process's CPU time per invocation (all its
  threads, so background exporters count), best run — steadier than wall time on a shared machine;
  ``overhead`` = each minus the bare handler's. The timed child runs ``--timed-runs`` times per variant, the variants
  taking turns, and the best run counts: on this shared 2-vCPU machine a process can spend its whole life on a vCPU
  that runs the same code 1.5x slower than the other one (measured with the handler pinned to each), so one process
  per variant decides more by luck than by code.

The table shows CPU time (``time.process_time`` in-process, the kernel's child accounting for whole processes): on a
machine shared with other work it is far steadier than wall time, which the JSON file also holds.

Tracing variants send to a bound local UDP socket (nobody reads it: datagrams are dropped by the kernel, as with a
daemon that is not listening); OTel variants export into memory through a BatchSpanProcessor, flushed per invocation.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from variants import VARIANTS, lambda_like_environment  # noqa: E402


def _child(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "variants.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"variant {args[0]} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _process_ms(env: dict[str, str], code: str, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system, from the kernel's child accounting) of ``python -c``."""
    wall, cpu = [], []
    for _ in range(runs):
        before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, timeout=300)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure_all(names: list[str], n: int, repeats: int, processes: int, timed_runs: int = 3) -> dict:
    """Run every variant; returns the rows and the conditions they were measured in."""
    # Installed packages come with bytecode (pip compiles them); a source checkout may not have it, or have it stale
    # (PYTHONDONTWRITEBYTECODE), and compiling on import would be billed to lamtrace. Compile first, as a layer ships.
    compileall.compile_dir(str(HERE.parents[1] / "lamtrace"), quiet=1)
    compileall.compile_dir(str(HERE), quiet=1)
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMTRACE_", "POWERTOOLS_"))}}
    env.update(lambda_like_environment(daemon.getsockname()[1]))
    load_before = os.getloadavg()
    prelude = f"import sys; sys.path.insert(0, {str(HERE)!r}); import variants"
    baseline_wall, baseline_cpu = _process_ms(env, prelude, processes)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(timed_runs):  # variants take turns, so each sees the machine in the same states
        for name in names:
            runs[name].append(_child(env, name, str(n), str(repeats), "1"))
    rows = []
    for name in names:
        fresh = _child(env, name, "1", "1", "0")
        timed = min(runs[name], key=lambda run: run["cpu_us"])
        wall_ms, cpu_ms = _process_ms(env, f"{prelude}; variants.VARIANTS[{name!r}]()", processes)
        rows.append({
            "variant": name,
            "init_ms": round(fresh["init_ms"], 2),
            "init_cpu_ms": round(fresh["init_cpu_ms"], 2),
            "first_call_cpu_ms": round(fresh["first_call_cpu_ms"], 2),
            "init_after_runtime_ms": round(timed["init_ms"], 2),
            "init_after_runtime_cpu_ms": round(timed["init_cpu_ms"], 2),
            "process_ms": round(wall_ms - baseline_wall, 1),
            "process_cpu_ms": round(cpu_ms - baseline_cpu, 1),
            "cpu_us": round(timed["cpu_us"], 2),
            "per_invocation_us": round(timed["per_invocation_us"], 2),
            "per_invocation_median_us": round(timed["per_invocation_median_us"], 2),
            "cpu_us_each_run": [round(run["cpu_us"], 2) for run in runs[name]],
        })  # fmt: skip
        print(f"  measured {name}", file=sys.stderr)
    daemon.close()
    bare = next((r for r in rows if r["variant"] == "bare"), None)
    for row in rows:
        row["overhead_us"] = round(row["per_invocation_us"] - (bare["per_invocation_us"] if bare else 0.0), 2)
        row["cpu_overhead_us"] = round(row["cpu_us"] - (bare["cpu_us"] if bare else 0.0), 2)
    return {
        "rows": rows,
        "n": n,
        "repeats": repeats,
        "processes": processes,
        "timed_runs": timed_runs,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def table(result: dict) -> str:
    """The rows as a Markdown table."""
    head = (
        "| variant | import ms, fresh | first call ms | import ms, after runtime | process ms | µs/invocation "
        "| overhead µs | wall µs/inv (best) | wall median |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        lines.append(
            f"| {r['variant']} | {r['init_cpu_ms']:.1f} | {r['first_call_cpu_ms']:.1f} | "
            f"{r['init_after_runtime_cpu_ms']:.1f} | {r['process_cpu_ms']:.0f} | "
            f"{r['cpu_us']:.1f} | {r['cpu_overhead_us']:.1f} | {r['per_invocation_us']:.1f} | {r['per_invocation_median_us']:.1f} |"
        )
    lines.append(
        f"\nn={result['n']} × {result['repeats']} repeats, best of {result['timed_runs']} timed processes, "
        f"{result['processes']} processes for the whole-process cost; Python {result['python']}, "
        f"{result['machine']}; load average before {result['loadavg_before']}, after {result['loadavg_after']}; {result['when']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="invocations per timed run")
    parser.add_argument(
        "--repeats", type=int, default=7, help="timed runs per variant (the best is reported)"
    )
    parser.add_argument(
        "--processes", type=int, default=7, help="process launches per variant for the whole-process cost"
    )
    parser.add_argument(
        "--timed-runs",
        type=int,
        default=3,
        help="timed processes per variant, taking turns (the best counts)",
    )
    parser.add_argument("--only", help="comma-separated variant names (default: all)")
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="JSON results file")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(VARIANTS)
    unknown = set(names) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))} (known: {', '.join(VARIANTS)})")
    result = measure_all(names, args.n, args.repeats, args.processes, args.timed_runs)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
