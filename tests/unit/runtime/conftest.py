"""Fixtures for the in-function wrapper: a Lambda-like context object and the lines a handler prints."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lamtrace.runtime import environment, log, tracing

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders"
TRACE_HEADER = "Root=1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d;Parent=53995c3f42cd8ad8;Sampled=1"


class FakeContext:
    """The attributes and method of awslambdaric's LambdaContext that handlers use."""

    def __init__(
        self,
        request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        arn: str = FUNCTION_ARN,
        timeout_ms: int = 3000,
    ) -> None:
        self.aws_request_id = request_id
        self.function_name = "orders"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "256"  # a string, as awslambdaric gives it
        self.invoked_function_arn = arn
        self.log_group_name = "/aws/lambda/orders"
        self.log_stream_name = "2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef"
        self._deadline = time.time() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


@pytest.fixture
def context() -> FakeContext:
    return FakeContext()


@pytest.fixture(autouse=True)
def fresh_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test is a new execution environment: no Lambda/lamtrace variables, first invocation not yet seen."""
    import os

    for key in list(os.environ):
        if key.startswith(("AWS_", "LAMTRACE_", "POWERTOOLS_", "_X_AMZN")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "orders")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
    monkeypatch.setattr(environment, "first_invocation_pending", True)
    # The test process is older than a fresh runtime; without this every first invocation would look proactive.
    started = time.time() - 0.2
    monkeypatch.setattr(environment, "process_started_at", lambda: started)
    monkeypatch.setattr(log.state, "reported", set())
    yield
    tracing._active = None


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str]) -> Callable[[], list[dict[str, Any]]]:
    """Call to get the JSON lines printed so far (each must be one compact JSON object)."""

    def read() -> list[dict[str, Any]]:
        out = capsys.readouterr().out
        return [json.loads(line) for line in out.splitlines() if line]

    return read


def assert_passes_through(error: BaseException, context: Any, **options: Any) -> None:
    """An instrumented handler raising ``error`` raises that very object."""
    import lamtrace

    def handler(event: Any, ctx: Any) -> None:
        raise error

    with pytest.raises(type(error)) as caught:
        lamtrace.instrument(**options)(handler)({}, context)
    assert caught.value is error


def markers(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("marker") == name]
