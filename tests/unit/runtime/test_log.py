"""The logger: keys, extras, exceptions, levels, stdlib capture, and the record schema round trip."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamtrace
from lamtrace import records as R
from lamtrace.runtime import log
from lamtrace.runtime.log import iso_now, level_value


@pytest.fixture
def root_logger():
    """The root logger's handlers and level, restored after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def _messages(records):
    return [r for r in records if R.MARKER_KEY not in r]


def test_keyword_fields_extra_and_reserved_keys(lines, context) -> None:
    @lamtrace.instrument
    def handler(event, ctx):
        lamtrace.get_logger("shop").info(
            "paid", extra={"amount": 3, "function_request_id": "spoofed"}, order="o-1"
        )

    handler({}, context)
    (line,) = _messages(lines())
    assert line["amount"] == 3 and line["order"] == "o-1"
    assert line[R.FUNCTION_REQUEST_ID] == context.aws_request_id  # extras never replace lamtrace's keys
    assert list(line)[:4] == [R.LEVEL, R.LOCATION, R.MESSAGE, R.LOGGER]


def test_exception_has_type_message_and_stack(lines, context) -> None:
    @lamtrace.instrument
    def handler(event, ctx):
        try:
            {}["missing"]
        except KeyError:
            lamtrace.get_logger().exception("lookup failed")

    handler({}, context)
    (line,) = _messages(lines())
    assert line[R.LEVEL] == "ERROR" and line[R.EXCEPTION_NAME] == "KeyError"
    assert line[R.EXCEPTION].startswith("Traceback (most recent call last):")
    assert "KeyError: 'missing'" in line[R.EXCEPTION] and "in handler" in line[R.EXCEPTION]


def test_message_may_be_an_object(lines, context) -> None:
    lamtrace.instrument(lambda e, c: lamtrace.get_logger().warning({"event": "retry", "n": 2}))({}, context)
    (line,) = _messages(lines())
    assert line[R.MESSAGE] == {"event": "retry", "n": 2} and line[R.LEVEL] == "WARNING"


def test_same_logger_for_the_same_name() -> None:
    assert lamtrace.get_logger("a") is lamtrace.get_logger("a") is not lamtrace.get_logger("b")


def test_level_names_including_lambdas() -> None:
    assert [level_value(n) for n in ("TRACE", "debug", "INFO", "WARN", "warning", "ERROR", "FATAL", "critical")] == [
        10, 10, 20, 30, 30, 40, 50, 50,
    ]  # fmt: skip
    assert level_value("nonsense") == 20 and level_value(40) == 40


def test_timestamp_format(monkeypatch) -> None:
    def at(now_ms: int) -> str:
        monkeypatch.setattr(
            log.time, "time_ns", lambda: now_ms * 1_000_000 + 999_999
        )  # sub-ms is cut, not rounded
        return iso_now()

    assert at(1795860000_500) == "2026-11-28T10:00:00.500Z"
    assert at(1795860000_000) == "2026-11-28T10:00:00.000Z"  # same second: the cached part
    assert at(1795860001_999) == "2026-11-28T10:00:01.999Z"


def test_stdlib_loggers_are_captured_and_lambdas_own_handler_is_replaced(lines, context, root_logger) -> None:
    bootstrap = pytest.importorskip("awslambdaric.bootstrap")
    from awslambdaric.lambda_runtime_log_utils import JsonFormatter

    runtime_handler = bootstrap.LambdaLoggerHandler(bootstrap.StandardLogSink())
    runtime_handler.setFormatter(JsonFormatter())  # what AWS_LAMBDA_LOG_FORMAT=JSON installs
    root_logger.addHandler(runtime_handler)

    @lamtrace.instrument(capture_logging=True)
    def handler(event, ctx):
        logging.getLogger("botocore.retry").warning("retrying %s", "PutItem", extra={"attempt": 2})
        logging.getLogger("app").debug("not shown")

    handler({}, context)
    handler({}, context)
    records = lines()
    captured = _messages(records)
    assert len(captured) == 2  # once per invocation: not printed a second time by the runtime's handler
    line = captured[0]
    assert (
        line[R.MESSAGE] == "retrying PutItem"
    )  # a plain string, not Lambda's JSON object encoded inside ours
    assert line[R.LOGGER] == "botocore.retry" and line["attempt"] == 2 and line[R.LEVEL] == "WARNING"
    assert line[R.FUNCTION_REQUEST_ID] == context.aws_request_id and line[R.SCHEMA_KEY] == 1
    assert runtime_handler not in root_logger.handlers


def test_record_round_trip_through_json(lines, context) -> None:
    """Write records with every schema key the wrapper sets, parse them back: same values, no unknown marker."""
    lamtrace.instrument(lambda e, c: lamtrace.get_logger().info("x", n=1))({}, context)
    for record in lines():
        assert json.loads(json.dumps(record, separators=(",", ":"))) == record
        assert record.get(R.MARKER_KEY, R.ENV_INIT) in R.MARKERS
        assert record[R.LEVEL] in log.LEVEL_NAMES.values()


def _strip_timestamp(line: str) -> dict:
    record = json.loads(line)
    record.pop(R.TIMESTAMP)
    return record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    message=st.text(),
    args=st.lists(st.one_of(st.text(), st.integers()), max_size=2),
    name=st.one_of(st.none(), st.text()),
)
def test_plain_lines_are_what_the_pipeline_writes(capsys, context, monkeypatch, message, args, name) -> None:
    """``info("...")`` writes its line from a template; with any processor added it goes through the record dict,
    ``PROCESSORS`` and ``render``. Both must give the same line (timestamps aside)."""
    logger = log.Logger(name)
    template = message + " %s" * len(args)

    def both():
        logger.info(template, *args)
        logger.warning(template, *args)
        logger.critical(message)

    both()
    fast = capsys.readouterr().out.splitlines()
    monkeypatch.setattr(log, "PROCESSORS", [*log.PROCESSORS, lambda record: record])
    both()
    slow = capsys.readouterr().out.splitlines()
    assert len(fast) == len(slow) == 3
    for a, b in zip(fast, slow, strict=True):
        assert _strip_timestamp(a) == _strip_timestamp(b)
        assert a.split(f'"{R.TIMESTAMP}"')[0] == b.split(f'"{R.TIMESTAMP}"')[0]  # same text, same key order


def test_level_methods_report_the_callers_location(lines, context) -> None:
    logger = lamtrace.get_logger("where")

    def call_site():
        logger.info("plain")
        logger.info("with a field", n=1)
        logger.log(log.WARNING, "through log")

    call_site()
    locations = {r[R.MESSAGE]: r[R.LOCATION] for r in lines()}
    for message in ("plain", "with a field", "through log"):
        assert locations[message].startswith(f"{__name__}:call_site:")
