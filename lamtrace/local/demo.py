"""Demo data: run a small, realistic shop on the local Lambda emulator and keep its telemetry.

``generate(out_dir)`` writes ``out_dir/logs/*.jsonl`` (raw CloudWatch events) and ``out_dir/traces/*.jsonl`` (raw
X-Ray documents) in a few seconds. The traffic covers what a report should show: cold and warm starts, idle reclaim,
a provisioned environment, an alias, handler errors, a timeout, asynchronous retries (one recovered, one exhausted),
SQS redelivery with a partial batch failure, both log formats, and some sampled traces.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

SHOP = "lamtrace.local.demo_functions.shop"

DEMO_SCENARIO: dict[str, Any] = {
    "time_scale": 0.002,  # 1 Lambda minute of waiting = 0.12 s
    "seed": 42,
    "functions": {
        "shop-api": {"handler": f"{SHOP}.api", "memory_mb": 256, "tracing": "Active", "sample_rate": 0.3,
                     "idle_timeout_s": 600, "aliases": {"live": 1}},
        "shop-report": {"handler": f"{SHOP}.report", "timeout_s": 1, "memory_mb": 512, "provisioned": 1},
        "shop-notify": {"handler": f"{SHOP}.notify", "tracing": "Active", "sample_rate": 1.0},
        "shop-worker": {"handler": f"{SHOP}.worker", "log_format": "JSON"},
    },
    "queues": {
        "shop-jobs": {"function": "shop-worker", "batch_size": 5, "visibility_timeout_s": 600, "max_receive_count": 3,
                      "report_batch_item_failures": True},
    },
    "traffic": [
        {"invoke": "shop-api", "count": 24, "concurrency": 2,
         "events": [*({"pathParameters": {"id": str(i)}} for i in range(1, 11)), {"pathParameters": {"id": "bad"}},
                    {"pathParameters": {"id": "999"}}]},
        {"invoke": "shop-api", "qualifier": "live", "count": 5, "event": {"pathParameters": {"id": "7"}}},
        {"invoke": "shop-report", "events": [{"work_s": 0.05}, {"work_s": 1.5}, {"work_s": 0.05}, {"work_s": 0.1}]},
        {"invoke": "shop-notify", "invocation_type": "Event",
         "events": [{"kind": "email"}, {"kind": "sms", "fail_attempts": 1}, {"kind": "push", "fail_attempts": 9},
                    {"kind": "email"}]},
        {"send": "shop-jobs", "messages": [{"job": f"job-{i}", "fail_until": 1 if i == 3 else 0} for i in range(12)]},
        {"drain": "shop-jobs"},
        {"wait": 900},  # the api's environments sit idle past their reclaim time...
        {"invoke": "shop-api", "count": 6, "event": {"pathParameters": {"id": "3"}}},  # ...so this starts cold
    ],
}  # fmt: skip


def run_demo(out_dir: str | Path) -> dict[str, Any]:
    """Run the demo scenario into ``out_dir``; returns the run's summary (what really happened)."""
    from lamtrace.local.scenario import run_scenario

    scenario = copy.deepcopy(DEMO_SCENARIO)
    state = tempfile.mkdtemp(prefix="lamtrace-demo-")
    try:
        scenario["functions"]["shop-notify"]["env"] = {"DEMO_STATE_DIR": state}
        return run_scenario(scenario, out_dir)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def generate(out_dir: str | Path) -> Path:
    """Write demo telemetry (raw log events and trace documents) under ``out_dir``; returns it as a Path."""
    run_demo(out_dir)
    return Path(out_dir)
