"""Build a layer, unpack it the way Lambda does (into /opt), and run Python with only the layer importable."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

HOST_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
    platform.machine().lower()
)
HOST_PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def unpack(layer_zip: Path, opt: Path) -> Path:
    """Extract the zip into ``opt`` (like Lambda's /opt) and return ``opt/python``."""
    with zipfile.ZipFile(layer_zip) as archive:
        archive.extractall(opt)
    return opt / "python"


def run_isolated(code: str, path: list[Path]) -> dict:
    """Run ``code`` in a fresh interpreter whose sys.path is the standard library plus ``path`` only.

    ``-I -S``: no PYTHONPATH, no user or site packages (so no editable install of lamtrace either); ``-B``: no
    ``__pycache__`` written, as in Lambda's read-only ``/opt``.
    The code must print one JSON object as its last line.
    """
    prelude = f"import sys\nsys.path[:0] = {[str(p) for p in path]!r}\n"
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", prelude + code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])
