"""`lamtrace layer build` without extras: contents, reproducibility, size report, bad input. No network."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import pytest

import lamtrace
from lamtrace.cli import main
from lamtrace.errors import LamtraceError
from lamtrace.ship.layer import (
    EXTRA_REQUIREMENTS,
    IN_LAYER,
    LayerBuild,
    build_layer,
    installed_entries,
    pip_platforms,
)
from tests.conftest import REPO


@pytest.fixture(scope="module")
def core_zip(tmp_path_factory: pytest.TempPathFactory) -> LayerBuild:
    return build_layer(tmp_path_factory.mktemp("layer") / "layer.zip", bytecode=False)


def test_core_layer_has_the_python_layout_and_only_in_function_code(core_zip: LayerBuild) -> None:
    with zipfile.ZipFile(core_zip.path) as archive:
        names = archive.namelist()
    assert "python/lamtrace/__init__.py" in names
    assert "python/lamtrace/records.py" in names
    assert all(name.startswith("python/") for name in names)
    package_parts = {name.split("/")[2] for name in names if name.startswith("python/lamtrace/")}
    assert package_parts <= IN_LAYER | {""}
    assert not {"analysis", "cli", "local", "render", "ship", "__main__.py"} & package_parts
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]


def test_every_in_function_module_of_the_package_is_shipped(core_zip: LayerBuild) -> None:
    package = Path(lamtrace.__file__).parent
    wanted = {
        f"python/lamtrace/{p.relative_to(package).as_posix()}"
        for p in package.rglob("*.py")
        if p.relative_to(package).parts[0] in IN_LAYER
    }
    with zipfile.ZipFile(core_zip.path) as archive:
        assert wanted <= set(archive.namelist())


def test_dist_info_record_matches_the_shipped_files(core_zip: LayerBuild) -> None:
    info = f"python/lamtrace-{lamtrace.__version__}.dist-info"
    with zipfile.ZipFile(core_zip.path) as archive:
        assert f"Version: {lamtrace.__version__}" in archive.read(f"{info}/METADATA").decode()
        rows = list(csv.reader(io.StringIO(archive.read(f"{info}/RECORD").decode())))
        files = {n for n in archive.namelist() if not n.endswith("/")}
        assert {f"python/{row[0]}" for row in rows} == files
        for path, digest, size in rows:
            if not digest:
                continue
            data = archive.read(f"python/{path}")
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={expected}" and int(size) == len(data)


def test_building_twice_gives_the_same_bytes(core_zip: LayerBuild, tmp_path: Path) -> None:
    again = build_layer(tmp_path / "elsewhere" / "again.zip", bytecode=False)
    assert again.sha256 == core_zip.sha256
    assert again.path.read_bytes() == core_zip.path.read_bytes()


def test_source_date_epoch_changes_the_bytes_and_nothing_else(core_zip: LayerBuild, tmp_path: Path) -> None:
    later = build_layer(tmp_path / "later.zip", epoch=1_764_324_000, bytecode=False)
    assert later.sha256 != core_zip.sha256
    with zipfile.ZipFile(later.path) as a, zipfile.ZipFile(core_zip.path) as b:
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist())


def test_size_report_is_within_limits(core_zip: LayerBuild) -> None:
    assert core_zip.zipped_bytes == core_zip.path.stat().st_size
    assert 0 < core_zip.zipped_bytes < core_zip.unzipped_bytes < 1024 * 1024
    assert core_zip.problems() == []
    assert core_zip.packages == {"lamtrace": lamtrace.__version__}


def test_oversized_layers_are_reported() -> None:
    huge = LayerBuild(
        Path("x.zip"), "3.12", "x86_64", (), "0" * 64, 60 * 2**20, 300 * 2**20, 1, {"lamtrace": "0"}
    )
    problems = huge.problems()
    assert len(problems) == 2
    assert "50 MB direct-upload limit" in problems[0] and "S3" in problems[0]
    assert "250 MB" in problems[1]


def test_description_and_publish_command_name_the_target(core_zip: LayerBuild) -> None:
    assert core_zip.description == f"lamtrace {lamtrace.__version__} python3.12 x86_64 core"
    command = core_zip.publish_command("obs")
    assert "--layer-name obs" in command
    assert "--compatible-runtimes python3.12 --compatible-architectures x86_64" in command


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"python": "3.9"}, "3.10 or newer"),
        ({"python": "python3.12"}, "3.10 or newer"),
        ({"arch": "aarch64"}, "x86_64, arm64"),
        ({"extras": ["pandas"]}, "unknown extra 'pandas'"),
    ],
)
def test_bad_targets_are_clear_errors(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(LamtraceError, match=message):
        build_layer(tmp_path / "x.zip", **kwargs)
    assert not (tmp_path / "x.zip").exists()


def test_pip_failure_is_one_clear_error(tmp_path: Path) -> None:
    offline = ["--no-index", "--find-links", str(tmp_path)]  # nowhere to find wheels
    with pytest.raises(LamtraceError, match="pip could not install aws-xray-sdk"):
        build_layer(tmp_path / "x.zip", extras=["xray"], pip_args=offline)
    assert not (tmp_path / "x.zip").exists()


def test_platform_tags_follow_the_runtime_generation() -> None:
    assert pip_platforms("3.11", "x86_64") == ["manylinux2014_x86_64"]
    assert pip_platforms("3.12", "arm64") == ["manylinux2014_aarch64", "manylinux_2_28_aarch64"]


def _fake_dist(target: Path, name: str, version: str, files: dict[str, bytes]) -> None:
    info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n")
    rows = [f"{path},sha256=x,1" for path in files] + [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(rows) + "\n")
    for path, data in files.items():
        (target / path).parent.mkdir(parents=True, exist_ok=True)
        (target / path).write_bytes(data)


def test_runtime_provided_distributions_are_left_out_with_all_their_files(tmp_path: Path) -> None:
    _fake_dist(tmp_path, "botocore", "1.0", {"botocore/__init__.py": b"", "botocore/data/x.json": b"{}"})
    _fake_dist(tmp_path, "Python_Dateutil", "2.9", {"dateutil/__init__.py": b""})
    _fake_dist(tmp_path, "wrapt", "1.16", {"wrapt/__init__.py": b"", "wrapt/_wrappers.so": b"\x7fELF"})
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "tool").write_text("#!/build/machine/python\n")
    (tmp_path / "wrapt" / "__pycache__").mkdir()
    (tmp_path / "wrapt" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"")
    entries, packages, left_out = installed_entries(tmp_path)
    assert packages == {"wrapt": "1.16"}
    assert left_out == ["botocore", "python-dateutil"]
    assert sorted(entries) == [
        "python/wrapt-1.16.dist-info/METADATA",
        "python/wrapt-1.16.dist-info/RECORD",
        "python/wrapt/__init__.py",
        "python/wrapt/_wrappers.so",
    ]
    everything, packages, left_out = installed_entries(tmp_path, skip=frozenset())
    assert left_out == [] and set(packages) == {"botocore", "python-dateutil", "wrapt"}
    assert "python/botocore/data/x.json" in everything


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
def test_extra_requirements_match_pyproject() -> None:
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra, requirements in EXTRA_REQUIREMENTS.items():
        assert list(requirements) == extras[extra]


def test_cli_builds_and_prints_sizes_and_publish_command(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764324000")
    assert main(["layer", "build", "-o", str(tmp_path / "l.zip"), "--python", "3.13", "--arch", "arm64"]) == 0
    out = capsys.readouterr().out
    assert "python3.13, arm64, core only, sources only" in out
    assert "no .pyc files: run the build with Python 3.13" in out
    assert "of the 50 MB direct-upload limit" in out and "of the 250 MB limit" in out
    assert "--compatible-architectures arm64" in out
    with zipfile.ZipFile(tmp_path / "l.zip") as archive:
        assert archive.infolist()[0].date_time == (2025, 11, 28, 10, 0, 0)


def test_cli_reports_bad_input_in_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    assert main(["layer", "build", "-o", str(tmp_path / "l.zip"), "--python", "2.7"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert main(["layer", "build", "-o", str(tmp_path / "l.zip")]) == 2
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err


def test_cli_output_into_a_directory_uses_the_default_name(tmp_path: Path) -> None:
    assert main(["layer", "build", "-o", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == [
        f"lamtrace-layer-{lamtrace.__version__}-py3.12-x86_64.zip"
    ]
