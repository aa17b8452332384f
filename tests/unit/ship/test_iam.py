"""The small IAM evaluator behind `lamtrace doctor`'s role checks."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from lamtrace.ship.iam import ALLOWED, CONDITIONAL, DENIED, NOT_ALLOWED, evaluate, parse_document

STREAM = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:log-stream:2026/11/28/[$LATEST]abc"

# AWS's managed AWSLambdaBasicExecutionRole, as published.
BASIC = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
}


def _allow(action, resource, **extra):
    return {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": action, "Resource": resource, **extra},
    }


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (BASIC, ALLOWED),
        (
            _allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/orders:*"),
            ALLOWED,
        ),
        (_allow("LOGS:putlogevents", "*"), ALLOWED),  # action names are case-insensitive
        (_allow("logs:*", "arn:aws:logs:*:*:*"), ALLOWED),
        (_allow("logs:Put?ogEvents", "*"), ALLOWED),
        (
            _allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/other:*"),
            NOT_ALLOWED,
        ),
        (
            _allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/AWS/LAMBDA/ORDERS:*"),
            NOT_ALLOWED,
        ),
        (_allow("logs:CreateLogStream", "*"), NOT_ALLOWED),
        (_allow("*", "*", Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"}}), CONDITIONAL),
        ({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}, ALLOWED),
        ({"Statement": [{"Effect": "Allow", "NotAction": "logs:*", "Resource": "*"}]}, NOT_ALLOWED),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:logs:*"}]}, NOT_ALLOWED),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, NOT_ALLOWED),  # no Resource: invalid, ignored
        ({"Statement": []}, NOT_ALLOWED),
        ({}, NOT_ALLOWED),
    ],
)
def test_single_policy(policy, expected) -> None:
    assert evaluate([policy], "logs:PutLogEvents", STREAM) == expected


def test_explicit_deny_beats_allow_in_another_policy() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}
    assert evaluate([BASIC, deny], "logs:PutLogEvents", STREAM) == DENIED
    assert evaluate([BASIC, deny], "logs:CreateLogStream", STREAM) == ALLOWED


def test_conditional_deny_makes_an_allow_uncertain() -> None:
    deny = {
        "Statement": [
            {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"x": "true"}}}
        ]
    }
    assert evaluate([BASIC, deny], "logs:PutLogEvents", STREAM) == CONDITIONAL


def test_documents_may_be_url_encoded_json_text() -> None:
    encoded = urllib.parse.quote(json.dumps(BASIC))
    assert parse_document(encoded) == BASIC
    assert evaluate([encoded, json.dumps(BASIC)], "logs:PutLogEvents", STREAM) == ALLOWED


def test_brackets_and_dollars_in_resources_are_literal() -> None:
    exact = _allow("logs:PutLogEvents", STREAM)
    assert evaluate([exact], "logs:PutLogEvents", STREAM) == ALLOWED
    assert evaluate([exact], "logs:PutLogEvents", STREAM.replace("[$LATEST]", "L")) == NOT_ALLOWED
