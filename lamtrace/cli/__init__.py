"""The ``lamtrace`` command: a thin shell over the Python API.

Each sub-command lives in its own module here with ``register(subcommands)``; the module adds its parser and sets
``func`` to a function of the parsed arguments returning the exit code. Command modules import heavy libraries inside
``func`` only, so ``lamtrace --help`` stays fast.

Exit codes: 0 success, 1 the work ran and found a failure (a handler raised under ``lamtrace local invoke``),
2 an error the user can act on (printed as one line), 3 a ``--fail-on`` gate was broken.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from lamtrace import __version__
from lamtrace.errors import LamtraceError

COMMAND_MODULES = ("demo", "report", "collect", "local", "layer", "doctor", "diff")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamtrace",
        description="Observability for AWS Lambda: collect CloudWatch Logs and X-Ray traces, and report on them offline.",
    )
    parser.add_argument("--version", action="version", version=f"lamtrace {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"lamtrace.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"lamtrace.cli.{name}":
                raise
            continue  # command not built yet
        module.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except LamtraceError as exc:
        if args.debug:
            raise
        print(f"lamtrace: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("lamtrace: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
