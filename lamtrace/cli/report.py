"""``lamtrace report``: read logs (and traces), print the report; ``--fail-on`` turns it into a CI gate (exit 3).

The command is a thin shell: ``load(...).report(...).to_dict()`` rendered by ``lamtrace.render``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from typing import Any

from lamtrace.cli.sources import add_input_arguments, split_list
from lamtrace.render import FORMATS

GROUP_BY_CHOICES = ("function", "version", "trigger", "stream")
ARCHITECTURES = ("x86_64", "arm64")
GATE_EXIT = 3

# plot id in the HTML page -> Report method returning a matplotlib Figure
PLOT_METHODS = {
    "latency": "plot_latency",
    "timeline": "plot_timeline",
    "failures": "plot_failures",
    "xray": "plot_xray",
    "cost": "plot_cost",
}


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "report",
        help="report latency, cold starts, retries, failures and cost from logs and traces",
        description="Report on Lambda invocations from CloudWatch log events (files, directories, globs, a collect "
        "store, or CloudWatch itself) joined with X-Ray traces. Exit codes: 0 ok, 2 bad input, 3 a --fail-on gate "
        "broke.",
    )
    add_input_arguments(parser)
    add_report_arguments(parser)
    parser.set_defaults(func=run)


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Output options shared with ``lamtrace demo``."""
    parser.add_argument(
        "--group-by",
        action="append",
        default=[],
        metavar="KEYS",
        help=f"rows per combination of {', '.join(GROUP_BY_CHOICES)} (comma-separated; default: function)",
    )
    parser.add_argument("--format", "-f", choices=FORMATS, default="table", help="output format")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of stdout")
    parser.add_argument("--html", metavar="FILE", help="also write the HTML report (self-contained) to FILE")
    parser.add_argument(
        "--top", type=int, default=10, metavar="N", help="list the N slowest and failed invocations"
    )
    parser.add_argument("--architecture", choices=ARCHITECTURES, help="for prices (default: x86_64)")
    parser.add_argument(
        "--fail-on",
        metavar="GATES",
        help='exit 3 when any gate breaks, e.g. "p99>800ms,error_rate>1%%" (see docs/cli.md)',
    )


def run(args: argparse.Namespace) -> int:
    from lamtrace.cli.sources import load_dataset

    check_report_arguments(args)
    dataset = load_dataset(args)
    return emit(dataset, args)


def check_report_arguments(args: argparse.Namespace) -> None:
    """Fail fast on option mistakes, before any input is read."""
    from lamtrace.analysis.gates import parse_gates
    from lamtrace.errors import InputError

    args.gates = parse_gates(args.fail_on) if args.fail_on else []
    args.group_by = split_list(args.group_by)
    unknown = [key for key in args.group_by if key not in GROUP_BY_CHOICES]
    if unknown:
        raise InputError(f"--group-by: unknown key {unknown[0]!r}; use {', '.join(GROUP_BY_CHOICES)}")
    if args.top < 0:
        raise InputError("--top must be 0 or more")


def emit(dataset: Any, args: argparse.Namespace, *, title: str = "lamtrace report") -> int:
    """Build the report of ``dataset``, write it in the requested formats, and return the exit code."""
    from lamtrace.analysis.gates import evaluate
    from lamtrace.cli.console import is_terminal, note, progress, use_color, write_output
    from lamtrace.render import render

    options: dict[str, Any] = {"top": args.top}
    if args.group_by:
        options["group_by"] = tuple(args.group_by)
    if args.region:
        options["region"] = args.region
    if args.architecture:
        options["architecture"] = args.architecture
    with progress("Building the report", quiet=args.quiet):
        report = dataset.report(**options)
        data = report.to_dict()
    results = evaluate(args.gates, data) if args.gates else []
    to_terminal = args.format == "table" and args.output in (None, "-")
    figures = None
    if args.format == "html" or args.html:
        with progress("Drawing plots", quiet=args.quiet):
            figures = _figures(report)
    width = shutil.get_terminal_size((100, 24)).columns if to_terminal and is_terminal(sys.stdout) else None
    text = render(
        data,
        args.format,
        width=width,
        figures=figures,
        gate_results=results,
        color=to_terminal and use_color(),
        title=title,
    )
    write_output(text, args.output)
    if args.html:
        html = (
            text
            if args.format == "html"
            else render(data, "html", figures=figures, gate_results=results, title=title)
        )
        write_output(html, args.html)
        note(f"HTML report written to {args.html}")
    if args.format != "table":  # the table prints gate results itself; machine formats keep stdout clean
        for result in results:
            if result.broken or result.value is None:
                note(result.describe())
    broken = [r for r in results if r.broken]
    if broken:
        note(f"{len(broken)} gate(s) broken: {', '.join(sorted({str(r.gate) for r in broken}))}")
        return GATE_EXIT
    return 0


def _figures(report: Any) -> dict[str, Any]:
    """The report's plots as matplotlib Figures (None where the input has no data for a plot)."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never open a window
    figures: dict[str, Any] = {}
    for plot_id, method in PLOT_METHODS.items():
        draw = getattr(report, method, None)
        figures[plot_id] = draw() if callable(draw) else None
    return figures
