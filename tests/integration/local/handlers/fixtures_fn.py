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


def sqs_batch(event, context):
    """Fails the records whose body says so (partial batch response), or the whole batch."""
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        print("record", record["messageId"], "receive", record["attributes"]["ApproximateReceiveCount"])
        if body.get("fail_batch"):
            raise RuntimeError("batch failed")
        if body.get("fail_until", 0) >= int(record["attributes"]["ApproximateReceiveCount"]):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def flaky(event, context):
    """Fails on its first `fail_times` runs in this environment (async retry tests)."""
    global _runs
    _runs = globals().get("_runs", 0) + 1
    if _runs <= event.get("fail_times", 0):
        raise RuntimeError(f"run {_runs} failed")
    return {"runs": _runs}


def traced(event, context):
    """Records a subsegment with the real aws-xray-sdk (Lambda mode: it sends it to AWS_XRAY_DAEMON_ADDRESS)."""
    from aws_xray_sdk.core import xray_recorder

    with xray_recorder.in_subsegment("load-order") as subsegment:
        subsegment.put_annotation("order_id", str(event.get("order_id")))
        with xray_recorder.in_subsegment("inner"):
            time.sleep(0.01)
    if event.get("fail"):
        raise KeyError("missing")
    return "ok"


def put_item(event, context):
    """Writes to DynamoDB through boto3, traced by aws-xray-sdk's boto3 patch (a downstream `aws` subsegment)."""
    import boto3
    from aws_xray_sdk.core import patch

    patch(["botocore"])
    table = boto3.resource("dynamodb").Table(event["table"])
    table.put_item(Item={"pk": context.aws_request_id, "n": event.get("n", 0)})
    return "stored"
