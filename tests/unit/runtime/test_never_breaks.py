"""lamtrace fails, the handler does not: return values and exceptions pass through unchanged in every case."""

from __future__ import annotations

import io
import json
import socket
import sys

import pytest

import lamtrace
from lamtrace import records as R
from lamtrace.runtime import environment, log, triggers
from tests.unit.runtime.conftest import TRACE_HEADER, FakeContext, assert_passes_through, markers

RESULT = {"statusCode": 200, "body": "ok"}


class Boom(Exception):
    pass


def _pair():
    """A handler that returns RESULT and one that raises a Boom, both instrumented."""
    boom = Boom("handler failed")

    def ok(event, ctx):
        lamtrace.get_logger("app").info("working", extra={"step": 1})
        return RESULT

    def fails(event, ctx):
        raise boom

    return lamtrace.instrument(ok), lamtrace.instrument(fails), boom


def _assert_passes_through(context) -> None:
    ok, fails, boom = _pair()
    assert ok({}, context) is RESULT
    with pytest.raises(Boom) as caught:
        fails({}, context)
    assert caught.value is boom and str(caught.value) == "handler failed"


def test_closed_stdout(context, monkeypatch) -> None:
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdout", closed)
    _assert_passes_through(context)
    assert log.state.errors > 0


def test_stdout_that_raises_broken_pipe(context, monkeypatch) -> None:
    class BrokenPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", BrokenPipe())
    _assert_passes_through(context)


def test_unserializable_extras_are_written_as_text(lines, context) -> None:
    circular: dict = {}
    circular["self"] = circular

    class BadRepr:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    @lamtrace.instrument
    def handler(event, ctx):
        log = lamtrace.get_logger("app")
        log.info("object", extra={"thing": object()})
        log.info("circular", extra={"data": circular})
        log.info("tuple keys", extra={"data": {(1, 2): "x"}})
        log.info("bad repr", extra={"data": BadRepr()})
        return RESULT

    assert handler({}, context) is RESULT
    records = {r[R.MESSAGE]: r for r in lines()}
    assert records["object"]["thing"].startswith("<object object at")
    assert records["circular"]["data"].startswith("{'self'")
    assert records["tuple keys"]["data"] == "{(1, 2): 'x'}"
    assert records["bad repr"]["data"] == "<unrepresentable BadRepr>"
    end = records["invocation end"]
    assert end[R.OUTCOME] == "success" and end[R.LAMTRACE_ERRORS] == 2  # circular + tuple keys re-rendered


def test_unserializable_handler_error_message(lines, context) -> None:
    class Weird(Exception):
        def __str__(self) -> str:
            raise ValueError("no str")

    assert_passes_through(Weird(), context)
    assert lines()[-1][R.SCHEMA_KEY] == 1  # still a lamtrace line


def test_udp_errors_from_the_xray_daemon_address(lines, context, monkeypatch) -> None:
    # A local port nothing listens on: the connected UDP socket gets ECONNREFUSED from the second datagram on.
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", f"127.0.0.1:{port}")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    monkeypatch.setenv("LAMTRACE_TRACING", "xray")
    ok, fails, boom = _pair()
    for _ in range(3):
        assert ok({}, context) is RESULT
        with pytest.raises(Boom):
            fails({}, context)
    ends = markers(lines(), R.INVOCATION_END)
    assert any(e.get(R.LAMTRACE_ERRORS) for e in ends)


def test_unresolvable_xray_daemon_host(lines, context, monkeypatch) -> None:
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", "xray-daemon.invalid:2000")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    monkeypatch.setenv("LAMTRACE_TRACING", "xray")
    _assert_passes_through(context)


def test_a_bug_in_trigger_detection(lines, context, monkeypatch) -> None:
    def broken(event):
        raise KeyError("bug of ours")

    monkeypatch.setattr(triggers, "describe", broken)
    _assert_passes_through(context)


def test_a_bug_in_the_log_pipeline(lines, context, monkeypatch) -> None:
    def broken(record):
        raise AttributeError("bug of ours")

    monkeypatch.setattr(log, "PROCESSORS", [broken])
    _assert_passes_through(context)
    assert all(json.dumps(r) for r in lines())


def test_a_bug_in_trace_header_parsing(context, monkeypatch) -> None:
    monkeypatch.setattr(environment, "parse_trace_header", lambda header: 1 / 0)
    _assert_passes_through(context)


def test_a_tracing_backend_that_raises(context, monkeypatch) -> None:
    class Broken:
        def start(self, name, invocation=None):
            raise RuntimeError("start")

        def end(self, span, error=None):
            raise RuntimeError("end")

        def flush(self):
            raise RuntimeError("flush")

    from lamtrace.runtime import tracing

    monkeypatch.setattr(tracing, "activate", lambda name, options: Broken())
    ok, fails, boom = _pair()
    assert ok({}, context) is RESULT
    with pytest.raises(Boom):
        fails({}, context)
    tracing._active = Broken()
    with lamtrace.span("user block") as s:  # user spans survive a broken backend too
        s.set_attribute("k", "v")


def test_context_without_lambda_attributes(lines) -> None:
    _assert_passes_through(None)
    _assert_passes_through(object())
    assert markers(lines(), R.INVOCATION_END)


def test_system_exit_passes_through(context) -> None:
    @lamtrace.instrument
    def handler(event, ctx):
        sys.exit(3)

    with pytest.raises(SystemExit) as caught:
        handler({}, context)
    assert caught.value.code == 3


def test_logger_calls_with_bad_format_arguments(lines, context) -> None:
    @lamtrace.instrument
    def handler(event, ctx):
        lamtrace.get_logger().info("%s and %s", "only one")
        return RESULT

    assert handler({}, FakeContext()) is RESULT
    assert lines()[1][R.MESSAGE] == "%s and %s"
