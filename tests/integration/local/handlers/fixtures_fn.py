"""Handlers for the lamtrace.local integration tests (run under the real awslambdaric)."""

import json
import logging
import os
import sys
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("module imported")

LAMBDA_VARIABLES = (
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_FORMAT",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "LAMBDA_TASK_ROOT",
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_XRAY_DAEMON_ADDRESS",
    "CUSTOM",
)


def echo(event, context):
    logger.info("got %s", json.dumps(event))
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "memory": context.memory_limit_in_mb,
        "client_context": context.client_context.custom if context.client_context else None,
        "env": {name: os.environ.get(name) for name in LAMBDA_VARIABLES},
        "pid": os.getpid(),
    }


def fail(event, context):
    print("about to fail")
    raise ValueError(event.get("message", "bad input"))


def sleep(event, context):
    print("sleeping", event["seconds"])
    time.sleep(event["seconds"])
    return "woke"


def exit_hard(event, context):
    print("exiting")
    sys.stdout.flush()
    os._exit(event.get("code", 1))


def hog(event, context):
    blob = bytearray(event["mb"] * 1024 * 1024)
    for i in range(0, len(blob), 4096):
        blob[i] = 1
    time.sleep(event.get("hold", 1.0))
    return len(blob)


def partial(event, context):
    print("no newline", end="")
    return None
