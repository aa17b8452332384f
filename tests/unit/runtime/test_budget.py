"""Cold start is a budget: decorating and running a handler imports the standard library only."""

from __future__ import annotations

import pytest

from tests.unit.test_import_budget import _modules_after, _third_party

RUN = """
import lamtrace
handler = lamtrace.instrument({options})(lambda event, context: lamtrace.get_logger("x").info("hi"))
with lamtrace.span("s"):
    handler({{"Records": [{{"eventSource": "aws:sqs", "messageId": "m"}}]}}, None)
"""


@pytest.mark.parametrize(
    "options", ["", "tracing='xray', metrics=True, log_event=True, capture_logging=True"]
)
def test_instrumented_handler_loads_only_the_standard_library(options) -> None:
    baseline = _modules_after("pass")
    loaded = _modules_after(RUN.format(options=options))
    assert _third_party(loaded - baseline) == set()


def test_logs_only_path_does_not_import_logging_or_sockets() -> None:
    loaded = _modules_after(RUN.format(options=""))
    assert not {"logging", "socket", "traceback", "random", "lamtrace.runtime.tracing.xray"} & loaded


def test_otel_is_imported_only_when_chosen() -> None:
    pytest.importorskip("opentelemetry.sdk")
    assert not any(
        m.startswith("opentelemetry") for m in _modules_after(RUN.format(options="tracing='xray'"))
    )
    assert "opentelemetry.sdk.trace" in _modules_after(RUN.format(options="tracing='otel'"))


def test_xray_path_does_not_load_the_socket_module() -> None:
    """The stdlib X-Ray backend uses the C ``_socket`` module: ``socket`` (selectors, enum, collections ...) would
    add milliseconds to every cold start. (``json`` cannot be checked here: the probe itself imports it.)"""
    loaded = _modules_after(RUN.format(options="tracing='xray'"))
    assert "lamtrace.runtime.tracing.xray" in loaded
    assert not {"socket", "selectors", "traceback"} & loaded
