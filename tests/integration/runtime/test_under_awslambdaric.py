"""The wrapper under the real awslambdaric, against lamtrace.local's Runtime API: what CloudWatch would receive."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lamtrace import records as R
from tests.unit.runtime.tracing.xray_documents import UdpReceiver, check_subsegment

pytest.importorskip("awslambdaric")
from lamtrace.local import LocalEnvironment  # noqa: E402

FUNCTIONS = Path(__file__).parent / "functions"
ROOT = "1-6747e1b0-1f2e3d4c5b6a79880a1b2c3d"


def _lamtrace_records(result) -> list[dict]:
    """The attempt's lamtrace lines; each one must be exactly one CloudWatch event holding one JSON object."""
    records = []
    for line in result.output_lines:
        if line.startswith("{"):
            record = json.loads(line)  # a line cut in two would not parse
            if R.SCHEMA_KEY in record:
                records.append(record)
    return records


@pytest.mark.parametrize("log_format", ["Text", "JSON"])
def test_cold_then_warm_invocations(log_format) -> None:
    with LocalEnvironment(
        handler="shop.orders", path=FUNCTIONS, name="orders", log_format=log_format, memory_mb=256
    ) as env:
        cold = env.invoke({"order_id": "o-1"}, trace_header=f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=0")
        warm = env.invoke({"order_id": "o-2"})
    assert cold.status == warm.status == "success"
    assert cold.payload == {"statusCode": 200, "body": "o-1"}
    first, second = _lamtrace_records(cold), _lamtrace_records(warm)
    assert [r.get(R.MARKER_KEY) for r in first] == [R.ENV_INIT, None, None, R.INVOCATION_END]
    assert [r.get(R.MARKER_KEY) for r in second] == [None, None, R.INVOCATION_END]
    env_init = first[0]
    assert env_init[R.INIT_TYPE] == "on-demand" and env_init[R.RUNTIME].startswith("python3.")
    assert 0 < env_init[R.INIT_TO_FIRST_INVOKE_MS] < 10_000
    for record in first:
        assert record[R.COLD_START] is True and record[R.XRAY_TRACE_ID] == ROOT
        assert record[R.FUNCTION_NAME] == "orders" and record[R.FUNCTION_MEMORY_SIZE] == 256
        assert record[R.FUNCTION_REQUEST_ID] == cold.request_id
    assert all(r[R.COLD_START] is False and r[R.FUNCTION_REQUEST_ID] == warm.request_id for r in second)
    captured = first[2]  # a stdlib logging record, formatted by lamtrace (not by the runtime, not twice)
    assert captured[R.LOGGER] == "botocore.retryhandler" and captured[R.MESSAGE] == "retry 1"
    assert sum("retry 1" in line for line in cold.output_lines) == 1
    end = first[-1]
    assert (
        end[R.OUTCOME] == "success" and end[R.FUNCTION_VERSION] == "$LATEST" and end[R.XRAY_SAMPLED] is False
    )
    assert end[R.MAX_RSS_MB] > 5 and 0 < end[R.REMAINING_MS] <= 3000


def test_handler_error_reaches_the_runtime_unchanged() -> None:
    with LocalEnvironment(handler="shop.orders", path=FUNCTIONS, name="orders") as env:
        result = env.invoke({"order_id": "o-9", "reject": True})
    assert result.status == "error"
    assert result.error["errorType"] == "OrderRejected"
    assert result.error["errorMessage"] == "order o-9 rejected"
    end = _lamtrace_records(result)[-1]
    assert end[R.OUTCOME] == "error" and end[R.ERROR_TYPE] == "OrderRejected"
    assert any(line.startswith("[ERROR] OrderRejected: order o-9 rejected") for line in result.output_lines)


@pytest.mark.slow
def test_timeout_warning_is_printed_before_lambda_kills_the_runtime() -> None:
    with LocalEnvironment(handler="shop.slow", path=FUNCTIONS, name="slow", timeout_s=1.5) as env:
        result = env.invoke({"sleep": 5})
    assert result.status == "timeout"
    (warning,) = [r for r in _lamtrace_records(result) if r.get(R.MARKER_KEY) == R.TIMEOUT_WARNING]
    assert "wait_for_payment_gateway" in warning[R.STACK] and "time.sleep(seconds)" in warning[R.STACK]
    assert warning[R.REMAINING_MS] <= 450 and warning[R.FUNCTION_REQUEST_ID] == result.request_id
    assert not [r for r in _lamtrace_records(result) if r.get(R.MARKER_KEY) == R.INVOCATION_END]


def test_xray_subsegments_reach_the_daemon_address() -> None:
    daemon = UdpReceiver()
    try:
        with LocalEnvironment(
            handler="shop.traced", path=FUNCTIONS, name="traced", xray_daemon_address=daemon.address
        ) as env:
            header = f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1"
            ok = env.invoke({}, trace_header=header)
            failed = env.invoke({"fail": True}, trace_header=header)
        docs = daemon.documents(expect=4)
    finally:
        daemon.close()
    assert ok.status == "success" and failed.status == "error"
    assert len(docs) == 4
    for doc in docs:
        check_subsegment(doc)
        assert doc["trace_id"] == ROOT
    handlers = [d for d in docs if d["name"] == "## traced"]
    assert [h["annotations"]["ColdStart"] for h in handlers] == [True, False]
    assert handlers[1]["fault"] is True and handlers[1]["cause"]["exceptions"][0]["message"] == "gateway down"
    spans = [d for d in docs if d["name"] == "charge card"]
    assert {s["parent_id"] for s in spans} == {h["id"] for h in handlers}


def test_xray_sdk_backend_in_the_sdks_own_lambda_mode() -> None:
    pytest.importorskip("aws_xray_sdk")
    daemon = UdpReceiver()
    try:
        with LocalEnvironment(
            handler="shop.traced_with_sdk", path=FUNCTIONS, name="sdk", xray_daemon_address=daemon.address
        ) as env:
            result = env.invoke({}, trace_header=f"Root={ROOT};Parent=53995c3f42cd8ad8;Sampled=1")
        inner, own, top = daemon.documents(expect=3)
    finally:
        daemon.close()
    assert result.status == "success" and result.payload == "sdk"
    for doc in (inner, own, top):
        check_subsegment(doc)
    assert top["name"] == "## traced_with_sdk" and top["parent_id"] == "53995c3f42cd8ad8"
    assert own["parent_id"] == top["id"] and inner["parent_id"] == own["id"]
