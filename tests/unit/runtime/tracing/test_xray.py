"""The stdlib X-Ray backend: datagrams on a real local UDP socket, checked against the segment document format."""

from __future__ import annotations

import threading
import time

import pytest

import lamtrace
from lamtrace.runtime import log
from lamtrace.runtime.tracing.xray import daemon_address, epoch_seconds
from tests.unit.runtime.conftest import TRACE_HEADER, FakeContext
from tests.unit.runtime.tracing.xray_documents import check_subsegment

ROOT, PARENT = "1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d", "53995c3f42cd8ad8"


@pytest.fixture
def traced(monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)


def test_handler_and_user_spans_nest_under_the_function_segment(daemon, traced, context) -> None:
    @lamtrace.trace
    def load_order(order_id):
        with lamtrace.span("dynamodb get", table="orders") as s:
            s.set_attribute("consistent", True)
        return order_id

    @lamtrace.instrument(tracing="xray")
    def handler(event, ctx):
        return load_order("o-1")

    assert handler({}, context) == "o-1"
    docs = {d["name"]: d for d in daemon.documents(expect=3)}
    for doc in docs.values():
        check_subsegment(doc)
        assert doc["trace_id"] == ROOT
    top = docs["## test_handler_and_user_spans_nest_under_the_function_segment.<locals>.handler"]
    middle = docs["test_handler_and_user_spans_nest_under_the_function_segment.<locals>.load_order"]
    inner = docs["dynamodb get"]
    assert top["parent_id"] == PARENT
    assert middle["parent_id"] == top["id"] and inner["parent_id"] == middle["id"]
    assert top["annotations"] == {"ColdStart": True, "function": "orders", "trigger": "direct"}
    assert inner["annotations"] == {"table": "orders", "consistent": True}
    assert (
        top["start_time"]
        <= middle["start_time"]
        <= inner["start_time"]
        <= inner["end_time"]
        <= top["end_time"]
    )


def test_errors_become_fault_with_cause(daemon, traced, context) -> None:
    @lamtrace.instrument(tracing="xray")
    def handler(event, ctx):
        with lamtrace.span("charge"):
            raise ValueError("card declined")

    with pytest.raises(ValueError, match="card declined"):
        handler({}, context)
    docs = daemon.documents(expect=2)
    assert len(docs) == 2
    for doc in docs:
        check_subsegment(doc)
        assert doc["fault"] is True
        (exc,) = doc["cause"]["exceptions"]
        assert exc["type"] == "ValueError" and exc["message"] == "card declined"
        assert exc["stack"][0]["label"] == "handler" and exc["stack"][0]["path"].endswith("test_xray.py")
    assert docs[1]["annotations"]["ColdStart"] is True


@pytest.mark.parametrize(
    "header",
    [
        "Root=1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d;Parent=53995c3f42cd8ad8;Sampled=0",
        None,
        "Root=1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d",
    ],
)
def test_nothing_is_sent_when_not_sampled_or_without_parent(daemon, context, monkeypatch, header) -> None:
    if header:
        monkeypatch.setenv("_X_AMZN_TRACE_ID", header)

    @lamtrace.instrument(tracing="xray")
    def handler(event, ctx):
        with lamtrace.span("work"):
            return 1

    assert handler({}, context) == 1
    assert daemon.documents(wait=0.3) == []


def test_spans_on_other_threads_parent_under_the_handler(daemon, traced, context) -> None:
    @lamtrace.instrument(tracing="xray")
    def handler(event, ctx):
        def worker():
            with lamtrace.span("in thread"):
                pass

        t = threading.Thread(target=worker)
        t.start()
        t.join()

    handler({}, context)
    docs = {d["name"]: d for d in daemon.documents(expect=2)}
    assert docs["in thread"]["parent_id"] == next(d["id"] for n, d in docs.items() if n.startswith("##"))


