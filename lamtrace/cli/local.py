"""``lamtrace local``: run handlers on this machine under the real awslambdaric, writing Lambda's real telemetry.

``lamtrace local invoke MODULE.FUNCTION --out DIR`` runs one function (``--repeat``, ``--invocation-type Event``, …);
``lamtrace local run SCENARIO --out DIR`` runs a traffic scenario (JSON or YAML). ``lamtrace report DIR`` reads DIR.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "local", help="run Lambda handlers locally, producing real-format logs and traces"
    )
    actions = parser.add_subparsers(dest="local_command", metavar="ACTION", required=True)

    invoke = actions.add_parser(
        "invoke",
        help="invoke one handler",
        description="Invoke MODULE.FUNCTION (importable from --path) under awslambdaric, the way Lambda does, and "
        "write its CloudWatch events and X-Ray documents under --out. Exit status 1 if an invocation failed.",
    )
    invoke.add_argument("handler", metavar="MODULE.FUNCTION")
    invoke.add_argument("--event", default=None, help="event JSON file, or - for stdin (default: {})")
    invoke.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="invoke N times (the first is cold)"
    )
    invoke.add_argument("--invocation-type", choices=("RequestResponse", "Event"), default="RequestResponse")
    invoke.add_argument("--timeout", type=float, default=3.0, metavar="S", help="function timeout in seconds")
    invoke.add_argument("--memory", type=int, default=128, metavar="MB", help="memory size (MB)")
    invoke.add_argument("--enforce-memory", action="store_true", help="kill the runtime above --memory (OOM)")
    invoke.add_argument("--log-format", choices=("Text", "JSON"), default="Text")
    invoke.add_argument("--tracing", choices=("PassThrough", "Active"), default="Active")
    invoke.add_argument(
        "--path", type=Path, default=Path("."), help="task root holding the module (default: .)"
    )
    invoke.add_argument("--name", default=None, help="function name (default: the module name)")
    invoke.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="environment variable"
    )
    invoke.add_argument(
        "--time-scale", type=float, default=0.01, help="factor applied to waits (retry delays)"
    )
    invoke.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    invoke.set_defaults(func=_invoke)

    run = actions.add_parser(
        "run",
        help="run a traffic scenario",
        description="Run a scenario file (JSON, or YAML with PyYAML): functions, queues and traffic. "
        "See docs/local.md for the format.",
    )
    run.add_argument("scenario", type=Path, metavar="SCENARIO")
    run.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    run.add_argument(
        "--summary", type=Path, default=None, metavar="FILE", help="also write the run summary (JSON)"
    )
    run.set_defaults(func=_run)

    publish = actions.add_parser(
        "publish",
        help="upload an output directory to CloudWatch Logs and X-Ray",
        description="Create the log groups and streams of DIR/logs and upload their events (PutLogEvents), and the "
        "trace documents of DIR/traces (PutTraceSegments). AWS settings come from --profile/--region or the usual "
        "environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL for a local endpoint such as moto).",
    )
    publish.add_argument("directory", type=Path, metavar="DIR")
    publish.add_argument("--no-traces", action="store_true", help="upload the logs only")
    publish.add_argument("--profile", help="AWS profile")
    publish.add_argument("--region", help="AWS region")
    publish.set_defaults(func=_publish)


def _read_event(source: str | None) -> object:
    from lamtrace.errors import InputError

    if source is None:
        return {}
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read event {source}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"event {source} is not JSON: {exc}") from None


def _invoke(args: argparse.Namespace) -> int:
    from lamtrace.errors import InputError
    from lamtrace.local.config import FunctionConfig
    from lamtrace.local.service import LocalLambda

    event = _read_event(args.event)
    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--env takes KEY=VALUE, got {item!r}")
        env[key] = value
    config = FunctionConfig(
        handler=args.handler, path=args.path, name=args.name, timeout_s=args.timeout, memory_mb=args.memory,
        log_format=args.log_format, tracing=args.tracing, env=env, enforce_memory=args.enforce_memory,
    )  # fmt: skip
    service = LocalLambda(args.out, time_scale=args.time_scale)
    try:
        service.create_function(config)
        for _ in range(max(args.repeat, 1)):
            result = service.invoke(config.name, event, invocation_type=args.invocation_type)
            if args.invocation_type == "RequestResponse":
                print(_describe(result))
    finally:
        summary = service.close()
    if args.invocation_type == "Event":
        for attempt in service.recorder.attempts:
            print(
                f"{attempt.request_id}  attempt {attempt.attempt}  {attempt.status:<8} {attempt.duration_ms:9.2f} ms"
            )
    print(f"wrote {args.out}/logs and {args.out}/traces", file=sys.stderr)
    failed = summary["attempts"] - summary["success"]
    return 1 if failed else 0


def _describe(result) -> str:
    start = "cold" if result.cold else "warm"
    line = f"{result.request_id}  {result.status:<8} {start}  {result.duration_ms:9.2f} ms"
    if result.status == "success":
        return f"{line}  {result.response.decode('utf-8', errors='replace')[:200]}"
    return f"{line}  {(result.error or {}).get('errorType', '')}: {(result.error or {}).get('errorMessage', '')}"[
        :300
    ]


def _run(args: argparse.Namespace) -> int:
    from lamtrace.local.scenario import run_scenario

    summary = run_scenario(args.scenario, args.out)
    width = max(len(key) for key in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}/logs and {args.out}/traces", file=sys.stderr)
    return 0


def _publish(args: argparse.Namespace) -> int:
    from collectors.aws import aws_errors, client, session
    from lamtrace.local.publish import publish

    boto_session = session(args.profile, args.region)
    logs = client("logs", boto_session)
    xray = None if args.no_traces else client("xray", boto_session)
    with aws_errors(
        "publish to CloudWatch Logs / X-Ray", iam_action="logs:PutLogEvents, xray:PutTraceSegments"
    ):
        stats = publish(args.directory, logs_client=logs, xray_client=xray)
    print(
        f"{stats.events} events in {stats.log_streams} streams of {stats.log_groups} log groups "
        f"({stats.rejected_events} rejected); {stats.documents} trace documents ({stats.unprocessed_documents} unprocessed)"
    )
    return 0
