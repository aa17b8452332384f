"""``lamtrace doctor FUNCTION``: is a deployed function set up so lamtrace can observe it?"""

from __future__ import annotations

import argparse


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "doctor",
        help="check a deployed function's tracing, logging, layer, role and concurrency setup",
        description="Read a function's configuration, log group, layers, execution role and concurrency with boto3 "
        "and print each finding (ok/warn/fail) with its fix. Exit code 1 when a finding fails.",
    )
    parser.add_argument("function", metavar="FUNCTION", help="function name or ARN")
    parser.add_argument("--qualifier", help="version or alias to check")
    parser.add_argument("--profile", help="AWS profile (default: boto3's usual lookup)")
    parser.add_argument("--region", help="AWS region (default: the profile's or AWS_REGION)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    from lamtrace.ship.doctor import diagnose

    diagnosis = diagnose(args.function, args.qualifier, profile=args.profile, region=args.region)
    print(diagnosis.render(args.format))
    return 1 if diagnosis.failed else 0
