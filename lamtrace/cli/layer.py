"""``lamtrace layer build``: a reproducible Lambda layer zip of lamtrace's in-function code."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser("layer", help="build a Lambda layer with lamtrace in it")
    actions = parser.add_subparsers(dest="layer_command", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="write a layer zip (python/ layout)",
        description="Write a Lambda layer zip: lamtrace's in-function code, plus manylinux wheels of the chosen "
        "extras for the target Python and architecture. The same inputs give the same bytes "
        "(entry times come from SOURCE_DATE_EPOCH, default 1980-01-01).",
    )
    build.add_argument(
        "-o",
        "--output",
        type=Path,
        help="zip to write (default: lamtrace-layer-<version>-py<X.Y>-<arch>.zip)",
    )
    build.add_argument("--python", default="3.12", help="target Lambda Python version (default 3.12)")
    build.add_argument("--arch", default="x86_64", choices=("x86_64", "arm64"), help="target architecture")
    build.add_argument(
        "--with",
        dest="extras",
        action="append",
        default=[],
        choices=("otel", "xray"),
        help="add a tracing backend's packages (repeatable; downloads wheels with pip)",
    )
    build.add_argument(
        "--include-runtime-provided",
        action="store_true",
        help="also ship boto3/botocore and their dependencies, which the Lambda runtime already has",
    )
    build.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add reproducible .pyc files so Lambda does not compile the layer at every cold start (needs the build "
        "to run on the target Python; default: when it does)",
    )
    build.add_argument(
        "--layer-name", default="lamtrace", help="layer name used in the printed publish command"
    )
    build.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    from lamtrace.ship.layer import build_layer, default_filename
    from lamtrace.ship.reproducible_zip import source_date_epoch

    output = args.output or Path(default_filename(args.python, args.arch, args.extras))
    if output.is_dir():
        output = output / default_filename(args.python, args.arch, args.extras)
    try:
        epoch = source_date_epoch(os.environ)
    except ValueError as exc:
        from lamtrace.errors import InputError

        raise InputError(str(exc)) from None
    build = build_layer(
        output,
        python=args.python,
        arch=args.arch,
        extras=args.extras,
        include_runtime_provided=args.include_runtime_provided,
        epoch=epoch,
        bytecode=args.compile,
    )
    pyc = ", with .pyc" if build.compiled else ", sources only"
    print(f"wrote {build.path} ({build.runtime}, {build.arch}, {'+'.join(build.extras) or 'core only'}{pyc})")
    print(f"  sha256    {build.sha256}")
    print(f"  files     {build.files}")
    print(
        f"  zipped    {_size(build.zipped_bytes)}  ({build.zipped_bytes / 2**20 / 50:.1%} of the 50 MB direct-upload limit)"
    )
    print(
        f"  unzipped  {_size(build.unzipped_bytes)}  ({build.unzipped_bytes / 2**20 / 250:.1%} of the 250 MB limit, "
        "which the function's code and all its layers share)"
    )
    print("  packages  " + ", ".join(f"{name} {version}" for name, version in build.packages.items()))
    if build.left_out:
        print("  left out  " + ", ".join(build.left_out) + " (the Lambda Python runtime provides them)")
    if not build.compiled and args.compile is None:
        print(
            f"  note      no .pyc files: run the build with Python {args.python} to add them (faster cold starts)"
        )
    if build.not_compiled:
        print(
            f"  source    {len(build.not_compiled)} files did not compile for {build.runtime} and ship as source only"
        )
    for problem in build.problems():
        print(f"  problem   {problem}")
    print("publish it with:")
    print(f"  {build.publish_command(args.layer_name)}")
    return 1 if build.unzipped_bytes > 250 * 2**20 else 0


def _size(size: int) -> str:
    return f"{size / 1024:,.1f} KB" if size < 2**20 else f"{size / 2**20:,.2f} MB"
