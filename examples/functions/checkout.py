"""A checkout API with the failure modes a report should explain, driven by the request body:

* ``{"items": []}`` → ``ValueError`` (an error);
* ``{"items": [...], "slow": 5}`` → sleeps 5 s (a timeout with the default 3 s);
* ``{"items": [...], "memory_mb": 300}`` → allocates 300 MB (out of memory at 256 MB with --enforce-memory).
"""

import json
import time

import lamtrace

log = lamtrace.get_logger(__name__)
PRICES = {"book": 12.5, "pen": 1.2, "lamp": 30.0}


@lamtrace.instrument
def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    items = body.get("items", [])
    if not items:
        raise ValueError("a checkout needs at least one item")
    if body.get("slow"):
        time.sleep(float(body["slow"]))
    if body.get("memory_mb"):
        ballast = bytearray(int(body["memory_mb"]) * 1024 * 1024)
        ballast[::4096] = b"\x01" * len(ballast[::4096])
        time.sleep(0.5)
    total = round(sum(PRICES.get(item, 0.0) for item in items), 2)
    log.info("checkout of %d items: %.2f", len(items), total)
    return {"statusCode": 200, "body": json.dumps({"total": total})}
