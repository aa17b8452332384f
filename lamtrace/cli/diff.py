"""``lamtrace diff``: compare two versions or time windows of the same functions, with a significance test.

Each side is a SPEC of comma-separated ``key=value``: ``version``, ``function``, ``trigger``, ``stream``, ``since``,
``until``, ``source`` (a path or glob read for that side only). Without ``--a``/``--b`` the two versions found
in the input are compared.

    lamtrace diff logs/ --a version=3 --b version=4
    lamtrace diff logs/ --a until=2026-11-28T10:00Z --b since=2026-11-28T10:00Z
    lamtrace diff --a source=before/ --b source=after/
"""

from __future__ import annotations

import argparse
from typing import Any

from lamtrace.cli.sources import add_input_arguments
from lamtrace.errors import InputError

SPEC_KEYS = ("version", "function", "trigger", "stream", "since", "until", "source")
COLUMN_OF = {"version": "version", "function": "function", "trigger": "trigger", "stream": "log_stream"}
REGRESSION_EXIT = 3


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "diff",
        help="compare two versions or time windows (Mann-Whitney U, bootstrap CIs)",
        description="Compare invocation durations and failure rates between two sides, per function. Each side is "
        "a SPEC of key=value pairs ("
        + ", ".join(SPEC_KEYS)
        + "). Without --a/--b: the two versions in the input.",
    )
    add_input_arguments(parser)
    parser.add_argument("--a", metavar="SPEC", help="the baseline, e.g. version=3 or until=2026-11-28T10:00Z")
    parser.add_argument(
        "--b", metavar="SPEC", help="the candidate, e.g. version=4 or since=2026-11-28T10:00Z"
    )
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    parser.add_argument("--format", "-f", choices=("table", "json", "markdown"), default="table")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--fail-on-regression",
        action="store_true",
        help=f"exit {REGRESSION_EXIT} when any function is significantly slower in b",
    )
    parser.set_defaults(func=run)


def parse_spec(text: str | None, option: str) -> dict[str, str]:
    """``"version=3,since=2h"`` -> ``{"version": "3", "since": "2h"}``; raises InputError on unknown keys."""
    spec: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            raise InputError(f"{option}: expected key=value, got {part.strip()!r}")
        if key not in SPEC_KEYS:
            hint = " (aliases are not in the logs: use the version they point to)" if key == "alias" else ""
            raise InputError(f"{option}: unknown key {key!r}; use {', '.join(SPEC_KEYS)}{hint}")
        spec[key] = value
    return spec


def describe(spec: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in spec.items()) or "all"


def select(invocations: Any, spec: dict[str, str]) -> Any:
    """The attempts of ``invocations`` a SPEC selects (``source`` is handled when loading)."""
    from lamtrace.cli.sources import time_window

    rows = invocations
    for key, column in COLUMN_OF.items():
        if key in spec:
            rows = rows[rows[column].astype("string") == spec[key]]
    since, until = time_window(spec.get("since"), spec.get("until"))
    if since is not None:
        rows = rows[rows["start_time"] >= since]
    if until is not None:
        rows = rows[rows["start_time"] < until]
    return rows


def _version_order(version: str) -> tuple[int, int | str]:
    return (0, int(version)) if version.isdigit() else (1, version)


def _default_sides(invocations: Any) -> tuple[dict[str, str], dict[str, str]]:
    versions = sorted({str(v) for v in invocations["version"].dropna()}, key=_version_order)
    if len(versions) != 2:
        found = ", ".join(versions) or "none"
        raise InputError(f"say what to compare with --a and --b (the input has versions: {found})")
    return {"version": versions[0]}, {"version": versions[1]}


def run(args: argparse.Namespace) -> int:
    from lamtrace.analysis.compare import compare
    from lamtrace.cli.console import note, progress, use_color, write_output
    from lamtrace.cli.sources import load_dataset
    from lamtrace.render.diff import render_diff

    if not 0 < args.alpha < 1:
        raise InputError("--alpha must be between 0 and 1")
    spec_a, spec_b = parse_spec(args.a, "--a"), parse_spec(args.b, "--b")
    if bool(args.a) != bool(args.b):
        raise InputError(
            "give both --a and --b, or neither (then the two versions in the input are compared)"
        )
    shared = load_dataset(args) if not ("source" in spec_a and "source" in spec_b) else None
    if not args.a:
        spec_a, spec_b = _default_sides(shared.invocations)
    sides = []
    for name, spec in (("a", spec_a), ("b", spec_b)):
        dataset = load_dataset(args, sources=[spec["source"]]) if "source" in spec else shared
        rows = select(dataset.invocations, spec)
        if rows.empty:
            raise InputError(f"--{name} {describe(spec)} selects no invocations")
        sides.append(rows)
    by_function = spec_a.get("function") == spec_b.get("function")
    with progress("Comparing", quiet=args.quiet):
        result = compare(
            *sides, labels=(describe(spec_a), describe(spec_b)), by_function=by_function, alpha=args.alpha
        )
    color = args.format == "table" and args.output in (None, "-") and use_color()
    write_output(render_diff(result.to_dict(), args.format, color=color), args.output)
    if args.fail_on_regression and result.regressed:
        slower = [f["function"] for f in result.functions if f["verdict"] == "slower"]
        note(f"significantly slower in b: {', '.join(slower)}")
        return REGRESSION_EXIT
    return 0
