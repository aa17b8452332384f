"""Cold start is a budget: the in-function path imports the standard library only."""

from __future__ import annotations

import json
import subprocess
import sys

import lamtrace
from tests.conftest import REPO

HEAVY = (
    "boto3",
    "botocore",
    "pandas",
    "numpy",
    "duckdb",
    "pyarrow",
    "aws_xray_sdk",
    "opentelemetry",
    "rich",
    "jinja2",
)


def _modules_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def _third_party(modules: set[str]) -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    return {
        m
        for m in modules
        if m.split(".")[0] not in stdlib and m.split(".")[0] not in ("lamtrace", "__main__")
    }


def test_import_lamtrace_loads_only_the_standard_library() -> None:
    # Subtract what the interpreter loads before our code runs (site hooks such as editable-install finders).
    baseline = _modules_after("pass")
    assert _third_party(_modules_after("import lamtrace") - baseline) == set()


def test_public_names_match_the_docs() -> None:
    assert set(lamtrace.__all__) == {"__version__", "instrument", "get_logger", "span", "trace"}


def test_no_heavy_module_is_loaded_by_import() -> None:
    loaded = _modules_after("import lamtrace")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
