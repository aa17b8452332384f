"""Sensitive keys are redacted at any depth; values and the caller's objects are otherwise untouched."""

from __future__ import annotations

from lamtrace.runtime.config import DEFAULT_REDACT_KEYS
from lamtrace.runtime.redact import Redactor


def test_default_keys_in_headers_cookies_and_nested_lists() -> None:
    redact = Redactor(DEFAULT_REDACT_KEYS)
    event = {
        "headers": {"Authorization": "Bearer x", "X-Api-Key": "k", "Cookie": "a=b", "Accept": "*/*"},
        "cookies": ["session=abc"],
        "body": {"user": "ana", "password": "p", "items": [{"card_token": "t", "sku": "A"}]},
        "client_secret": "s",
        "X-Amz-Security-Token": "tok",
    }
    assert redact(event) == {
        "headers": {"Authorization": "***", "X-Api-Key": "***", "Cookie": "***", "Accept": "*/*"},
        "cookies": "***",
        "body": {"user": "ana", "password": "***", "items": [{"card_token": "***", "sku": "A"}]},
        "client_secret": "***",
        "X-Amz-Security-Token": "***",
    }
    assert event["headers"]["Authorization"] == "Bearer x"


def test_configured_keys_and_non_string_keys() -> None:
    redact = Redactor(["ssn"])
    assert redact({"SSN": "1", 7: "seven", "name": "n"}) == {"SSN": "***", 7: "seven", "name": "n"}
    assert redact("plain") == "plain" and redact(None) is None


def test_deep_nesting_stops_without_error() -> None:
    deep: dict = {"password": "x"}
    for _ in range(100):
        deep = {"next": deep}
    assert Redactor(["password"])(deep)["next"]["next"]
