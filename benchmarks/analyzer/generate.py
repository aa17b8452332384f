"""Generate realistic raw log events (docs/schema.md JSON lines) for the analyzer benchmark.

    python benchmarks/analyzer/generate.py --invocations 100000 --out /tmp/bench-100k.jsonl

Ten functions, half in Lambda's Text log format and half in its JSON format; execution environments that live for
a few hundred invocations (cold starts ~1 %), ~2 % unhandled errors (Python tracebacks / JSON errorType records),
~0.5 % timeouts (Status: timeout, some with the old trailing "Task timed out" line), ~1 % async retries reusing
the request id, and 2–4 application lines per invocation (runtime prefix, Powertools, lamtrace records).
About 6 events and 3 kB of JSON lines per invocation. Deterministic for a given seed.

``--messy`` adds what real pulls contain (docs/benchmarks-analyzer.md, "Messy workload"): ~2 % of events delivered twice
(overlapping pulls: the same event id), older Text-format REPORTs without ``Status:`` (failures visible only in the
traceback or the trailing ``Task timed out`` line), and provisioned-concurrency environments (INIT_START long before
the first invocation, no Init Duration in its REPORT). Either way the true per-function numbers are written beside
the output (``OUT.truth.json``) for ``run.py`` to check every contender against.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from datetime import datetime, timezone

from contenders import new_row, summarise  # beside this file: on the path when run as a script

FUNCTIONS = [f"bench-fn-{i}" for i in range(10)]
START_MS = 1_795_000_000_000  # 2026-11-18


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Environment:
    def __init__(
        self, rng: random.Random, function: str, json_format: bool, t: int, messy: bool = False
    ) -> None:
        self.function = function
        self.json_format = json_format
        self.stream = f"2026/11/18/[$LATEST]{rng.getrandbits(128):032x}"
        self.remaining = rng.randint(100, 900)
        self.fresh = True
        self.t = t
        # messy only: a provisioned environment, and Text-format REPORTs of the years before Status:
        self.provisioned = messy and rng.random() < 0.2
        self.old_report = messy and not json_format and rng.random() < 0.5


class Generator:
    def __init__(self, seed: int, messy: bool = False) -> None:
        self.rng = random.Random(seed)
        self.messy = messy
        self.event_seq = 10**55
        self.lines: list[str] = []
        self.truth: dict[str, dict] = {}

    def emit(self, env: Environment, ts: int, message: str) -> None:
        self.event_seq += self.rng.randint(1, 10**6)
        self.lines.append(
            json.dumps(
                {
                    "log_group": f"/aws/lambda/{env.function}",
                    "log_stream": env.stream,
                    "timestamp": ts,
                    "message": message,
                    "event_id": str(self.event_seq),
                    "ingestion_time": ts + self.rng.randint(100, 5000),
                },
                separators=(",", ":"),
            )
        )
        if self.messy and self.rng.random() < 0.02:  # an overlapping pull delivers it again
            self.lines.append(self.lines[-1])

    def record_truth(self, env: Environment, rid: str, duration: float, outcome: str, cold: bool) -> None:
        row = self.truth.setdefault(f"/aws/lambda/{env.function}", new_row())
        row["durations"].append(duration)
        row["ids"].add(rid)
        row["errors"] += outcome == "error"
        row["timeouts"] += outcome == "timeout"
        row["cold"] += cold

    def platform(self, env: Environment, ts: int, kind: str, **f: object) -> None:
        """One platform record in the environment's log format."""
        if env.json_format:
            record: dict = {"time": iso(ts), "type": f"platform.{kind}", "record": f}
            self.emit(env, ts, json.dumps(record, separators=(",", ":")))
            return
        rid = f.get("requestId")
        if kind == "initStart":
            text = (
                "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:"
                + "ab" * 32
                + "\n"
            )
        elif kind == "start":
            text = f"START RequestId: {rid} Version: $LATEST\n"
        elif kind == "end":
            text = f"END RequestId: {rid}\n"
        else:
            m = f["metrics"]
            text = (
                f"REPORT RequestId: {rid}\tDuration: {m['durationMs']:.2f} ms\tBilled Duration: {m['billedDurationMs']} ms\t"
                f"Memory Size: {m['memorySizeMB']} MB\tMax Memory Used: {m['maxMemoryUsedMB']} MB\t"
            )
            if "initDurationMs" in m:
                text += f"Init Duration: {m['initDurationMs']:.2f} ms\t"
            if f.get("status") in ("error", "timeout"):
                text += f"Status: {f['status']}\t" + (
                    f"Error Type: {f['errorType']}\t" if "errorType" in f else ""
                )
            if "trace" in f:
                text += f"\nXRAY TraceId: {f['trace']}\tSegmentId: {self.rng.getrandbits(64):016x}\tSampled: true\t"
            text += "\n"
        self.emit(env, ts, text)

    def app_line(self, env: Environment, ts: int, rid: str, level: str, text: str, trace: str) -> None:
        style = self.rng.random()
        if env.json_format:
            msg = {"timestamp": iso(ts), "level": level, "message": text, "logger": "root", "requestId": rid}
            self.emit(env, ts, json.dumps(msg, separators=(",", ":")))
        elif style < 0.5:
            self.emit(env, ts, f"[{level}]\t{iso(ts)}\t{rid}\t{text}\n")
        else:  # Powertools Logger
            line = {
                "level": level,
                "location": "handler:42",
                "message": text,
                "timestamp": iso(ts).replace("T", " ").replace("Z", "+0000"),
                "service": "orders",
                "cold_start": env.fresh,
                "function_name": env.function,
                "function_memory_size": "512",
                "function_arn": f"arn:aws:lambda:eu-west-1:123456789012:function:{env.function}",
                "function_request_id": rid,
                "xray_trace_id": trace,
            }
            self.emit(env, ts, json.dumps(line, separators=(",", ":")) + "\n")

    def invocation(self, env: Environment, rid: str, retry_of_timeout: bool = False) -> str:
        """One attempt; returns its outcome."""
        rng = self.rng
        t = env.t + rng.randint(5, 2000)
        cold = env.fresh
        init_ms = rng.uniform(150, 900) if cold and not env.provisioned else None
        if cold and env.provisioned:  # initialised minutes ahead; the REPORT has no Init Duration
            self.platform(
                env, t - 600_000, "initStart", initializationType="provisioned-concurrency", phase="init"
            )
        elif cold:
            self.platform(env, t, "initStart", initializationType="on-demand", phase="init")
            t += int(init_ms)
        trace = f"1-{t // 1000:08x}-{rng.getrandbits(96):024x}"
        self.platform(env, t, "start", requestId=rid, version="$LATEST")
        r = rng.random()
        outcome = "timeout" if r < 0.005 else "error" if r < 0.025 else "success"
        duration = 3000 + rng.uniform(0, 5) if outcome == "timeout" else rng.lognormvariate(4.0, 0.8)
        for _ in range(rng.randint(2, 4)):
            level = "WARNING" if rng.random() < 0.05 else "INFO"
            self.app_line(
                env,
                t + rng.randint(0, int(duration)),
                rid,
                level,
                f"processed order {rng.getrandbits(40)} items={rng.randint(1, 9)} total={rng.uniform(1, 500):.2f}",
                trace,
            )
        end = t + int(duration) + 1
        if outcome == "error":
            if env.json_format:
                err = {
                    "timestamp": iso(end),
                    "log_level": "ERROR",
                    "errorMessage": "'id'",
                    "errorType": "KeyError",
                    "requestId": rid,
                    "stackTrace": ['  File "/var/task/app.py", line 9, in handler\n'],
                }
                self.emit(env, end - 1, json.dumps(err, separators=(",", ":")))
            else:
                self.emit(
                    env,
                    end - 1,
                    "[ERROR] KeyError: 'id'\nTraceback (most recent call last):\n\u00a0\u00a0File \"/var/task/app.py\", line 9, in handler",
                )
        metrics = {
            "durationMs": round(duration, 2),
            "billedDurationMs": int(duration) + 1,
            "memorySizeMB": 512,
            "maxMemoryUsedMB": rng.randint(60, 200),
        }
        if init_ms is not None:
            metrics["initDurationMs"] = round(init_ms, 2)
        report: dict = {
            "requestId": rid,
            "metrics": metrics,
            "status": "success" if outcome == "success" else outcome,
        }
        if outcome == "error":
            report["errorType"] = "KeyError" if env.json_format else "Runtime.Unknown"
        if rng.random() < 0.1:
            report["trace"] = trace
        if env.old_report:
            report.pop("status")
            report.pop("errorType", None)
        if not env.json_format:
            self.platform(env, end, "end", requestId=rid)
        self.platform(env, end, "report", **report)
        if outcome == "timeout" and not env.json_format and (env.old_report or rng.random() < 0.5):
            self.emit(env, end, f"{iso(end - 1)} {rid} Task timed out after 3.00 seconds\n\n")
        self.record_truth(env, rid, metrics["durationMs"], outcome, cold)
        env.t = end
        env.fresh = False
        return outcome


