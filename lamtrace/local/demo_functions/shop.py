"""A small shop, as Lambda handlers. Failures are driven by the event, so a scenario knows what will happen.

* ``api``: API Gateway (REST) proxy handler; ``GET /orders/{id}``; id ``bad`` raises ``ValueError``.
* ``report``: a slow job; sleeps ``work_s`` seconds (longer than the timeout: a timeout).
* ``notify``: invoked asynchronously; fails its first ``fail_attempts`` attempts of a request (Lambda retries it with
  the same request id), counting attempts in ``DEMO_STATE_DIR``.
* ``worker``: SQS batches; a record ``{"fail_until": n}`` fails while its ApproximateReceiveCount <= n (partial batch
  response).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

try:  # the lamtrace wrapper, when this lamtrace has it
    from lamtrace import instrument
except ImportError:  # pragma: no cover - older lamtrace

    def instrument(handler):
        return handler


try:  # subsegments for sampled invocations, when aws-xray-sdk is installed
    from aws_xray_sdk.core import xray_recorder
except ImportError:  # pragma: no cover
    xray_recorder = None

logger = logging.getLogger()
logger.setLevel(logging.INFO)
ORDERS = {
    str(i): {"id": str(i), "total": 10 * i, "status": "shipped" if i % 3 else "pending"} for i in range(1, 50)
}


def _traced(name: str):
    if xray_recorder is None or "Sampled=1" not in os.environ.get("_X_AMZN_TRACE_ID", ""):
        return _nothing()
    return xray_recorder.in_subsegment(name)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


@instrument
def api(event, context):
    order_id = (event.get("pathParameters") or {}).get("id", "")
    logger.info("GET /orders/%s", order_id)
    with _traced("load-order"):
        time.sleep(0.005)
        if order_id == "bad":
            raise ValueError(f"invalid order id {order_id!r}")
        order = ORDERS.get(order_id)
    if order is None:
        logger.warning("order %s not found", order_id)
        return {"statusCode": 404, "body": json.dumps({"message": "not found"})}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(order)}


@instrument
def report(event, context):
    work_s = float(event.get("work_s", 0.05))
    logger.info("building report for %s (%.2f s of work)", event.get("day", "today"), work_s)
    time.sleep(work_s)
    return {"rows": int(work_s * 1000)}


@instrument
def notify(event, context):
    state = Path(os.environ.get("DEMO_STATE_DIR", "/tmp")) / f"notify-{context.aws_request_id}"
    attempt = int(state.read_text()) + 1 if state.exists() else 1
    state.write_text(str(attempt))
    logger.info("sending %s notification (attempt %d)", event.get("kind", "email"), attempt)
    if attempt <= int(event.get("fail_attempts", 0)):
        raise ConnectionError("mail relay unavailable")
    return {"sent": True}


@instrument
def worker(event, context):
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        receive_count = int(record["attributes"]["ApproximateReceiveCount"])
        if int(body.get("fail_until", 0)) >= receive_count:
            logger.error("job %s failed (receive %d)", body.get("job"), receive_count)
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            logger.info("job %s done", body.get("job"))
    return {"batchItemFailures": failures}
