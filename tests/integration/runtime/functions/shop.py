"""Handlers run under the real awslambdaric by the wrapper's integration tests (this folder is the task root)."""

import logging
import time

import lamtrace

log = lamtrace.get_logger("shop")
# An init-phase stdlib record: it goes through the runtime's own handler (lamtrace captures from the first invocation).
logging.getLogger("shop.init").warning("module loaded")


class OrderRejected(Exception):
    pass


@lamtrace.instrument(capture_logging=True)
def orders(event, context):
    log.info("order received", order_id=event.get("order_id"))
    logging.getLogger("botocore.retryhandler").warning("retry %d", 1, extra={"service": "dynamodb"})
    if event.get("reject"):
        raise OrderRejected(f"order {event.get('order_id')} rejected")
    return {"statusCode": 200, "body": event.get("order_id")}


def wait_for_payment_gateway(seconds):
    time.sleep(seconds)


@lamtrace.instrument(timeout_warning_ms=400)
def slow(event, context):
    wait_for_payment_gateway(event["sleep"])
    return "finished"


@lamtrace.instrument(tracing="xray")
def traced(event, context):
    with lamtrace.span("charge card", provider="test"):
        pass
    if event.get("fail"):
        raise RuntimeError("gateway down")
    return "traced"


@lamtrace.instrument(tracing="xray_sdk")
def traced_with_sdk(event, context):
    from aws_xray_sdk.core import xray_recorder

    with xray_recorder.in_subsegment("users own subsegment"), lamtrace.span("lamtrace span inside it"):
        pass
    return "sdk"
