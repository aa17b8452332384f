"""The aws-xray-sdk backend: the real SDK in Lambda mode, emitting to a local UDP socket."""

from __future__ import annotations

import pytest

import lamtrace
from tests.unit.runtime.conftest import TRACE_HEADER
from tests.unit.runtime.tracing.xray_documents import check_subsegment

pytest.importorskip("aws_xray_sdk")

ROOT, PARENT = "1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d", "53995c3f42cd8ad8"


@pytest.fixture
def recorder(daemon, monkeypatch):
    from aws_xray_sdk.core import xray_recorder

    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    xray_recorder.configure(daemon_address=daemon.address)
    return xray_recorder


def test_user_sdk_subsegments_nest_under_the_handler_subsegment(daemon, recorder, context) -> None:
    @recorder.capture("users own capture")
    def lookup():
        with lamtrace.span("lamtrace span") as s:
            s.set_attribute("rows", 3)
        return "found"

    @lamtrace.instrument(tracing="xray_sdk")
    def handler(event, ctx):
        return lookup()

    assert handler({}, context) == "found"
    # Lambda mode streams every subsegment as its own datagram when it closes, innermost first.
    inner, own, top = daemon.documents(expect=3)
    for doc in (inner, own, top):
        check_subsegment(doc)
        assert doc["trace_id"] == ROOT
    assert top["parent_id"] == PARENT and top["name"].startswith("## ")
    assert top["annotations"] == {"ColdStart": True, "function": "orders", "trigger": "direct"}
    assert own["name"] == "users own capture" and own["parent_id"] == top["id"]
    assert inner["name"] == "lamtrace span" and inner["parent_id"] == own["id"]
    assert inner["annotations"] == {"rows": 3}


def test_error_is_recorded_by_the_sdk(daemon, recorder, context) -> None:
    @lamtrace.instrument(tracing="xray_sdk")
    def handler(event, ctx):
        raise KeyError("order")

    with pytest.raises(KeyError):
        handler({}, context)
    (doc,) = daemon.documents()
    check_subsegment(doc)
    assert doc["fault"] is True
    assert doc["cause"]["exceptions"][0]["type"] == "KeyError"


def test_unsampled_invocation_sends_nothing(daemon, recorder, context, monkeypatch) -> None:
    # A new trace (as every Lambda invocation has): the SDK rebuilds its facade segment when the Root changes.
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID", "Root=1-6747e1b0-000000000000000000000001;Parent=53995c3f42cd8ad8;Sampled=0"
    )
    assert lamtrace.instrument(tracing="xray_sdk")(lambda e, c: 5)({}, context) == 5
    assert daemon.documents(wait=0.3) == []
