"""Trace header, invoked ARN, init type and process start."""

from __future__ import annotations

import time

import pytest

from lamtrace.runtime import environment
from lamtrace.runtime.environment import (
    TraceHeader,
    parse_trace_header,
    process_started_at,
    version_and_alias,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
         TraceHeader("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", True)),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=a87bd80c:1|68fd508a:5",
         TraceHeader("1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8", False)),
        ("Sampled=1; Root=1-5759e988-bd862e3fe1be46a994272793", TraceHeader("1-5759e988-bd862e3fe1be46a994272793", None, True)),
        ("Root=1-abc;Sampled=?", TraceHeader("1-abc", None, None)),
        ("", TraceHeader(None, None, None)),
        (None, TraceHeader(None, None, None)),
        ("garbage", TraceHeader(None, None, None)),
    ],
)  # fmt: skip
def test_parse_trace_header(header, expected) -> None:
    assert parse_trace_header(header) == expected


@pytest.mark.parametrize(
    ("arn", "env_version", "expected"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:orders", "$LATEST", ("$LATEST", None)),
        ("arn:aws:lambda:us-east-1:123456789012:function:orders:live", "12", ("12", "live")),
        ("arn:aws:lambda:us-east-1:123456789012:function:orders:12", "12", ("12", None)),
        ("arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST", None, ("$LATEST", None)),
        (None, None, (None, None)),
        ("not an arn", "3", ("3", None)),
    ],
)
def test_version_and_alias(arn, env_version, expected) -> None:
    assert version_and_alias(arn, env_version) == expected


def test_init_type_and_runtime_name() -> None:
    assert environment.init_type({}) == "on-demand"
    assert environment.init_type({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}) == "snap-start"
    assert environment.runtime_name({"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"}) == "python3.12"
    assert environment.runtime_name({}).startswith("python3.")


def test_process_start_is_before_now_and_plausible() -> None:
    started = process_started_at()  # the real one (the fixture replaces the module attribute)
    assert started <= time.time()
    assert started <= environment.IMPORTED_AT + 1  # this process started before lamtrace was imported


def test_first_invocation_is_consumed_once(monkeypatch) -> None:
    monkeypatch.setattr(environment, "first_invocation_pending", True)
    assert [environment.consume_first_invocation() for _ in range(3)] == [True, False, False]