def generate(invocations: int, out: str, seed: int = 7, messy: bool = False) -> dict[str, int]:
    g = Generator(seed, messy)
    envs: list[Environment] = []
    counts = {"invocations": 0, "attempts": 0, "events": 0}
    t = START_MS
    with open(out, "w", encoding="utf-8") as handle:
        while counts["invocations"] < invocations:
            if not envs or g.rng.random() < 0.003:
                fn = g.rng.choice(FUNCTIONS)
                envs.append(Environment(g.rng, fn, FUNCTIONS.index(fn) % 2 == 1, t, messy))
            env = g.rng.choice(envs)
            t = max(t, env.t)
            rid = str(uuid.UUID(int=g.rng.getrandbits(128), version=4))
            outcome = g.invocation(env, rid)
            counts["invocations"] += 1
            counts["attempts"] += 1
            if outcome != "success" and g.rng.random() < 0.5:  # async retry, same request id
                other = g.rng.choice([e for e in envs if e.function == env.function])
                g.invocation(other, rid)
                counts["attempts"] += 1
            env.remaining -= 1
            if env.remaining <= 0:
                envs.remove(env)
            if len(g.lines) > 20000:
                counts["events"] += len(g.lines)
                handle.write("\n".join(g.lines) + "\n")
                g.lines = []
        counts["events"] += len(g.lines)
        handle.write("\n".join(g.lines) + "\n")
    with open(out + ".truth.json", "w", encoding="utf-8") as handle:
        json.dump(summarise(g.truth), handle, indent=1)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=100_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--messy", action="store_true", help="duplicates, REPORTs without Status, provisioned starts"
    )
    args = parser.parse_args()
    print(json.dumps(generate(args.invocations, args.out, args.seed, args.messy)))


if __name__ == "__main__":
    main()
