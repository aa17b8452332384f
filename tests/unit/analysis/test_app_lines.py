"""Application lines: runtime prefixes, unhandled errors, JSON app lines, Powertools, lamtrace records, EMF."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamtrace import records
from lamtrace.analysis.formats import parse_message
from lamtrace.analysis.formats.app_text import parse_app_text
from lamtrace.analysis.formats.json_records import decode_object, parse_json_record

RID = "6795fe66-02b7-4e64-98b5-1061b6d08b6d"
NBSP = "\u00a0"


def test_python_prefix_with_and_without_request_id():
    event = parse_app_text(f"[WARNING]\t2024-10-03T13:11:59.748Z\t{RID}\tNo DynamoDB entry found\n")
    assert (event["kind"], event["level"], event["request_id"]) == ("app", "WARNING", RID)
    event = parse_app_text("[WARNING]\t2026-04-22T21:00:55.004Z\t\tLAMBDA_WARNING: Unhandled exception.\n")
    assert event["request_id"] is None


def test_python_unhandled_traceback_newline_and_carriage_return_variants():
    framed = (
        "[ERROR] KeyError: 'id'\nTraceback (most recent call last):\n" + NBSP * 2 + 'File "/var/task/f.py"'
    )
    stdout = "[ERROR] ErrorType: Error message\rTraceback (most recent call last):\n"
    assert parse_app_text(framed)["error_type"] == "KeyError"
    assert parse_app_text(framed)["error_message"] == "'id'"
    assert (parse_app_text(stdout)["error_type"], parse_app_text(stdout)["error_message"]) == (
        "ErrorType",
        "Error message",
    )
    event = parse_app_text(
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'search'\nTraceback (most recent call last):"
    )
    assert event["kind"] == "unhandled_error" and event["error_type"] == "Runtime.ImportModuleError"


def test_node_prefix_undefined_request_id_and_uncaught_exception():
    event = parse_app_text(
        '2019-06-05T19:30:03.173Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tINFO\tEVENT\r{\r  "key": "value"\r}\n'
    )
    assert (event["level"], event["request_id"]) == ("INFO", "4ce9340a-b765-490f-ad8a-02ab3415e2bf")
    event = parse_app_text(
        '2025-02-10T07:37:10.463Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Runtime.UserCodeSyntaxError",'
        '"errorMessage":"SyntaxError: Unexpected end of input","stack":["Runtime.UserCodeSyntaxError"]}\n'
    )
    assert event["kind"] == "unhandled_error" and event["request_id"] is None
    assert event["error_message"] == "SyntaxError: Unexpected end of input"


def test_lambda_json_app_line_and_json_unhandled_error():
    event = parse_message(
        '{"timestamp":"2024-05-20T16:29:45.009Z","level":"INFO","requestId":"r-1","message":"ENV"}'
    )
    assert (event["kind"], event["level"], event["request_id"], event["log_format"]) == (
        "app",
        "INFO",
        "r-1",
        "json",
    )
    event = parse_message(
        '{"timestamp":"2024-05-20T16:29:45Z","log_level":"ERROR","errorMessage":"boom","errorType":"ValueError",'
        '"requestId":"r-1","stackTrace":["  File x"]}'
    )
    assert (event["kind"], event["error_type"], event["error_message"]) == (
        "unhandled_error",
        "ValueError",
        "boom",
    )
    # logger.exception() in the JSON format has errorType too, but a level: a handled error, only an app line
    event = parse_message('{"level":"ERROR","errorType":"ValueError","message":"handled","requestId":"r-1"}')
    assert (event["kind"], event["level"]) == ("app", "ERROR")


def test_powertools_line_with_object_message_and_trace_id():
    line = {
        "level": "INFO",
        "location": "collect.handler:12",
        "message": {"operation": "collect_payment"},
        "timestamp": "2021-05-03 11:47:12,494+0000",
        "service": "payment",
        "cold_start": True,
        "function_name": "test",
        "function_memory_size": "128",
        "function_request_id": RID,
        "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793",
    }
    event = parse_message(json.dumps(line))
    assert (event["kind"], event["request_id"], event["trace_id"]) == (
        "app",
        RID,
        "1-5759e988-bd862e3fe1be46a994272793",
    )


def test_emf_is_recognised_and_plain_json_stdout_is_unparsed():
    emf = (
        '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[]}]},"x":1}'
    )
    assert parse_message(emf)["kind"] == "emf"
    assert parse_message('{"statusCode": 200, "body": "ok"}')["kind"] == "unparsed"
    assert parse_message("{truncated")["kind"] == "unparsed"


def test_lamtrace_records_round_trip_through_the_schema_keys():
    """Write records with the schema module's key names (as the wrapper does), parse them back: same values."""
    end = {
        records.SCHEMA_KEY: records.SCHEMA_VERSION,
        records.MARKER_KEY: records.INVOCATION_END,
        records.LEVEL: "INFO",
        records.FUNCTION_REQUEST_ID: RID,
        records.OUTCOME: "error",
        records.ERROR_TYPE: "ValueError",
        records.ERROR_MESSAGE: "bad input",
        records.TRIGGER: "sqs",
        records.DELIVERY_KEY: "msg-1",
        records.DELIVERY_ATTEMPT: 3,
        records.FUNCTION_VERSION: "7",
        records.XRAY_TRACE_ID: "1-5759e988-bd862e3fe1be46a994272793",
    }
    event = parse_message(json.dumps(end, separators=(",", ":")))
    assert (
        event["kind"],
        event["request_id"],
        event["outcome"],
        event["error_type"],
        event["error_message"],
    ) == (
        "invocation_end",
        RID,
        "error",
        "ValueError",
        "bad input",
    )
    assert (event["trigger"], event["delivery_key"], event["delivery_attempt"], event["version"]) == (
        "sqs",
        "msg-1",
        3,
        "7",
    )
    init = {
        records.SCHEMA_KEY: 1,
        records.MARKER_KEY: records.ENV_INIT,
        records.INIT_TYPE: "provisioned-concurrency",
        records.PROACTIVE: False,
        records.FUNCTION_REQUEST_ID: RID,
    }
    event = parse_message(json.dumps(init))
    assert (event["kind"], event["init_type"], event["proactive"]) == (
        "env_init",
        "provisioned-concurrency",
        False,
    )
    plain = {
        records.SCHEMA_KEY: 1,
        records.LEVEL: "WARNING",
        records.MESSAGE: "hi",
        records.FUNCTION_REQUEST_ID: RID,
    }
    assert parse_message(json.dumps(plain))["kind"] == "app"


def test_repeated_json_key_keeps_the_first_value_like_duckdb():
    assert decode_object('{"level":"INFO","level":"ERROR"}')["level"] == "INFO"


def test_numbers_as_strings_and_wrong_types():
    event = parse_json_record(
        {
            "type": "platform.report",
            "record": {
                "requestId": "r",
                "metrics": {
                    "durationMs": "12.5",
                    "billedDurationMs": True,
                    "memorySizeMB": "x",
                    "maxMemoryUsedMB": 64.9,
                },
            },
        }
    )
    assert (event["duration_ms"], event["billed_ms"], event["memory_mb"], event["max_memory_mb"]) == (
        12.5,
        None,
        None,
        64,
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=5,
)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "record",
                "level",
                "log_level",
                "errorType",
                "_aws",
                "lamtrace",
                "marker",
                "requestId",
                "message",
                "x",
            ]
        ),
        json_values,
        max_size=6,
    )
)
def test_json_records_never_raise(obj):
    event = parse_message(json.dumps(obj))
    assert event["log_format"] == "json"


@given(st.text())
def test_parse_message_never_raises(text):
    assert parse_message(text)["kind"]
