"""`--compile`: reproducible unchecked-hash .pyc files that the import system really uses from the layer."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

import lamtrace
from lamtrace.errors import LamtraceError
from lamtrace.ship.bytecode import compile_entries
from lamtrace.ship.layer import build_layer
from tests.integration.ship.layer_helpers import HOST_PYTHON, run_isolated, unpack

TAG = sys.implementation.cache_tag  # e.g. cpython-312


def test_pyc_names_and_failures() -> None:
    compiled, failed = compile_entries(
        {"python/pkg/mod.py": b"x = 1\n", "python/pkg/bad.py": b"def (:\n", "python/pkg/data.json": b"{}"}
    )
    assert list(compiled) == [f"python/pkg/__pycache__/mod.{TAG}.pyc"]
    assert failed == ["python/pkg/bad.py"]
    header = compiled[f"python/pkg/__pycache__/mod.{TAG}.pyc"][4:8]
    assert int.from_bytes(header, "little") == 0b01  # PEP 552 flags: hash-based, unchecked


SPY_ON_COMPILES = """
import importlib._bootstrap_external as bootstrap, json
compiled = []
original = bootstrap.SourceLoader.source_to_code
def spy(self, data, path, *args, **kwargs):
    compiled.append(path.rsplit("/python/", 1)[-1])
    return original(self, data, path, *args, **kwargs)
bootstrap.SourceLoader.source_to_code = spy
import lamtrace.errors, lamtrace.records
print(json.dumps(compiled))
"""


def test_compiled_layer_is_reproducible_and_its_pyc_files_are_used(tmp_path: Path) -> None:
    first = build_layer(tmp_path / "a.zip", python=HOST_PYTHON, bytecode=True)
    second = build_layer(tmp_path / "b.zip", python=HOST_PYTHON, bytecode=True)
    assert first.sha256 == second.sha256
    pyc = f"python/lamtrace/__pycache__/records.{TAG}.pyc"
    with zipfile.ZipFile(first.path) as archive:
        assert pyc in archive.namelist()
        record = archive.read(f"python/lamtrace-{lamtrace.__version__}.dist-info/RECORD").decode()
    assert f"\n{pyc.removeprefix('python/')},sha256=" in record
    # with the shipped .pyc files nothing is compiled at import; without them every module is (-B: nothing cached)
    assert run_isolated(SPY_ON_COMPILES, [unpack(first.path, tmp_path / "compiled")]) == []
    plain = build_layer(tmp_path / "plain.zip", bytecode=False)
    assert run_isolated(SPY_ON_COMPILES, [unpack(plain.path, tmp_path / "plain")]) == [
        "lamtrace/__init__.py",
        "lamtrace/errors.py",
        "lamtrace/records.py",
    ]


def test_compile_needs_the_target_interpreter(tmp_path: Path) -> None:
    other = "3.10" if HOST_PYTHON != "3.10" else "3.11"
    with pytest.raises(LamtraceError, match=f"target Python {other}"):
        build_layer(tmp_path / "x.zip", python=other, bytecode=True)


def test_cli_compile_flag(tmp_path: Path, capsys) -> None:
    from lamtrace.cli import main

    assert main(["layer", "build", "--compile", "--python", HOST_PYTHON, "-o", str(tmp_path / "c.zip")]) == 0
    assert "with .pyc" in capsys.readouterr().out
    assert (
        main(["layer", "build", "--no-compile", "--python", HOST_PYTHON, "-o", str(tmp_path / "n.zip")]) == 0
    )
    assert "sources only" in capsys.readouterr().out
    other = "3.10" if HOST_PYTHON != "3.10" else "3.11"
    assert main(["layer", "build", "--compile", "--python", other, "-o", str(tmp_path / "d.zip")]) == 2
    assert "version-specific" in capsys.readouterr().err


def test_default_compiles_only_for_this_interpreter(tmp_path: Path) -> None:
    assert build_layer(tmp_path / "here.zip", python=HOST_PYTHON).compiled
    other = "3.10" if HOST_PYTHON != "3.10" else "3.11"
    elsewhere = build_layer(tmp_path / "there.zip", python=other)
    assert not elsewhere.compiled
    with zipfile.ZipFile(elsewhere.path) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".pyc")]
