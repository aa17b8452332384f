"""Platform lines are byte-compatible with Lambda's (patterns from reference/FORMATS.md)."""

from __future__ import annotations

from lamtrace.local import platform as p
from tests.unit.local import real_formats as rf

RID = "6795fe66-1b3c-4c07-9a0b-5f5c1f0e6d2a"
AT = 1_764_324_000.123


def report(**kw):
    fields = dict(request_id=RID, duration_ms=15.742, billed_ms=147, memory_mb=128, max_memory_mb=56)
    return p.Report(**{**fields, **kw})


def test_text_start_end():
    assert (
        p.start("Text", AT, request_id=RID, version="$LATEST", function_arn="x")
        == f"START RequestId: {RID} Version: $LATEST\n"
    )
    assert (
        rf.START.match(p.start("Text", AT, request_id=RID, version="12", function_arn="x"))["version"] == "12"
    )
    assert p.end("Text", AT, request_id=RID) == f"END RequestId: {RID}\n"
    assert p.end("JSON", AT, request_id=RID) is None


def test_text_report_shapes():
    plain = p.report("Text", AT, report())
    assert (
        plain
        == f"REPORT RequestId: {RID}\tDuration: 15.74 ms\tBilled Duration: 147 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\t\n"
    )
    cold = rf.REPORT.match(p.report("Text", AT, report(init_ms=130.49)))
    assert cold["init_ms"] == "130.49" and cold["status"] is None
    failed = rf.REPORT.match(p.report("Text", AT, report(status="timeout", error_type="Sandbox.Timedout")))
    assert failed.group("status", "error_type") == ("timeout", "Sandbox.Timedout")
    traced = p.report(
        "Text", AT, report(trace_id="1-6745c0de-0123456789abcdef01234567", segment_id="53995c3f42cd8ad8")
    )
    assert traced.endswith(
        "\t\nXRAY TraceId: 1-6745c0de-0123456789abcdef01234567\tSegmentId: 53995c3f42cd8ad8\tSampled: true\t\n"
    )
    assert rf.REPORT.match(traced)["sampled"] == "true"


def test_init_lines():
    line = p.init_start(
        "Text",
        AT,
        runtime="python3.12",
        region="eu-west-1",
        init_type="on-demand",
        function_name="f",
        version="$LATEST",
        instance_id="i",
        memory_mb=128,
    )
    assert rf.INIT_START.match(line)["runtime_version"] == "python:3.12.v1"
    failed = p.init_report(
        "Text",
        AT,
        init_ms=137.694,
        phase="init",
        init_type="on-demand",
        status="error",
        error_type="Runtime.ImportModuleError",
    )
    assert (
        failed
        == "INIT_REPORT Init Duration: 137.69 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\n"
    )
    assert rf.INIT_REPORT.match(failed)


def test_timeout_and_runtime_exit_lines():
    line = p.timeout("Text", AT, request_id=RID, elapsed_s=3.0)
    assert line == f"2025-11-28T10:00:00.122Z {RID} Task timed out after 3.00 seconds\n\n"
    assert rf.TIMEOUT.match(line)
    exit_line = p.runtime_exit(
        "Text", request_id=RID, reason="signal: killed", error_type="Runtime.OutOfMemory"
    )
    assert rf.RUNTIME_EXIT.match(exit_line).group("reason", "error_type") == (
        "signal: killed",
        "Runtime.OutOfMemory",
    )
    assert p.timeout("JSON", AT, request_id=RID, elapsed_s=3.0) is None


def test_json_events():
    start = rf.check_json_platform(p.start("JSON", AT, request_id=RID, version="$LATEST", function_arn="arn"))
    assert start["time"] == "2025-11-28T10:00:00.123Z" and start["record"]["requestId"] == RID
    event = rf.check_json_platform(
        p.report("JSON", AT, report(init_ms=174.0553, status="error", error_type="ValueError"))
    )
    metrics = event["record"]["metrics"]
    assert metrics == {
        "durationMs": 15.742,
        "billedDurationMs": 147,
        "memorySizeMB": 128,
        "maxMemoryUsedMB": 56,
        "initDurationMs": 174.055,
    }
    assert event["record"]["errorType"] == "ValueError"
    line = p.init_start(
        "JSON",
        AT,
        runtime="python3.12",
        region="us-east-1",
        init_type="provisioned-concurrency",
        function_name="f",
        version="3",
        instance_id="2025/11/28/f[3]ab",
        memory_mb=256,
    )
    init = rf.check_json_platform(line)
    assert init["record"]["instanceMaxMemory"] == 268435456 and init["record"]["functionVersion"] == "3"
    done = rf.check_json_platform(
        p.runtime_done("JSON", AT, request_id=RID, status="timeout", duration_ms=3000)
    )
    assert done["record"]["status"] == "timeout"


def test_billed_duration_ceils_and_includes_on_demand_init():
    assert p.billed_ms(15.74, 130.49) == 147
    assert p.billed_ms(1.0) == 1 and p.billed_ms(1.0001) == 2
    assert p.billed_ms(3000.0) == 3000
