"""LocalEnvironment runs handlers under the real awslambdaric, the way Lambda does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtrace.local.environment import PROVISIONED, LocalEnvironment
from tests.unit.local import real_formats as rf

HANDLERS = Path(__file__).parent / "handlers"
TRACE = "Root=1-6745c0de-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"


def env_for(handler: str, **kwargs) -> LocalEnvironment:
    return LocalEnvironment(handler=f"fixtures_fn.{handler}", path=HANDLERS, name="fixtures", **kwargs)


def kinds(result) -> list[str]:
    out = []
    for line in result.events:
        found = rf.classify_text(line.message)
        assert found or not rf.looks_like_platform(line.message), repr(line.message)
        out.append(found[0] if found else "app")
    return out


def test_cold_then_warm_with_lambda_environment_and_context():
    with env_for("echo", env={"CUSTOM": "yes"}, memory_mb=256) as env:
        first = env.invoke({"n": 1}, trace_header=TRACE, client_context={"custom": {"k": "v"}})
        second = env.invoke({"n": 2})
    assert (first.status, first.cold, second.cold) == ("success", True, False)
    assert first.init_ms > 0 and second.init_ms is None
    body = first.payload
    assert body["event"] == {"n": 1} and body["request_id"] == first.request_id
    assert body["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fixtures"
    assert (
        0 < body["remaining_ms"] <= 3000 and body["memory"] == "256" and body["client_context"] == {"k": "v"}
    )
    assert second.payload["pid"] == body["pid"]  # the same runtime process
    variables = body["env"]
    assert variables["AWS_LAMBDA_FUNCTION_NAME"] == "fixtures"
    assert variables["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert variables["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fixtures"
    assert variables["AWS_LAMBDA_LOG_STREAM_NAME"] == env.log_stream and rf.LOG_STREAM.match(env.log_stream)
    assert variables["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert variables["AWS_LAMBDA_LOG_FORMAT"] == "Text" and variables["AWS_REGION"] == "us-east-1"
    assert variables["AWS_EXECUTION_ENV"].startswith("AWS_Lambda_python3.")
    assert variables["_HANDLER"] == "fixtures_fn.echo" and variables["LAMBDA_TASK_ROOT"] == str(HANDLERS)
    assert variables["_X_AMZN_TRACE_ID"] == TRACE and variables["CUSTOM"] == "yes"
    assert second.payload["env"]["_X_AMZN_TRACE_ID"] is None  # awslambdaric clears it without a header

    assert kinds(first) == ["INIT_START", "app", "START", "app", "END", "REPORT"]
    assert first.output_lines[0] == "module imported"
    log = rf.PY_PREFIX.match(first.output[1].message)
    assert (
        log["level"] == "INFO"
        and log["request_id"] == first.request_id
        and log["message"] == 'got {"n": 1}\n'
    )
    report = rf.REPORT.match(first.events[-1].message)
    assert (
        report["init_ms"]
        and report["memory_mb"] == "256"
        and report["trace_id"] == "1-6745c0de-0123456789abcdef01234567"
    )
    assert int(report["billed_ms"]) >= float(report["duration_ms"]) + float(report["init_ms"])
    assert int(report["max_memory_mb"]) > 5
    assert kinds(second) == ["START", "app", "END", "REPORT"]
    assert rf.REPORT.match(second.events[-1].message)["trace_id"] is None
    assert first.events[-1].timestamp == first.events[-2].timestamp  # END and REPORT share the time


def test_unhandled_error_is_one_event_and_reported():
    with env_for("fail") as env:
        result = env.invoke({"message": "no such order"})
    assert result.status == "error" and result.error_type == "ValueError"
    assert result.error["errorMessage"] == "no such order"
    assert kinds(result) == ["INIT_START", "app", "START", "app", "app", "END", "REPORT"]
    # print() (stdout) and the error report (telemetry frames) are separate channels, as on Lambda: find it by content
    (message,) = [e.message for e in result.events if e.message.startswith("[ERROR]")]
    error = rf.PY_UNHANDLED.match(message)
    assert error["error_type"] == "ValueError" and error["error_message"] == "no such order"
    assert "\u00a0\u00a0File" in error["traceback"] and not message.endswith("\n")
    assert "about to fail" in result.output_lines
    report = rf.REPORT.match(result.events[-1].message)
    assert (report["status"], report["error_type"]) == ("error", "ValueError")


def test_timeout_kills_the_runtime_and_the_next_invocation_is_cold():
    with env_for("sleep", timeout_s=0.5) as env:
        slow = env.invoke({"seconds": 5})
        fast = env.invoke({"seconds": 0})
    assert slow.status == "timeout" and slow.error["errorType"] == "Sandbox.Timedout"
    assert kinds(slow) == ["INIT_START", "app", "START", "app", "TIMEOUT", "END", "REPORT"]
    report = rf.REPORT.match(slow.events[-1].message)
    assert (report["duration_ms"], report["billed_ms"], report["status"]) == (
        "500.00",
        str(slow.billed_ms),
        "timeout",
    )
    assert rf.TIMEOUT.match(slow.events[4].message)["request_id"] == slow.request_id
    assert fast.status == "success" and fast.cold and fast.log_stream == slow.log_stream
    assert kinds(fast)[0] == "INIT_START"


def test_runtime_exit_is_a_crash():
    with env_for("exit_hard") as env:
        result = env.invoke({"code": 3})
    assert result.status == "crash" and result.error_type == "Runtime.ExitError"
    assert "exiting" in result.output_lines
    line = next(e.message for e in result.events if e.message.startswith("RequestId:"))
    assert rf.RUNTIME_EXIT.match(line)["reason"] == "exit status 3"
    assert rf.REPORT.match(result.events[-1].message)["error_type"] == "Runtime.ExitError"


def test_memory_limit_kills_like_out_of_memory():
    with env_for("hog", memory_mb=128, enforce_memory=True) as env:
        result = env.invoke({"mb": 200})
    assert result.status == "crash" and result.error_type == "Runtime.OutOfMemory"
    line = next(e.message for e in result.events if e.message.startswith("RequestId:"))
    assert rf.RUNTIME_EXIT.match(line).group("reason", "error_type") == (
        "signal: killed",
        "Runtime.OutOfMemory",
    )
    assert rf.REPORT.match(result.events[-1].message)["max_memory_mb"] == "128"


def test_import_error_is_reported_as_lambda_does():
    with LocalEnvironment(handler="broken_import.handler", path=HANDLERS) as env:
        first = env.invoke({})
        again = env.invoke({})
    assert first.status == again.status == "init_error"
    assert first.error["errorType"] == "Runtime.ImportModuleError"
    first_kinds = kinds(first)
    assert first_kinds[0] == "INIT_START" and first_kinds[-3:] == ["START", "END", "REPORT"]
    phases = [
        rf.INIT_REPORT.match(e.message)["phase"] for e in first.events if e.message.startswith("INIT_REPORT")
    ]
    assert phases == ["init", "invoke"]
    report = rf.REPORT.match(first.events[-1].message)
    assert report["init_ms"] is None and report["error_type"] == "Runtime.ImportModuleError"
    assert kinds(again)[0] == "app" and "INIT_START" not in kinds(again)


def test_provisioned_environment_is_initialised_before_the_first_invocation():
    with env_for("echo", init_type=PROVISIONED) as env:
        init_events = env.start()
        result = env.invoke({})
    assert rf.INIT_START.match(init_events[0].message)
    assert not result.cold and result.init_ms is None
    assert result.payload["env"]["AWS_LAMBDA_INITIALIZATION_TYPE"] == "provisioned-concurrency"
    assert kinds(result) == ["START", "app", "END", "REPORT"]


def test_unterminated_output_line_is_still_an_event():
    with env_for("partial") as env:
        result = env.invoke({})
    assert "no newline" in result.output_lines


def test_json_log_format():
    with env_for("fail", log_format="JSON") as env:
        result = env.invoke({"message": "boom"}, trace_header=TRACE)
    types = [(rf.check_json_platform(e.message) or {}).get("type", "app") for e in result.events]
    assert types == ["platform.initStart", "app", "platform.start", "app", "app", "platform.report"]
    app_error = json.loads(next(e.message for e in result.events if e.message.startswith('{"timestamp"')))
    assert app_error["level"] == "ERROR" and app_error["errorType"] == "ValueError"
    report = json.loads(result.events[-1].message)["record"]
    assert report["status"] == "error" and report["errorType"] == "ValueError"
    assert report["metrics"]["initDurationMs"] > 0 and report["tracing"]["value"] == TRACE


def test_bytes_response_and_missing_task_root(tmp_path):
    from lamtrace.errors import InputError

    with pytest.raises(InputError, match="not a directory"):
        LocalEnvironment(handler="x.y", path=tmp_path / "missing")
    (tmp_path / "raw.py").write_text("def handler(event, context):\n    return b'\\x00binary'\n")
    with LocalEnvironment(handler="raw.handler", path=tmp_path) as env:
        result = env.invoke({})
    assert result.status == "success" and result.payload == b"\x00binary"


def test_provisioned_environment_restarts_on_demand_after_a_timeout():
    with env_for("sleep", init_type=PROVISIONED, timeout_s=0.5) as env:
        env.start()
        slow = env.invoke({"seconds": 3})
        again = env.invoke({"seconds": 0})
    assert slow.status == "timeout" and not slow.cold
    assert again.cold and again.init_ms is not None and again.init_type == "on-demand"
    assert rf.REPORT.match(again.events[-1].message)["init_ms"]
