"""The handlers compared by ``run.py``; run as ``python variants.py NAME N REPEATS`` in a fresh process.

Each ``make_<name>()`` does what a function's module does at init (imports, configuration, decoration) and
returns the handler. Every handler writes one log line per invocation in its library's own way, except ``bare``.
The child prints one JSON object: init cost (imports + setup, in this fresh interpreter) and per-invocation time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EVENT_FILE = REPO / "tests" / "fixtures" / "events" / "api-gateway-http.json"
TRACE_HEADER = "Root=1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d;Parent=53995c3f42cd8ad8;Sampled=1"


def make_bare():
    def handler(event, context):
        return {"statusCode": 200}

    return handler


def make_handwritten_json():
    import json

    def handler(event, context):
        sys.stdout.write(
            json.dumps({"level": "INFO", "message": "order received", "request_id": context.aws_request_id})
            + "\n"
        )
        return {"statusCode": 200}

    return handler


def _lamtrace(tracing):
    import lamtrace

    log = lamtrace.get_logger("bench")

    @lamtrace.instrument(tracing=tracing)
    def handler(event, context):
        log.info("order received")
        return {"statusCode": 200}

    return handler


def make_lamtrace_logs():
    return _lamtrace("none")


def make_lamtrace_xray():
    return _lamtrace("xray")


def make_lamtrace_otel():
    from opentelemetry import trace
    from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = TracerProvider(id_generator=AwsXRayIdGenerator())
    provider.add_span_processor(BatchSpanProcessor(InMemorySpanExporter()))
    trace.set_tracer_provider(provider)
    return _lamtrace("otel")


def make_powertools_logger():
    from aws_lambda_powertools import Logger

    logger = Logger(service="bench")

    @logger.inject_lambda_context
    def handler(event, context):
        logger.info("order received")
        return {"statusCode": 200}

    return handler


def make_powertools_all():
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.metrics import MetricUnit

    logger, tracer, metrics = (
        Logger(service="bench"),
        Tracer(service="bench"),
        Metrics(namespace="bench", service="bench"),
    )

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event, context):
        logger.info("order received")
        metrics.add_metric(name="Orders", unit=MetricUnit.Count, value=1)
        return {"statusCode": 200}

    return handler


def make_xray_sdk():
    import logging

    from aws_xray_sdk.core import xray_recorder

    logging.basicConfig(
        stream=sys.stdout, level=logging.INFO, format="[%(levelname)s]\t%(asctime)s\t%(message)s"
    )
    log = logging.getLogger("bench")

    @xray_recorder.capture("## handler")
    def handler(event, context):
        log.info("order received")
        return {"statusCode": 200}

    return handler


def make_otel_lambda_instrumentation():
    import logging

    from opentelemetry import trace
    from opentelemetry.instrumentation.aws_lambda import AwsLambdaInstrumentor
    from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    logging.basicConfig(
        stream=sys.stdout, level=logging.INFO, format="[%(levelname)s]\t%(asctime)s\t%(message)s"
    )
    provider = TracerProvider(id_generator=AwsXRayIdGenerator())
    provider.add_span_processor(BatchSpanProcessor(InMemorySpanExporter()))
    trace.set_tracer_provider(provider)
    os.environ["_HANDLER"] = "otel_target.handler"
    sys.path.insert(0, str(HERE))
    AwsLambdaInstrumentor().instrument()
    import otel_target

    return otel_target.handler


VARIANTS = {name[len("make_") :]: fn for name, fn in dict(globals()).items() if name.startswith("make_")}


def lambda_like_environment(daemon_port: int) -> dict[str, str]:
    """What Lambda's Python runtime sets (and what the peers look at to detect Lambda)."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "LAMBDA_TASK_ROOT": str(HERE),
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon_port}",
        "POWERTOOLS_METRICS_NAMESPACE": "bench",
        "OTEL_INSTRUMENTATION_AWS_LAMBDA_FLUSH_TIMEOUT": "500",
        "PYTHONPATH": str(REPO),
    }


def _context():
    from awslambdaric.lambda_context import LambdaContext

    deadline_ms = int((time.time() + 900) * 1000)
    return LambdaContext(
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        None,
        None,
        deadline_ms,
        "arn:aws:lambda:us-east-1:123456789012:function:bench",
    )


def measure(name: str, n: int, repeats: int, preload_runtime: bool) -> dict:
    """Init cost of ``name`` in this (fresh) interpreter, then its per-invocation time (best and median run)."""
    if preload_runtime:
        import awslambdaric.bootstrap  # noqa: F401 - what Lambda's runtime has imported before the function module
    started, started_cpu = time.perf_counter(), time.process_time()
    handler = VARIANTS[name]()
    init_ms, init_cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
    event = json.loads(EVENT_FILE.read_text())
    context = _context()
    real_stdout, sys.stdout = sys.stdout, open(os.devnull, "w")  # noqa: SIM115 - restored below
    try:
        first = time.process_time()
        handler(event, context)  # the cold start's first invocation: what was deferred until it runs
        first_call_cpu_ms = (time.process_time() - first) * 1000
        for _ in range(max(10, n // 10)):
            handler(event, context)
        wall, cpu = [], []
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            for _ in range(n):
                handler(event, context)
            cpu.append((time.process_time() - c) / n * 1e6)
            wall.append((time.perf_counter() - t) / n * 1e6)
    finally:
        sys.stdout.close()
        sys.stdout = real_stdout
    wall.sort()
    return {
        "variant": name,
        "init_ms": init_ms,
        "init_cpu_ms": init_cpu_ms,
        "first_call_cpu_ms": first_call_cpu_ms,
        "cpu_us": min(cpu),  # CPU time of the whole process (background threads included), best run
        "per_invocation_us": wall[0],
        "per_invocation_median_us": wall[len(wall) // 2],
    }


if __name__ == "__main__":
    variant, n, repeats, preload = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
    print(json.dumps(measure(variant, n, repeats, preload)))
