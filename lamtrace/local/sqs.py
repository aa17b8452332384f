"""An SQS queue and Lambda's SQS event source mapping, on this machine.

The queue keeps SQS's delivery semantics: a received message is invisible for ``visibility_timeout_s``; unless it is
deleted it becomes visible again and is delivered again with ``ApproximateReceiveCount`` one higher; after
``max_receive_count`` receives (redrive policy) it moves to the dead-letter list instead.

The mapping polls like Lambda's pollers: batches of up to ``batch_size`` records in the real SQS event shape, invoked
synchronously (``trigger`` sqs). Success deletes the batch — except, with ``report_batch_item_failures``, the records
the function names in ``{"batchItemFailures": [{"itemIdentifier": <messageId>}]}``. A failed invocation deletes nothing.
Visibility timeouts are in Lambda seconds, scaled by the service's ``time_scale``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from lamtrace.local.function import Throttled
from lamtrace.local.service import LocalLambda


@dataclass
class Message:
    body: str
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sent: float = field(default_factory=time.time)
    receive_count: int = 0
    first_receive: float | None = None
    visible_at: float = 0.0
    attributes: dict[str, Any] = field(default_factory=dict)


class Queue:
    """An in-memory SQS standard queue with visibility timeout and a redrive policy."""

    def __init__(self, name: str, *, region: str = "us-east-1", account_id: str = "123456789012",
                 visibility_timeout_s: float = 30.0, max_receive_count: int | None = None) -> None:  # fmt: skip
        self.name = name
        self.arn = f"arn:aws:sqs:{region}:{account_id}:{name}"
        self.region = region
        self.account_id = account_id
        self.visibility_timeout_s = visibility_timeout_s
        self.max_receive_count = max_receive_count
        self.messages: dict[str, Message] = {}
        self.dead_letters: list[Message] = []
        self.deleted = 0
        self._lock = threading.Lock()

    def send(self, body: Any, attributes: dict[str, Any] | None = None) -> str:
        """Send a message (non-strings are JSON-encoded); returns its MessageId."""
        text = body if isinstance(body, str) else json.dumps(body)
        message = Message(text, attributes=attributes or {})
        with self._lock:
            self.messages[message.message_id] = message
        return message.message_id

    def receive(self, max_messages: int, visibility_s: float) -> list[Message]:
        """Take up to ``max_messages`` visible messages, hiding them for ``visibility_s`` real seconds."""
        now = time.time()
        batch = []
        with self._lock:
            for message in list(self.messages.values()):
                if len(batch) >= max_messages:
                    break
                if message.visible_at > now:
                    continue
                if self.max_receive_count and message.receive_count >= self.max_receive_count:
                    del self.messages[message.message_id]  # redrive: to the dead-letter queue
                    self.dead_letters.append(message)
                    continue
                message.receive_count += 1
                message.first_receive = message.first_receive or now
                message.visible_at = now + visibility_s
                batch.append(message)
        return batch

    def delete(self, message_ids: list[str]) -> None:
        with self._lock:
            for message_id in message_ids:
                if self.messages.pop(message_id, None):
                    self.deleted += 1

    def pending(self) -> int:
        """Messages not yet deleted or dead-lettered."""
        with self._lock:
            return len(self.messages)

    def next_visible(self) -> float | None:
        with self._lock:
            return min((m.visible_at for m in self.messages.values()), default=None)

    def record(self, message: Message) -> dict[str, Any]:
        """The message as a record of Lambda's SQS event."""
        return {
            "messageId": message.message_id,
            "receiptHandle": f"{message.message_id}#{message.receive_count}",
            "body": message.body,
            "attributes": {
                "ApproximateReceiveCount": str(message.receive_count),
                "SentTimestamp": str(int(message.sent * 1000)),
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": str(int((message.first_receive or message.sent) * 1000)),
            },
            "messageAttributes": message.attributes,
            "md5OfBody": hashlib.md5(message.body.encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": self.region,
        }


def failed_item_ids(response: Any, batch_ids: list[str]) -> list[str] | None:
    """The messageIds a ``batchItemFailures`` response names; None when the response is not a valid one
    (Lambda then treats the whole batch as failed)."""
    if not isinstance(response, dict) or "batchItemFailures" not in response:
        return []
    failures = response["batchItemFailures"]
    if not isinstance(failures, list):
        return None
    ids = []
    for item in failures:
        item_id = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not item_id or item_id not in batch_ids:
            return None
        ids.append(item_id)
    return ids


class EventSourceMapping:
    """Polls a ``Queue`` and invokes a function with batches until the queue is drained (``run``)."""

    def __init__(self, service: LocalLambda, function: str, queue: Queue, *, batch_size: int = 10,
                 report_batch_item_failures: bool = False, pollers: int = 1, qualifier: str | None = None) -> None:  # fmt: skip
        self.service = service
        self.function = function
        self.queue = queue
        self.batch_size = batch_size
        self.report_batch_item_failures = report_batch_item_failures
        self.pollers = pollers
        self.qualifier = qualifier
        self.batches = 0
        self.failed_batches = 0

    def poll_once(self) -> bool:
        """Receive one batch and invoke the function with it; False when nothing was visible."""
        visibility = self.queue.visibility_timeout_s * self.service.time_scale
        messages = self.queue.receive(self.batch_size, visibility)
        if not messages:
            return False
        fn, arn = self.service.resolve(self.function, self.qualifier)
        event = {"Records": [self.queue.record(m) for m in messages]}
        ids = [m.message_id for m in messages]
        try:
            result = fn.invoke(
                event, invoked_arn=arn, trigger="sqs", delivery_key=ids[0],
                delivery_attempt=max(m.receive_count for m in messages),
            )  # fmt: skip
        except Throttled:
            return True  # messages become visible again after the timeout
        self.batches += 1
        if result.status != "success":
            self.failed_batches += 1
            return True
        failed = failed_item_ids(result.payload, ids) if self.report_batch_item_failures else []
        if failed is None:
            self.failed_batches += 1
            return True
        self.queue.delete([i for i in ids if i not in failed])
        return True

    def run(self, timeout_s: float = 600.0) -> None:
        """Poll with ``pollers`` threads until the queue holds no more messages (or ``timeout_s``)."""
        deadline = time.time() + timeout_s

        def poller() -> None:
            while self.queue.pending() and time.time() < deadline:
                if not self.poll_once():
                    next_visible = self.queue.next_visible()
                    time.sleep(min(max((next_visible or 0) - time.time(), 0.005), 0.05))

        threads = [threading.Thread(target=poller, name=f"sqs-poller-{i}") for i in range(self.pollers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
