"""The built layer, unpacked like /opt/python, serves a handler run by the real awslambdaric.

The handler's task root holds only the handler; lamtrace comes from the unpacked layer alone (``python_path`` is
the layer's ``python/`` directory, not this checkout), through lamtrace.local's Runtime API server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lamtrace
from lamtrace import records
from lamtrace.ship.layer import build_layer
from tests.conftest import REPO
from tests.integration.ship.layer_helpers import unpack

pytest.importorskip("awslambdaric")
from lamtrace.local import FunctionConfig, LocalEnvironment  # noqa: E402

REPORT_HANDLER = """
import importlib.metadata
import lamtrace
from lamtrace import records


def handler(event, context):
    return {
        "lamtrace_file": lamtrace.__file__,
        "version": importlib.metadata.version("lamtrace"),
        "schema": records.SCHEMA_VERSION,
        "request_id": context.aws_request_id,
        "echo": event,
    }
"""

INSTRUMENTED_HANDLER = """
import lamtrace

log = lamtrace.get_logger(__name__)


@lamtrace.instrument
def handler(event, context):
    log.info("order received")
    if event.get("fail"):
        raise ValueError("bad order")
    return {"ok": True}
"""


def markers(result) -> list[dict]:
    """lamtrace records among the function's output lines (a JSON object, possibly after a runtime prefix)."""
    parsed = []
    for line in result.output_lines:
        start = line.find("{")
        try:
            record = json.loads(line[start:]) if start >= 0 else None
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get(records.MESSAGE), dict):
            record = {**record, **record[records.MESSAGE]}  # a record nested by Lambda's JSON log format
        if isinstance(record, dict) and record.get(records.SCHEMA_KEY) == records.SCHEMA_VERSION:
            parsed.append(record)
    return parsed


@pytest.fixture(scope="module")
def layer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("layer")
    return unpack(build_layer(tmp / "layer.zip").path, tmp / "opt")


def _task(tmp_path: Path, code: str) -> Path:
    task = tmp_path / "task"
    task.mkdir()
    (task / "app.py").write_text(code)
    return task


def test_handler_imports_lamtrace_from_the_layer_under_awslambdaric(layer_dir: Path, tmp_path: Path) -> None:
    config = FunctionConfig(
        handler="app.handler", path=_task(tmp_path, REPORT_HANDLER), python_path=[str(layer_dir)]
    )
    with LocalEnvironment(config) as env:
        first = env.invoke({"id": 1})
        second = env.invoke({"id": 2})
    assert first.status == "success", first.error
    payload = first.payload
    assert Path(payload["lamtrace_file"]).is_relative_to(layer_dir)
    assert payload["version"] == lamtrace.__version__
    assert payload["schema"] == records.SCHEMA_VERSION
    assert payload["request_id"] == first.request_id and payload["echo"] == {"id": 1}
    assert first.cold and not second.cold and second.payload["echo"] == {"id": 2}


def test_instrumented_handler_from_the_layer_prints_lamtrace_records(layer_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("lamtrace.runtime.wrapper", reason="the wrapper has not landed yet")
    config = FunctionConfig(
        handler="app.handler", path=_task(tmp_path, INSTRUMENTED_HANDLER), python_path=[str(layer_dir)]
    )
    with LocalEnvironment(config) as env:
        ok = env.invoke({"id": 1})
        failed = env.invoke({"fail": True})
    assert ok.status == "success" and ok.payload == {"ok": True}
    assert failed.status == "error" and failed.error_type == "ValueError"

    ends = [r for r in markers(ok) if r.get(records.MARKER_KEY) == records.INVOCATION_END]
    assert len(ends) == 1 and ends[0][records.OUTCOME] == "success"
    assert any(r.get(records.MESSAGE) == "order received" for r in markers(ok))
    failed_ends = [r for r in markers(failed) if r.get(records.MARKER_KEY) == records.INVOCATION_END]
    assert len(failed_ends) == 1 and failed_ends[0][records.OUTCOME] == "error"
    assert failed_ends[0][records.ERROR_TYPE] == "ValueError"


@pytest.mark.parametrize("log_format", ["JSON", "Text"])
def test_the_deploy_examples_function_runs_with_the_layer(
    layer_dir: Path, tmp_path: Path, log_format: str
) -> None:
    pytest.importorskip("lamtrace.runtime.wrapper", reason="the wrapper has not landed yet")
    from cfnlint.decode import decode_str

    template, _ = decode_str((REPO / "examples" / "deploy" / "template.yaml").read_text())
    code = template["Resources"]["Function"]["Properties"]["Code"]["ZipFile"]
    task = tmp_path / "task"
    task.mkdir()
    (task / "index.py").write_text(code)  # CloudFormation stores inline code as index.py
    config = FunctionConfig(
        handler="index.handler", path=task, python_path=[str(layer_dir)], log_format=log_format, memory_mb=512
    )
    with LocalEnvironment(config) as env:
        result = env.invoke({"id": 7})
    assert result.status == "success" and result.payload == {"ok": True}
    ends = [r for r in markers(result) if r.get(records.MARKER_KEY) == records.INVOCATION_END]
    assert len(ends) == 1 and ends[0][records.OUTCOME] == "success"