def test_oversized_values_do_not_lose_the_subsegment(daemon, traced, context) -> None:
    @lamtrace.instrument(tracing="xray")
    def handler(event, ctx):
        with lamtrace.span("big") as s:
            s.set_attribute("payload", {"blob": "x" * 100_000})  # metadata: dropped to fit one datagram
            s.set_attribute("note", "y" * 5000)  # annotation: cut to 1000 characters

    handler({}, context)
    docs = {d["name"]: d for d in daemon.documents(expect=2)}
    check_subsegment(docs["big"])
    assert "metadata" not in docs["big"] and docs["big"]["annotations"]["note"] == "y" * 1000


def test_warm_invocation_is_annotated_not_cold(daemon, traced, context) -> None:
    handler = lamtrace.instrument(tracing="xray")(lambda e, c: None)
    handler({}, context)
    handler({}, context)
    docs = daemon.documents(expect=2)
    assert [d["annotations"]["ColdStart"] for d in docs] == [True, False]
    assert docs[0]["id"] != docs[1]["id"]


def test_span_outside_an_invocation_is_a_no_op() -> None:
    with lamtrace.span("at import time") as s:
        s.set_attribute("k", 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("127.0.0.1", 2000)),
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
        ("localhost:3000", ("localhost", 3000)),
    ],
)
def test_daemon_address(value, expected) -> None:
    assert daemon_address(value) == expected


def test_epoch_seconds_keep_microseconds() -> None:
    assert epoch_seconds(1_764_329_439_123_456_789) == "1764329439.123456"
    assert epoch_seconds(1_764_329_439_000_001_999) == "1764329439.000001"
    assert float(epoch_seconds(1_764_329_439_100_000_000)) == 1764329439.1


def test_metadata_json_cannot_hold_is_dropped_not_the_subsegment(daemon, traced, context) -> None:
    circular: dict = {}
    circular["self"] = circular

    @lamtrace.instrument(tracing="xray")
    def handler(event, ctx):
        with lamtrace.span("odd") as s:
            s.set_attribute("loop", circular)
            s.set_attribute("ok", 1)

    handler({}, context)
    docs = {d["name"]: d for d in daemon.documents(expect=2)}
    check_subsegment(docs["odd"])
    assert "metadata" not in docs["odd"] and docs["odd"]["annotations"] == {"ok": 1}
    assert log.state.errors == 1


def test_attributes_set_on_the_handler_span_join_its_annotations(daemon) -> None:
    from lamtrace.runtime import environment, tracing, triggers
    from lamtrace.runtime.tracing.xray import create

    backend = create(None)
    invocation = tracing.Invocation(
        "r-1",
        "orders",
        None,
        False,
        triggers.Trigger(triggers.SQS, "m-1"),
        environment.parse_trace_header(TRACE_HEADER),
    )
    span = backend.start("## handler", invocation)
    span.set_attribute("tenant", "acme")
    span.set_attribute("ColdStart", True)  # a user value replaces lamtrace's, as in a dict
    backend.end(span)
    (doc,) = daemon.documents(expect=1)
    check_subsegment(doc)
    assert doc["annotations"] == {"ColdStart": True, "function": "orders", "trigger": "sqs", "tenant": "acme"}


def test_a_handler_about_to_time_out_is_sent_in_progress_at_the_warning(daemon, traced) -> None:
    # Lambda kills a timed-out function before its handler subsegment ends: the warning sends it unfinished,
    # and the complete document (same id) replaces it if the handler does return.
    @lamtrace.instrument(tracing="xray", timeout_warning_ms=300)
    def handler(event, ctx):
        time.sleep(0.6)
        return "done"

    assert handler({}, FakeContext(timeout_ms=700)) == "done"
    unfinished, finished = daemon.documents(expect=2)
    for doc in (unfinished, finished):
        check_subsegment(doc)
    assert unfinished["in_progress"] is True and "end_time" not in unfinished
    assert unfinished["annotations"]["function"] == "orders"
    assert finished["id"] == unfinished["id"] and "in_progress" not in finished


def test_nothing_is_sent_at_the_warning_when_not_sampled(daemon, monkeypatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER.replace("Sampled=1", "Sampled=0"))

    @lamtrace.instrument(tracing="xray", timeout_warning_ms=300)
    def handler(event, ctx):
        time.sleep(0.5)

    handler({}, FakeContext(timeout_ms=600))
    assert daemon.documents(wait=0.3) == []
