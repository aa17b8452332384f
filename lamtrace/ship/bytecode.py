"""Compile a layer's Python sources to ``.pyc`` files that are the same bytes on every build.

``/opt`` is read-only in Lambda, so without shipped ``.pyc`` files Python recompiles every module a function
imports at every cold start. Shipped ones must come from the same Python minor version as the runtime; they are
written in *unchecked-hash* mode (PEP 552: no source timestamp in the header, never revalidated — the layer cannot
change). They name their source as ``/opt/python/...`` so their bytes do not depend on the build directory (the
import system points ``co_filename`` at the real source when it loads them).
"""

from __future__ import annotations

import importlib.util
import py_compile
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from lamtrace.errors import LamtraceError

LAYER_ROOT = "/opt"  # where Lambda unpacks layers


def host_python() -> str:
    """This interpreter's ``X.Y``."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def check_interpreter(python: str) -> None:
    """Refuse to compile for another Python: bytecode is specific to one minor version."""
    here = host_python()
    if python != here:
        raise LamtraceError(
            f"--compile needs to run on the target Python {python} (this is {here}): .pyc files are version-specific"
        )


def compile_entries(entries: Mapping[str, Path | bytes]) -> tuple[dict[str, bytes], list[str]]:
    """``.pyc`` entries for every ``.py`` entry, and the names of sources that did not compile (left as source).

    ``python/pkg/mod.py`` gets ``python/pkg/__pycache__/mod.cpython-XY.pyc``, the name the import system looks for.
    """
    compiled: dict[str, bytes] = {}
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lamtrace-pyc-") as tmp:
        for name, source in sorted(entries.items()):
            if not name.endswith(".py"):
                continue
            src = Path(tmp) / "source.py"
            src.write_bytes(source if isinstance(source, bytes) else source.read_bytes())
            target = Path(tmp) / "out.pyc"
            try:
                py_compile.compile(
                    str(src),
                    cfile=str(target),
                    dfile=f"{LAYER_ROOT}/{name}",
                    doraise=True,
                    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
                )
            except py_compile.PyCompileError:
                failed.append(name)
                continue
            compiled[str(PurePosixPath(importlib.util.cache_from_source(name)))] = target.read_bytes()
    return compiled, failed
