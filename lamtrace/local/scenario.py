"""Traffic scenarios: a file (JSON, or YAML with PyYAML) describing functions, queues and traffic, run locally.

::

    time_scale: 0.01            # waits (retry delays, visibility timeouts, idle time) run 100x faster
    seed: 7                     # X-Ray sampling decisions
    functions:
      orders:                   # function name
        handler: orders.handler # MODULE.FUNCTION, importable from `path` (relative to the scenario file)
        path: ../functions
        memory_mb: 256          # and any other FunctionConfig field: timeout_s, log_format, tracing, env, ...
        sample_rate: 0.5        # service options: provisioned, reserved_concurrency, idle_timeout_s, async
        async: {max_retry_attempts: 2, max_event_age_s: 21600}
        aliases: {live: 1}      # publish versions 1..n and point aliases at them
    queues:
      jobs: {function: worker, batch_size: 5, visibility_timeout_s: 30, max_receive_count: 3,
             report_batch_item_failures: true}
    traffic:                    # steps, in order
      - {invoke: orders, count: 20, concurrency: 2, rate: 10, event: {...}}   # or events: [...] (cycled);
                                                                            # rate: starts per real second
      - {invoke: orders, invocation_type: Event, qualifier: live, events: [...]}
      - {wait: 900}             # Lambda seconds
      - {send: jobs, messages: [...]}
      - {drain: jobs}           # poll until the queue is empty (also done for every queue at the end)

``run_scenario`` returns the run's summary (the ground truth: attempts, cold starts, retries, redeliveries, ...).
"""

from __future__ import annotations

import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lamtrace.errors import InputError, MissingExtraError
from lamtrace.local.config import FunctionConfig
from lamtrace.local.function import Throttled
from lamtrace.local.service import AsyncPolicy, LocalLambda
from lamtrace.local.sqs import EventSourceMapping, Queue

SERVICE_KEYS = {"provisioned", "reserved_concurrency", "idle_timeout_s", "sample_rate", "async", "aliases"}
QUEUE_KEYS = {
    "function",
    "batch_size",
    "visibility_timeout_s",
    "max_receive_count",
    "report_batch_item_failures",
    "pollers",
}


def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read a scenario file (``.json``, or ``.yaml``/``.yml`` with PyYAML installed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read scenario {path}: {exc.strerror}") from None
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise MissingExtraError("local", "pyyaml") from None
        try:
            scenario = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML: {exc}") from None
    else:
        try:
            scenario = json.loads(text)
        except ValueError as exc:
            raise InputError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(scenario, dict) or not scenario.get("functions"):
        raise InputError(f"{path}: a scenario needs a 'functions' mapping")
    scenario.setdefault("base_dir", str(path.parent))
    return scenario


def _function_config(
    name: str, spec: dict[str, Any], base_dir: Path
) -> tuple[FunctionConfig, dict[str, Any]]:
    if not isinstance(spec, dict) or "handler" not in spec:
        raise InputError(f"function {name!r} needs a 'handler'")
    fields = {k: v for k, v in spec.items() if k not in SERVICE_KEYS}
    fields["path"] = str((base_dir / fields.get("path", ".")).resolve())
    try:
        config = FunctionConfig(name=name, **fields)
    except TypeError as exc:
        raise InputError(f"function {name!r}: {exc}") from None
    return config, {k: v for k, v in spec.items() if k in SERVICE_KEYS}


def _setup(service: LocalLambda, scenario: dict[str, Any]) -> dict[str, EventSourceMapping]:
    base_dir = Path(scenario.get("base_dir", "."))
    for name, spec in scenario["functions"].items():
        config, options = _function_config(name, spec, base_dir)
        service.create_function(
            config,
            provisioned=int(options.get("provisioned", 0)),
            reserved_concurrency=options.get("reserved_concurrency"),
            idle_timeout_s=float(options.get("idle_timeout_s", 600)),
            sample_rate=float(options.get("sample_rate", 1.0)),
            async_policy=AsyncPolicy(**options.get("async", {})),
        )
        for alias, version in (options.get("aliases") or {}).items():
            while str(version) not in service.functions[name]:
                service.publish_version(name)
            service.create_alias(name, alias, str(version))
    mappings = {}
    for name, spec in (scenario.get("queues") or {}).items():
        unknown = set(spec) - QUEUE_KEYS
        if unknown or "function" not in spec:
            raise InputError(f"queue {name!r}: needs 'function'; unknown keys {sorted(unknown)}")
        queue = Queue(name, visibility_timeout_s=float(spec.get("visibility_timeout_s", 30)),
                      max_receive_count=spec.get("max_receive_count"))  # fmt: skip
        mappings[name] = EventSourceMapping(
            service, spec["function"], queue, batch_size=int(spec.get("batch_size", 10)),
            report_batch_item_failures=bool(spec.get("report_batch_item_failures", False)),
            pollers=int(spec.get("pollers", 1)),
        )  # fmt: skip
    return mappings


def _invoke_step(service: LocalLambda, step: dict[str, Any]) -> None:
    name = step["invoke"]
    events = step.get("events") or [step.get("event", {})]
    count = int(step.get("count", len(events)))
    gap_s = 1.0 / float(step["rate"]) if step.get("rate") else 0.0  # real time, like handler durations
    invocation_type = step.get("invocation_type", "RequestResponse")

    def one(i: int) -> None:
        with contextlib.suppress(Throttled):  # counted by the function
            service.invoke(
                name,
                events[i % len(events)],
                qualifier=step.get("qualifier"),
                invocation_type=invocation_type,
            )

    with ThreadPoolExecutor(int(step.get("concurrency", 1))) as pool:
        for i in range(count):
            pool.submit(one, i)
            if gap_s:
                time.sleep(gap_s)


def run_scenario(scenario: dict[str, Any] | str | Path, out: str | Path) -> dict[str, Any]:
    """Run a scenario, writing logs and traces under ``out``; returns the summary of what ran."""
    if not isinstance(scenario, dict):
        scenario = load_scenario(scenario)
    service = LocalLambda(out, time_scale=float(scenario.get("time_scale", 0.01)), seed=scenario.get("seed"))
    mappings: dict[str, EventSourceMapping] = {}
    try:
        mappings = _setup(service, scenario)
        for step in scenario.get("traffic") or []:
            if "invoke" in step:
                _invoke_step(service, step)
            elif "wait" in step:
                service.wait_async()
                service.sleep(float(step["wait"]))
                service.reap_idle()
            elif "send" in step:
                queue = mappings[step["send"]].queue
                for message in step.get("messages") or []:
                    queue.send(message)
            elif "drain" in step:
                mappings[step["drain"]].run()
            else:
                raise InputError(f"unknown traffic step {step!r}")
        service.wait_async()
        for mapping in mappings.values():
            mapping.run()
    finally:
        summary = service.close()
    summary["dead_letters"] += sum(len(m.queue.dead_letters) for m in mappings.values())
    return summary
