"""Write zip archives whose bytes depend only on the files put in them.

Same names and contents in, same bytes out: entries are sorted, every entry carries one fixed timestamp
(``SOURCE_DATE_EPOCH``, see https://reproducible-builds.org/specs/source-date-epoch/), fixed Unix permissions,
a fixed compression level, and no extra fields or comments. Parent directories get their own entries.
"""

from __future__ import annotations

import os
import stat
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path

# The earliest time a zip header can hold (1980-01-01T00:00:00Z); the default when no epoch is given.
ZIP_EPOCH = 315532800
_ZIP_MAX_EPOCH = 4354819199  # 2107-12-31T23:59:59Z

FILE_MODE = stat.S_IFREG | 0o644
DIR_MODE = stat.S_IFDIR | 0o755
_UNIX = 3  # "version made by" host system: Unix, so external_attr carries the modes above
_MSDOS_DIRECTORY = 0x10


def source_date_epoch(environ: Mapping[str, str] = os.environ) -> int:
    """The timestamp for archive entries: ``SOURCE_DATE_EPOCH`` if set (clamped to what zip can hold), else 1980-01-01."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return ZIP_EPOCH
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"SOURCE_DATE_EPOCH must be an integer number of seconds, not {raw!r}") from None
    return min(max(value, ZIP_EPOCH), _ZIP_MAX_EPOCH)


def _parents(name: str) -> list[str]:
    parts = name.split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def write_zip(dest: Path, entries: Mapping[str, Path | bytes], *, epoch: int = ZIP_EPOCH) -> None:
    """Write ``entries`` (archive name -> file path or bytes) to ``dest`` reproducibly.

    Archive names use ``/`` and are relative (``python/lamtrace/__init__.py``). The archive is written to a
    temporary file next to ``dest`` and renamed, so a failed build never leaves a half-written zip behind.
    """
    date_time = time.gmtime(epoch)[:6]
    names = set(entries)
    for name in entries:
        if name.startswith("/") or ".." in name.split("/") or name.endswith("/"):
            raise ValueError(f"bad archive name: {name!r}")
        names.update(_parents(name))
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for name in sorted(names):
                info = zipfile.ZipInfo(name, date_time=date_time)
                info.create_system = _UNIX
                if name.endswith("/"):
                    info.external_attr = (DIR_MODE << 16) | _MSDOS_DIRECTORY
                    archive.writestr(info, b"")
                    continue
                info.external_attr = FILE_MODE << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                source = entries[name]
                data = source if isinstance(source, bytes) else source.read_bytes()
                archive.writestr(info, data, compresslevel=9)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
