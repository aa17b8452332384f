"""`--with otel`: manylinux wheels from PyPI for this machine's Python and architecture, importable from the layer.

One build (it downloads wheels), so it is marked slow.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from lamtrace.ship.layer import build_layer
from tests.integration.ship.layer_helpers import HOST_ARCH, HOST_PYTHON, run_isolated, unpack

USE_OTEL = """
import importlib.metadata, json
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.propagators.aws import AwsXRayPropagator
provider = TracerProvider(id_generator=AwsXRayIdGenerator())
with provider.get_tracer("layer-test").start_as_current_span("work") as span:
    trace_id = span.get_span_context().trace_id
generators = sorted(ep.name for ep in importlib.metadata.entry_points(group="opentelemetry_id_generator"))
import lamtrace.runtime.tracing.otel as backend  # lamtrace's own otel backend, from the layer
backend.default_provider()
print(json.dumps({"trace_id_hex": format(trace_id, "032x"), "generators": generators,
                  "sdk": importlib.metadata.version("opentelemetry-sdk")}))
"""


@pytest.mark.slow
@pytest.mark.skipif(HOST_ARCH is None, reason="not an architecture Lambda runs")
def test_otel_layer_works_with_only_the_layer_on_the_path(tmp_path: Path) -> None:
    build = build_layer(tmp_path / "otel.zip", python=HOST_PYTHON, arch=HOST_ARCH, extras=["otel"])
    assert {"opentelemetry-sdk", "opentelemetry-api", "opentelemetry-sdk-extension-aws"} <= set(
        build.packages
    )
    assert build.problems() == []
    with zipfile.ZipFile(build.path) as archive:
        names = archive.namelist()
    assert not [n for n in names if n.startswith("python/bin/")]
    assert build.compiled  # built on the target Python: .pyc files included, all in __pycache__
    assert {n.split("/")[-2] for n in names if n.endswith(".pyc")} == {"__pycache__"}
    assert any(
        n.endswith(".dist-info/entry_points.txt") for n in names
    )  # OTel finds its plug-ins through these

    result = run_isolated(USE_OTEL, [unpack(build.path, tmp_path / "opt")])
    assert result["sdk"] == build.packages["opentelemetry-sdk"]
    assert "xray" in result["generators"]
    trace_id = int(result["trace_id_hex"], 16)
    assert trace_id >> 96 > 1_600_000_000  # X-Ray ids start with the epoch seconds
