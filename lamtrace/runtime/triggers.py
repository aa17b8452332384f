"""Which event source invoked the function, and the event's own delivery key and attempt.

The delivery key is the id the source gives the event and keeps across redeliveries (SQS ``messageId``,
EventBridge ``id``, ...). Two invocation attempts with the same delivery key are the same event delivered twice;
the analyzer uses it to tell redeliveries (same key, new request id) from Lambda retries (same request id).

Pure: ``describe(event)`` reads the event and returns a ``Trigger``; it never raises on odd events.
"""

from __future__ import annotations

from lamtrace.runtime.values import Fields

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from typing import Any

API_GATEWAY_REST = "api-gateway-rest"
API_GATEWAY_HTTP = "api-gateway-http"
FUNCTION_URL = "function-url"
ALB = "alb"
SQS = "sqs"
SNS = "sns"
S3 = "s3"
EVENTBRIDGE = "eventbridge"
SCHEDULED = "scheduled"
KINESIS = "kinesis"
DYNAMODB_STREAMS = "dynamodb-streams"
DIRECT = "direct"


class Trigger(Fields):
    """What ``describe`` found. ``attempt`` is 1 when the source does not count deliveries."""

    __slots__ = ("name", "delivery_key", "attempt", "batch_size")

    def __init__(
        self, name: str, delivery_key: str | None = None, attempt: int = 1, batch_size: int | None = None
    ) -> None:
        self.name, self.delivery_key, self.attempt, self.batch_size = name, delivery_key, attempt, batch_size


def _get(mapping: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _record(records: list[Any], first: dict[str, Any]) -> Trigger | None:
    """A batch of ``Records`` from SQS, SNS, S3, Kinesis or DynamoDB Streams (keyed by the first record)."""
    source = first.get("eventSource") or first.get("EventSource")
    size = len(records)
    if source == "aws:sqs":
        try:
            attempt = int(_get(first, "attributes", "ApproximateReceiveCount") or 1)
        except (TypeError, ValueError):
            attempt = 1
        return Trigger(SQS, first.get("messageId"), attempt, size)
    if source == "aws:sns":
        return Trigger(SNS, _get(first, "Sns", "MessageId"), 1, size)
    if source == "aws:s3":
        s3 = first.get("s3") or {}
        bucket, key, sequencer = (
            _get(s3, "bucket", "name"),
            _get(s3, "object", "key"),
            _get(s3, "object", "sequencer"),
        )
        # The sequencer orders events of one object key only, so the key names the object too.
        delivery = f"{bucket}/{key}@{sequencer}" if sequencer else None
        return Trigger(S3, delivery, 1, size)
    if source == "aws:kinesis":
        return Trigger(KINESIS, first.get("eventID"), 1, size)
    if source == "aws:dynamodb":
        return Trigger(DYNAMODB_STREAMS, first.get("eventID"), 1, size)
    return None


def _http(event: dict[str, Any], context: dict[str, Any]) -> Trigger | None:
    if "elb" in context:
        headers = event.get("headers") or event.get("multiValueHeaders") or {}
        trace = headers.get("x-amzn-trace-id")
        return Trigger(ALB, trace[0] if isinstance(trace, list) and trace else trace)
    request_id = context.get("requestId")
    if event.get("version") == "2.0" or "http" in context:
        domain = context.get("domainName") or ""
        return Trigger(FUNCTION_URL if ".lambda-url." in domain else API_GATEWAY_HTTP, request_id)
    if "httpMethod" in event or "resourceId" in context or "stage" in context:
        return Trigger(API_GATEWAY_REST, request_id)
    return None


def describe(event: Any) -> Trigger:
    """The trigger of ``event``; ``direct`` (no delivery key) for anything unrecognised."""
    if not isinstance(event, dict):
        return Trigger(DIRECT)
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        found = _record(records, records[0])
        if found:
            return found
    context = event.get("requestContext")
    if isinstance(context, dict):
        found = _http(event, context)
        if found:
            return found
    if "detail-type" in event and "source" in event:
        name = SCHEDULED if event.get("detail-type") == "Scheduled Event" else EVENTBRIDGE
        return Trigger(name, event.get("id"))
    return Trigger(DIRECT)


# OpenTelemetry FaaS semantic convention values of ``faas.trigger``.
FAAS_TRIGGER = {
    API_GATEWAY_REST: "http",
    API_GATEWAY_HTTP: "http",
    FUNCTION_URL: "http",
    ALB: "http",
    SQS: "pubsub",
    SNS: "pubsub",
    EVENTBRIDGE: "pubsub",
    KINESIS: "pubsub",
    S3: "datasource",
    DYNAMODB_STREAMS: "datasource",
    SCHEDULED: "timer",
    DIRECT: "other",
}
