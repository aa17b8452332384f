"""The commands register cheaply: ``lamtrace --help`` must not import pandas, DuckDB, rich or matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys

from lamtrace.cli import build_parser
from tests.conftest import REPO


def test_building_the_parser_imports_no_heavy_library() -> None:
    probe = (
        "import sys, json\nfrom lamtrace.cli import build_parser\nbuild_parser()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pandas', 'duckdb', 'rich', 'matplotlib', 'jinja2', 'numpy', 'pyarrow'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_report_diff_and_demo_are_registered_with_their_options() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["report", "a/", "b.json", "--traces", "t/", "--fail-on", "p99>1s", "-f", "json"]
    )
    assert (args.sources, args.traces, args.fail_on, args.format) == (
        ["a/", "b.json"],
        ["t/"],
        "p99>1s",
        "json",
    )
    args = parser.parse_args(
        ["diff", "logs/", "--a", "version=1", "--b", "version=2", "--fail-on-regression"]
    )
    assert (args.a, args.b, args.fail_on_regression) == ("version=1", "version=2", True)
    args = parser.parse_args(["demo", "--out", "d", "--html", "x.html", "--bundled"])
    assert (args.out, args.html, args.bundled, args.format) == ("d", "x.html", True, "table")
