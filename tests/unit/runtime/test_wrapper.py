"""@lamtrace.instrument: markers, context keys, cold starts, outcome, options."""

from __future__ import annotations

import json
import os
import time

import pytest

import lamtrace
from lamtrace import records as R
from lamtrace.runtime import environment
from tests.conftest import FIXTURES
from tests.unit.runtime.conftest import (
    FUNCTION_ARN,
    TRACE_HEADER,
    FakeContext,
    assert_passes_through,
    markers,
)

POWERTOOLS_KEYS = {
    "level", "message", "timestamp", "service", "cold_start", "function_name", "function_memory_size",
    "function_arn", "function_request_id", "xray_trace_id",
}  # fmt: skip


def _event(name: str) -> dict:
    return json.loads((FIXTURES / "events" / f"{name}.json").read_text())


def test_bare_decorator_prints_env_init_log_line_and_invocation_end(lines, context, monkeypatch) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)
    log = lamtrace.get_logger("orders.app")

    @lamtrace.instrument
    def handler(event, ctx):
        log.info("charging %s", "o-1", extra={"amount": 12.5})
        return {"ok": True}

    assert handler({"x": 1}, context) == {"ok": True}
    env_init, line, end = lines()
    assert env_init[R.MARKER_KEY] == R.ENV_INIT
    assert env_init[R.INIT_TYPE] == "on-demand" and env_init[R.PROACTIVE] is False
    assert env_init[R.INIT_TO_FIRST_INVOKE_MS] > 0
    assert env_init[R.RUNTIME].startswith("python3.")
    assert line[R.MESSAGE] == "charging o-1" and line["amount"] == 12.5 and R.MARKER_KEY not in line
    assert line[R.LOCATION].startswith("tests.unit.runtime.test_wrapper:handler:")
    assert line[R.LOGGER] == "orders.app"
    for record in (env_init, line, end):
        assert set(record) >= POWERTOOLS_KEYS
        assert record[R.SCHEMA_KEY] == R.SCHEMA_VERSION
        assert record[R.COLD_START] is True
        assert record[R.FUNCTION_REQUEST_ID] == context.aws_request_id
        assert record[R.FUNCTION_ARN] == FUNCTION_ARN
        assert record[R.FUNCTION_MEMORY_SIZE] == 256
        assert record[R.XRAY_TRACE_ID] == "1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d"
        assert record[R.SERVICE] == "orders"
        assert record[R.TIMESTAMP].endswith("Z") and len(record[R.TIMESTAMP]) == 24
    assert end[R.MARKER_KEY] == R.INVOCATION_END
    assert end[R.OUTCOME] == "success" and end[R.TRIGGER] == "direct" and end[R.DELIVERY_ATTEMPT] == 1
    assert end[R.FUNCTION_VERSION] == "$LATEST" and R.FUNCTION_ALIAS not in end
    assert 0 <= end[R.DURATION_MS] < 1000 and 0 < end[R.REMAINING_MS] <= 3000
    assert end[R.MAX_RSS_MB] > 0 and end[R.XRAY_SAMPLED] is True
    assert R.LAMTRACE_ERRORS not in end


def test_each_line_is_one_compact_json_object(capsys, context) -> None:
    @lamtrace.instrument
    def handler(event, ctx):
        lamtrace.get_logger().info("two\nlines and a tab\t and unicode é")

    handler({}, context)
    out = capsys.readouterr().out
    physical = out.split("\n")
    assert physical[-1] == "" and len(physical) == 4
    assert all(": " not in line and ", " not in line.replace("a tab\\t and", "") for line in physical[:-1])
    assert json.loads(physical[1])[R.MESSAGE] == "two\nlines and a tab\t and unicode é"


