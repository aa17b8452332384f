"""Trigger, delivery key and attempt of real-shaped events (tests/fixtures/events/)."""

from __future__ import annotations

import json

import pytest

from lamtrace import records as R
from lamtrace.runtime.triggers import FAAS_TRIGGER, Trigger, describe
from tests.conftest import FIXTURES

EXPECTED = {
    "api-gateway-rest": Trigger("api-gateway-rest", "c8a1d7f0-3b9e-4f59-9d2a-5e0f7d6c1b2a"),
    "api-gateway-http": Trigger("api-gateway-http", "Cd7xmplEFiAEJ9g="),
    "function-url": Trigger("function-url", "2f0e5c1a-8d7b-4c3e-9a6f-0b1c2d3e4f50"),
    "alb": Trigger("alb", "Root=1-6747e1b3-7d6c5b4a39281706f5e4d3c2"),
    "sqs": Trigger("sqs", "059f36b4-87a3-44ab-83d2-661975830a7d", 3, 2),
    "sns": Trigger("sns", "95df01b4-ee98-5cb9-9903-4c221d41eb5e", 1, 1),
    "s3": Trigger("s3", "orders-uploads/invoices/2026/11/o-1004.pdf@0067484C4A1F7B9A2C", 1, 1),
    "eventbridge": Trigger("eventbridge", "fe8d3c65-xmpl-c5c3-1c2e-0a8f5e1d7b4a"),
    "scheduled": Trigger("scheduled", "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa"),
    "kinesis": Trigger(
        "kinesis", "shardId-000000000006:49590338271490256608559692538361571095921575989136588898", 1, 2
    ),
    "dynamodb-streams": Trigger("dynamodb-streams", "c4ca4238a0b923820dcc509a6f75849b", 1, 1),
    "direct": Trigger("direct"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_events(name: str) -> None:
    event = json.loads((FIXTURES / "events" / f"{name}.json").read_text())
    assert describe(event) == EXPECTED[name]


def test_every_trigger_name_is_in_the_record_schema() -> None:
    assert {t.name for t in EXPECTED.values()} == set(R.TRIGGERS) == set(FAAS_TRIGGER)


@pytest.mark.parametrize(
    "event",
    [None, [], "text", 42, {}, {"Records": []}, {"Records": ["x"]}, {"Records": [{"eventSource": "aws:unknown"}]},
     {"requestContext": "not a dict"}, {"requestContext": {}}, {"Records": [{"eventSource": "aws:sqs"}]},
     {"Records": [{"eventSource": "aws:sqs", "attributes": {"ApproximateReceiveCount": "many"}}]},
     {"Records": [{"eventSource": "aws:s3", "s3": None}]}],
)  # fmt: skip
def test_odd_events_never_raise(event) -> None:
    found = describe(event)
    assert found.name in R.TRIGGERS and found.attempt >= 1


def test_sqs_message_without_receive_count_is_attempt_one() -> None:
    assert describe({"Records": [{"eventSource": "aws:sqs", "messageId": "m"}]}) == Trigger("sqs", "m", 1, 1)
