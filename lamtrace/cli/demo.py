"""``lamtrace demo``: run example functions under the local Lambda emulator, then report on what they logged.

No AWS account needed. With the ``local`` extra (awslambdaric) the data is generated fresh; otherwise (or with
``--bundled``) the report is built from a recorded copy shipped in ``lamtrace/demo_data``: raw log events and X-Ray
documents in the canonical formats (docs/schema.md), recorded on 2026-11-28 by running ``lamtrace.local.demo``
(the shop functions under the real awslambdaric): 50 attempts of four functions with cold and warm starts, a
provisioned environment, handler errors, a timeout, asynchronous retries and sampled traces.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any

from lamtrace.cli.report import add_report_arguments

BUNDLED = Path(__file__).resolve().parent.parent / "demo_data"


def register(subcommands: Any) -> None:
    parser = subcommands.add_parser(
        "demo",
        help="run example functions locally and show their report (no AWS account needed)",
        description="Run a small shop of example functions under the real Lambda runtime client on this machine "
        "(cold and warm starts, errors, a timeout, retries, traces), keep their logs and traces in a directory, "
        "and print the report.",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="keep the demo data here (default: a new temporary directory)"
    )
    parser.add_argument(
        "--bundled",
        action="store_true",
        help="report on the recorded demo data instead of running the functions",
    )
    parser.add_argument("--region", help="AWS region for prices (default: the price table's default)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    add_report_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lamtrace.analysis import load
    from lamtrace.cli.console import note, progress
    from lamtrace.cli.report import check_report_arguments, emit

    check_report_arguments(args)
    out = _output_dir(args.out)
    if args.bundled or not _generate(out, quiet=args.quiet):
        copy_bundled(out)
    with progress("Reading the demo data", quiet=args.quiet):
        dataset = load(logs=str(out))
    code = emit(dataset, args, title="lamtrace demo")
    note(f"demo data kept in {out}; report on it again with: lamtrace report {out}")
    return code


def _output_dir(path: str | None) -> Path:
    from lamtrace.errors import InputError

    if path is None:
        return Path(tempfile.mkdtemp(prefix="lamtrace-demo-"))
    out = Path(path)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            f"--out {path}: choose a new or empty directory (the demo would mix with what is there)"
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def _generate(out: Path, *, quiet: bool) -> bool:
    """Run the demo functions into ``out``; False when the local emulator is not installed."""
    from lamtrace.cli.console import note, progress

    try:
        from lamtrace.local.demo import generate
    except ImportError as exc:  # no lamtrace.local.demo yet, or the 'local' extra (awslambdaric) is missing
        note(f"using the recorded demo data ({exc.name or exc} is not available to run the functions)")
        return False
    from lamtrace.errors import MissingExtraError

    try:
        with progress("Running the demo functions under the local Lambda emulator", quiet=quiet):
            generate(out)
    except MissingExtraError as exc:
        note(f"using the recorded demo data ({exc})")
        return False
    return True


def copy_bundled(out: Path) -> None:
    """Copy the recorded demo data (``logs/``, ``traces/``) into ``out``."""
    for part in ("logs", "traces"):
        shutil.copytree(BUNDLED / part, out / part, dirs_exist_ok=True)
