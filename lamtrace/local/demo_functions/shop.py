"""A small shop, as instrumented Lambda handlers. Failures are driven by the event, so a scenario knows what happens.

* ``api``: API Gateway (REST) proxy handler, ``GET /orders/{id}``; id ``bad`` raises ``ValueError``, unknown ids 404.
* ``report``: a slow job; sleeps ``work_s`` seconds (longer than the timeout: a timeout, with lamtrace's warning).
* ``notify``: invoked asynchronously; fails its first ``fail_attempts`` attempts of a request (Lambda retries it with
  the same request id), counting attempts in ``DEMO_STATE_DIR``.
* ``worker``: SQS batches; a record ``{"fail_until": n}`` fails while its ApproximateReceiveCount <= n (partial batch
  response).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import lamtrace

log = lamtrace.get_logger(__name__)
ORDERS = {
    str(i): {"id": str(i), "total": 10 * i, "status": "shipped" if i % 3 else "pending"} for i in range(1, 50)
}


@lamtrace.instrument(service="shop", tracing="xray")
def api(event, context):
    order_id = (event.get("pathParameters") or {}).get("id", "")
    log.info("GET /orders/%s", order_id)
    with lamtrace.span("load order", table="orders"):
        time.sleep(0.005)
        if order_id == "bad":
            raise ValueError(f"invalid order id {order_id!r}")
        order = ORDERS.get(order_id)
    if order is None:
        log.warning("order not found", order_id=order_id)
        return {"statusCode": 404, "body": json.dumps({"message": "not found"})}
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(order)}


@lamtrace.instrument(service="shop", timeout_warning_ms=200)
def report(event, context):
    work_s = float(event.get("work_s", 0.05))
    log.info("building report", day=event.get("day", "today"), work_s=work_s)
    time.sleep(work_s)
    return {"rows": int(work_s * 1000)}


@lamtrace.instrument(service="shop", tracing="xray")
def notify(event, context):
    state = Path(os.environ.get("DEMO_STATE_DIR", "/tmp")) / f"notify-{context.aws_request_id}"
    attempt = int(state.read_text()) + 1 if state.exists() else 1
    state.write_text(str(attempt))
    log.info("sending notification", kind=event.get("kind", "email"), attempt=attempt)
    with lamtrace.span("smtp send", relay="mail.example.com"):
        if attempt <= int(event.get("fail_attempts", 0)):
            raise ConnectionError("mail relay unavailable")
    return {"sent": True}


@lamtrace.instrument(service="shop")
def worker(event, context):
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        receive_count = int(record["attributes"]["ApproximateReceiveCount"])
        if int(body.get("fail_until", 0)) >= receive_count:
            log.error("job failed", job=body.get("job"), receive_count=receive_count)
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            log.info("job done", job=body.get("job"))
    return {"batchItemFailures": failures}
