"""The core layer, unpacked as /opt/python, is all a function needs to import lamtrace."""

from __future__ import annotations

from pathlib import Path

import pytest

import lamtrace
from lamtrace.ship.layer import build_layer
from tests.integration.ship.layer_helpers import run_isolated, unpack

# Every module in the layer must import with only the standard library and the layer on the path. A module may
# fail only for lack of an optional extra's package (its backend is then unusable without `--with`).
IMPORT_EVERY_MODULE = """
import importlib, importlib.metadata, json, pkgutil, lamtrace
OPTIONAL = {"opentelemetry", "aws_xray_sdk"}
imported, needs_extra = [], {}
for info in pkgutil.walk_packages(lamtrace.__path__, "lamtrace."):
    try:
        importlib.import_module(info.name)
        imported.append(info.name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in OPTIONAL:
            raise
        needs_extra[info.name] = exc.name
third_party = sorted({m.split(".")[0] for m in sys.modules} - set(sys.stdlib_module_names) - {"lamtrace", "__main__"})
print(json.dumps({"file": lamtrace.__file__, "version": importlib.metadata.version("lamtrace"),
                  "imported": imported, "needs_extra": needs_extra, "third_party": third_party}))
"""


@pytest.fixture(scope="module")
def layer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("opt")
    build = build_layer(tmp / "layer.zip")
    return unpack(build.path, tmp / "opt")


def test_lamtrace_imports_from_the_layer_alone(layer_dir: Path) -> None:
    result = run_isolated(IMPORT_EVERY_MODULE, [layer_dir])
    assert Path(result["file"]).is_relative_to(layer_dir)
    assert result["version"] == lamtrace.__version__
    assert "lamtrace.records" in result["imported"]
    assert result["third_party"] == []  # the layer's in-function code is standard library only


def test_the_offline_parts_are_not_importable_from_the_layer(layer_dir: Path) -> None:
    code = (
        "import importlib.util, json\n"
        "print(json.dumps({m: importlib.util.find_spec(m) is not None"
        " for m in ['lamtrace.analysis', 'lamtrace.cli', 'lamtrace.ship', 'collectors']}))"
    )
    assert run_isolated(code, [layer_dir]) == dict.fromkeys(
        ["lamtrace.analysis", "lamtrace.cli", "lamtrace.ship", "collectors"], False
    )
