"""The handler module the OpenTelemetry Lambda instrumentation wraps (it patches ``_HANDLER``'s module)."""

import logging

log = logging.getLogger("bench")


def handler(event, context):
    log.info("order received")
    return {"statusCode": 200}
