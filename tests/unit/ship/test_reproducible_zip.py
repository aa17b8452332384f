"""The zip writer: same names and contents give the same bytes, whatever the files' times, modes and order."""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from lamtrace.ship.reproducible_zip import ZIP_EPOCH, source_date_epoch, write_zip


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path, mtime: int, mode: int) -> dict[str, Path]:
    contents = {
        "python/pkg/__init__.py": b"x = 1\n",
        "python/pkg/data/table.json": b"{}",
        "python/mod.py": b"",
    }
    entries = {}
    for name, data in contents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(mode)
        os.utime(path, (mtime, mtime))
        entries[name] = path
    return entries


def test_same_contents_same_bytes_despite_mtime_mode_and_order(tmp_path: Path) -> None:
    first = _files(tmp_path / "a", mtime=1_700_000_000, mode=0o600)
    second = _files(tmp_path / "b", mtime=1_800_000_000, mode=0o755)
    write_zip(tmp_path / "1.zip", first)
    write_zip(tmp_path / "2.zip", dict(reversed(list(second.items()))))
    assert _sha(tmp_path / "1.zip") == _sha(tmp_path / "2.zip")


def test_entries_are_sorted_with_parent_directories_and_fixed_modes(tmp_path: Path) -> None:
    write_zip(tmp_path / "out.zip", {"python/b/c.py": b"c", "python/a.py": b"a"}, epoch=ZIP_EPOCH)
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["python/", "python/a.py", "python/b/", "python/b/c.py"]
    modes = {i.filename: i.external_attr >> 16 for i in infos}
    assert modes["python/"] == stat.S_IFDIR | 0o755
    assert modes["python/a.py"] == stat.S_IFREG | 0o644
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert all(i.extra == b"" for i in infos)


def test_epoch_sets_every_entry_time(tmp_path: Path) -> None:
    write_zip(tmp_path / "out.zip", {"a.txt": b"a"}, epoch=1_764_324_000)  # 2025-11-28T10:00:00Z
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.getinfo("a.txt").date_time == (2025, 11, 28, 10, 0, 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ZIP_EPOCH),
        ("", ZIP_EPOCH),
        ("0", ZIP_EPOCH),
        ("1764324000", 1_764_324_000),
        (" 1764324000\n", 1_764_324_000),
    ],
)
def test_source_date_epoch(value: str | None, expected: int) -> None:
    environ = {} if value is None else {"SOURCE_DATE_EPOCH": value}
    assert source_date_epoch(environ) == expected


def test_source_date_epoch_that_is_not_a_number_is_an_error() -> None:
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        source_date_epoch({"SOURCE_DATE_EPOCH": "yesterday"})


@pytest.mark.parametrize("name", ["/abs.py", "python/../escape.py", "python/dir/"])
def test_bad_archive_names_are_refused_and_nothing_is_written(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="bad archive name"):
        write_zip(tmp_path / "out.zip", {name: b"x"})
    assert list(tmp_path.iterdir()) == []