def test_cold_start_only_on_the_first_invocation(lines) -> None:
    handler = lamtrace.instrument(lambda event, ctx: None)
    handler({}, FakeContext("r-1"))
    handler({}, FakeContext("r-2"))
    records = lines()
    assert len(markers(records, R.ENV_INIT)) == 1
    ends = markers(records, R.INVOCATION_END)
    assert [(e[R.FUNCTION_REQUEST_ID], e[R.COLD_START]) for e in ends] == [("r-1", True), ("r-2", False)]


@pytest.mark.parametrize("init_type", ["provisioned-concurrency", "snap-start"])
def test_no_cold_start_outside_on_demand_init(lines, context, monkeypatch, init_type) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", init_type)
    lamtrace.instrument(lambda event, ctx: None)({}, context)
    env_init, end = lines()
    assert env_init[R.INIT_TYPE] == init_type and env_init[R.PROACTIVE] is False
    assert end[R.COLD_START] is False


def test_long_gap_between_process_start_and_first_invocation_is_proactive_init(
    lines, context, monkeypatch
) -> None:
    monkeypatch.setattr(environment, "process_started_at", lambda: time.time() - 60)
    lamtrace.instrument(lambda event, ctx: None)({}, context)
    env_init, end = lines()
    assert env_init[R.PROACTIVE] is True and env_init[R.INIT_TO_FIRST_INVOKE_MS] > 59_000
    assert end[R.COLD_START] is False


def test_version_and_alias_from_the_invoked_arn(lines, monkeypatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")
    handler = lamtrace.instrument(lambda event, ctx: None)
    handler({}, FakeContext(arn=FUNCTION_ARN + ":live"))
    handler({}, FakeContext(arn=FUNCTION_ARN + ":7"))
    first, second = markers(lines(), R.INVOCATION_END)
    assert (first[R.FUNCTION_VERSION], first[R.FUNCTION_ALIAS]) == ("7", "live")
    assert second[R.FUNCTION_VERSION] == "7" and R.FUNCTION_ALIAS not in second


def test_handler_error_is_reraised_unchanged_and_recorded(lines, context) -> None:
    class PaymentDeclined(Exception):
        pass

    assert_passes_through(PaymentDeclined("card 4242 declined"), context)
    end = markers(lines(), R.INVOCATION_END)[0]
    assert end[R.OUTCOME] == "error"
    assert end[R.ERROR_TYPE] == "PaymentDeclined" and end[R.ERROR_MESSAGE] == "card 4242 declined"


def test_trigger_and_delivery_key_of_an_sqs_batch(lines, context) -> None:
    lamtrace.instrument(lambda event, ctx: None)(_event("sqs"), context)
    end = markers(lines(), R.INVOCATION_END)[0]
    assert end[R.TRIGGER] == "sqs"
    assert end[R.DELIVERY_KEY] == "059f36b4-87a3-44ab-83d2-661975830a7d"
    assert end[R.DELIVERY_ATTEMPT] == 3 and end[R.BATCH_SIZE] == 2


def test_event_logging_is_off_by_default_and_redacts_when_on(lines, context) -> None:
    event = _event("api-gateway-rest")
    lamtrace.instrument(lambda e, c: None)(event, context)
    assert not [r for r in lines() if R.EVENT in r]
    lamtrace.instrument(log_event=True)(lambda e, c: None)(event, context)
    logged = [r for r in lines() if R.EVENT in r][0][R.EVENT]
    assert logged["headers"]["Authorization"] == R.REDACTED
    assert logged["multiValueHeaders"]["Authorization"] == R.REDACTED
    assert logged["headers"]["Accept"] == "application/json"
    assert event["headers"]["Authorization"].startswith("Bearer")  # the handler's event is not touched


def test_extra_redact_keys_from_the_environment(lines, context, monkeypatch) -> None:
    monkeypatch.setenv("LAMTRACE_REDACT_KEYS", "order_id, sku")
    monkeypatch.setenv("LAMTRACE_LOG_EVENT", "true")
    lamtrace.instrument(lambda e, c: None)(_event("direct"), context)
    logged = [r for r in lines() if R.EVENT in r][0][R.EVENT]
    assert logged == {"order_id": R.REDACTED, "action": "recalculate", "password": R.REDACTED}


def test_log_level_from_lambda_and_from_lamtrace(lines, context, monkeypatch) -> None:
    def handler(event, ctx):
        log = lamtrace.get_logger("lvl")
        log.debug("d")
        log.info("i")
        log.warning("w")

    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
    lamtrace.instrument(handler)({}, context)
    assert [r[R.MESSAGE] for r in lines() if R.MARKER_KEY not in r] == ["w"]
    monkeypatch.setenv("LAMTRACE_LOG_LEVEL", "debug")
    lamtrace.instrument(handler)({}, context)
    assert [r[R.MESSAGE] for r in lines() if R.MARKER_KEY not in r] == ["d", "i", "w"]


def test_markers_are_written_whatever_the_log_level(lines, context) -> None:
    lamtrace.instrument(log_level="CRITICAL")(lambda e, c: None)({}, context)
    assert [r[R.MARKER_KEY] for r in lines()] == [R.ENV_INIT, R.INVOCATION_END]


def test_debug_sampling_turns_debug_on_for_sampled_invocations_only(lines, context) -> None:
    def handler(event, ctx):
        lamtrace.get_logger().debug("detail")

    lamtrace.instrument(debug_sample_rate=1.0)(handler)({}, context)
    assert [r[R.MESSAGE] for r in lines() if R.MARKER_KEY not in r] == ["detail"]
    lamtrace.instrument(debug_sample_rate=0.0)(handler)({}, context)
    assert [r for r in lines() if R.MARKER_KEY not in r] == []


def test_metrics_line_is_embedded_metric_format(capsys, context) -> None:
    handler = lamtrace.instrument(metrics=True, metrics_namespace="shop")(lambda e, c: None)
    handler({}, context)
    handler({}, context)
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if R.EMF_KEY in json.loads(x)]
    assert [m["ColdStart"] for m in emf] == [1, 0]
    assert all(m["Errors"] == 0 and m["Duration"] >= 0 for m in emf)
    directive = emf[0][R.EMF_KEY]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "shop"
    for dimension in directive["Dimensions"][0]:
        assert dimension in emf[0]
    assert {m["Name"] for m in directive["Metrics"]} == {"ColdStart", "Duration", "Errors"}
    assert R.SCHEMA_KEY not in emf[0] and R.LEVEL not in emf[0]


