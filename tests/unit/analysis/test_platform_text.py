"""Text-format platform lines, on messages from the real samples (tests/fixtures/logs/samples/)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtrace.analysis.formats.fields import PLATFORM_KINDS
from lamtrace.analysis.formats.platform_text import parse_platform_text

RID = "6795fe66-02b7-4e64-98b5-1061b6d08b6d"


def fields(message: str) -> dict:
    event = parse_platform_text(message)
    assert event is not None, message
    return {k: v for k, v in event.items() if v is not None}


def test_start_with_version_and_the_2016_trailing_space():
    assert fields(f"START RequestId: {RID} Version: $LATEST\n")["version"] == "$LATEST"
    assert (
        fields("START RequestId: b47cde10-029a-11e6-b5d6-1f01b70b94b2 Version: $LATEST \n")["kind"] == "start"
    )
    assert fields(f"START RequestId: {RID} Version: 72\n")["version"] == "72"


def test_report_all_fields_tab_separated_with_init():
    got = fields(
        f"REPORT RequestId: {RID}\tDuration: 2499.27 ms\tBilled Duration: 2500 ms\tMemory Size: 128 MB\t"
        "Max Memory Used: 88 MB\tInit Duration: 560.59 ms\t\n"
    )
    assert got == {
        "kind": "report",
        "log_format": "text",
        "request_id": RID,
        "duration_ms": 2499.27,
        "billed_ms": 2500.0,
        "memory_mb": 128,
        "max_memory_mb": 88,
        "init_ms": 560.59,
    }


def test_report_with_xray_on_a_second_line():
    got = fields(
        "REPORT RequestId: 814ba7cb-071e-4181-9a09-fa41db5bccad\tDuration: 1711.87 ms\tBilled Duration: 1800 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 98 MB\t\nXRAY TraceId: 1-5d83c0ad-b8eb33a0b1de97d804fac890\t"
        "SegmentId: 31255c3b19bd3637\tSampled: true"
    )
    assert got["trace_id"] == "1-5d83c0ad-b8eb33a0b1de97d804fac890"
    assert got["sampled"] is True


def test_report_spaces_instead_of_tabs_and_status_error_type():
    got = fields(
        "REPORT RequestId: 12131914-ade7-4b3b-adbf-f01e971190d5  Duration: 98.71 ms  Billed Duration: 99 ms  "
        "Memory Size: 512 MB  Max Memory Used: 46 MB  Status: error  Error Type: Runtime.ImportModuleError"
    )
    assert (got["status"], got["error_type"]) == ("error", "Runtime.ImportModuleError")


def test_report_local_emulator_prints_init_first():
    got = fields(
        "REPORT RequestId: 6ee905fa-1cdc-4e5c-ad1d-67493b0d5e0b  Init Duration: 0.02 ms  Duration: 37.96 ms"
        "      Billed Duration: 38 ms  Memory Size: 3008 MB        Max Memory Used: 3008 MB"
    )
    assert (got["init_ms"], got["duration_ms"]) == (0.02, 37.96)


def test_report_snapstart_restore_and_integer_init():
    got = fields(
        f"REPORT RequestId: {RID}\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 3009 MB\t"
        "Max Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t"
    )
    assert (got["restore_ms"], got["billed_restore_ms"], got["memory_mb"]) == (398.97, 182.0, 3009)
    got = fields(
        "REPORT RequestId: 8edab1f8-7d34-4a8e-a965-15ccbbb78d4c Duration: 0.81 ms  Billed Duration: 100 ms "
        "Memory Size: 128 MB Max Memory Used: 90 MB  Init Duration: 1234 ms"
    )
    assert got["init_ms"] == 1234.0


def test_malformed_report_is_not_a_report():
    assert parse_platform_text("REPORT invalid report log line") is None


def test_init_start_restore_start_and_reports():
    assert fields("INIT_START Runtime Version: python:3.13.v14    Runtime Version ARN: arn:aws:lambda:x")[
        "kind"
    ] == ("init_start")
    got = fields(
        "RESTORE_START Runtime Version: java:11.v20\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:b8"
    )
    assert (got["kind"], got["init_type"]) == ("restore_start", "snap-start")
    got = fields(
        "INIT_REPORT Init Duration: 150.79 ms\tPhase: init\tStatus: error\tError Type: Runtime.UserCodeSyntaxError"
    )
    assert got == {
        "kind": "init_report",
        "log_format": "text",
        "init_ms": 150.79,
        "phase": "init",
        "status": "error",
        "error_type": "Runtime.UserCodeSyntaxError",
    }
    assert fields("INIT_REPORT Init Duration: 45000ms")["init_ms"] == 45000.0
    assert fields("RESTORE_REPORT Restore Duration: 511.25 ms\n")["restore_ms"] == 511.25


@pytest.mark.parametrize(
    ("message", "request_id"),
    [
        (
            "2020-11-10T05:46:57.874Z 160788cd-45ff-4583-809f-c7e31127cb95 Task timed out after 3.07 seconds\n\n",
            "160788cd-45ff-4583-809f-c7e31127cb95",
        ),
        (
            "2016-04-14T23:52:45.715Z b47cde10-029a-11e6-b5d6-1f01b70b94b2 Task timed out after 120.00 seconds ",
            "b47cde10-029a-11e6-b5d6-1f01b70b94b2",
        ),
        ("2024-06-25T19:22:58.186Z  Task timed out after 30.27 seconds", None),
    ],
)
def test_timeout_lines_with_and_without_id(message, request_id):
    event = parse_platform_text(message)
    assert event["kind"] == "timeout"
    assert event["request_id"] == request_id
    assert event["error_message"].startswith("Task timed out after ")


def test_runtime_exit_and_unknown_error():
    got = fields(
        "RequestId: 00c4bc44-e48e-4e7d-ab38-a47800cd734b Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n"
    )
    assert (got["kind"], got["error_type"], got["error_message"]) == (
        "runtime_exit",
        "Runtime.ExitError",
        "Runtime exited with error: exit status 1",
    )
    got = fields("RequestId:  Error: Runtime exited with error: signal: killed\nRuntime.ExitError")
    assert "request_id" not in got and got["error_message"].endswith("signal: killed")
    assert fields("Unknown application error occurred\nRuntime.Unknown")["error_type"] == "Runtime.Unknown"


# --- properties --------------------------------------------------------------------------------------------------

ms2 = st.decimals(min_value=0, max_value=900000, places=2).map(lambda d: f"{d:.2f}")
ints = st.integers(min_value=1, max_value=10240)
sep = st.sampled_from(["\t", " ", "  ", " \t"])


@given(
    rid=st.uuids().map(str),
    duration=ms2,
    billed=ints,
    memory=ints,
    used=ints,
    init=st.none() | ms2,
    status=st.none() | st.sampled_from(["error", "timeout"]),
    trace=st.none() | st.from_regex(r"1-[0-9a-f]{8}-[0-9a-f]{24}", fullmatch=True),
    s=sep,
    end=st.sampled_from(["", "\n", "\t\n", " \n"]),
)
def test_report_fields_recovered_from_generated_lines(
    rid, duration, billed, memory, used, init, status, trace, s, end
):
    line = (
        f"REPORT RequestId: {rid}{s}Duration: {duration} ms{s}Billed Duration: {billed} ms{s}"
        f"Memory Size: {memory} MB{s}Max Memory Used: {used} MB"
    )
    if init is not None:
        line += f"{s}Init Duration: {init} ms"
    if status is not None:
        line += f"{s}Status: {status}"
    if trace is not None:
        line += f"\t\nXRAY TraceId: {trace}\tSegmentId: 31255c3b19bd3637\tSampled: true"
    event = parse_platform_text(line + end)
    assert event is not None
    assert event["request_id"] == rid
    assert event["duration_ms"] == float(duration)
    assert (event["billed_ms"], event["memory_mb"], event["max_memory_mb"]) == (billed, memory, used)
    assert event["init_ms"] == (None if init is None else float(init))
    assert event["status"] == status
    assert event["trace_id"] == trace


@given(st.text())
def test_never_raises_on_any_text(text):
    event = parse_platform_text(text)
    assert event is None or event["kind"] in PLATFORM_KINDS