def test_disabled_returns_the_handler_itself(monkeypatch) -> None:
    def handler(event, ctx):
        return 1

    monkeypatch.setenv("LAMTRACE_ENABLED", "false")
    assert lamtrace.instrument(handler) is handler


def test_unknown_option_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="unknown lamtrace option"):
        lamtrace.instrument(servce="typo")(lambda e, c: None)


def test_wraps_keeps_the_handler_name() -> None:
    def my_handler(event, ctx):
        """Doc."""

    wrapped = lamtrace.instrument(my_handler)
    assert (
        wrapped.__name__ == "my_handler" and wrapped.__doc__ == "Doc." and wrapped.__wrapped__ is my_handler
    )


def test_lines_logged_during_init_carry_the_static_keys(lines) -> None:
    lamtrace.instrument(service="orders-api")(lambda e, c: None)
    lamtrace.get_logger("init").info("loading model")
    (line,) = lines()
    assert line[R.SERVICE] == "orders-api" and line[R.FUNCTION_NAME] == "orders"
    assert R.FUNCTION_REQUEST_ID not in line and R.COLD_START not in line


def test_service_falls_back_to_powertools_variable(lines, context, monkeypatch) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "payments")
    lamtrace.instrument(lambda e, c: None)({}, context)
    assert {r[R.SERVICE] for r in lines()} == {"payments"}
    assert os.environ["POWERTOOLS_SERVICE_NAME"] == "payments"
