"""``lamtrace collect``: pull CloudWatch Logs (and X-Ray traces) into a Parquet store (a shell over
``collectors.collect.collect``)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subcommands: argparse._SubParsersAction) -> None:
    parser = subcommands.add_parser(
        "collect",
        help="pull CloudWatch Logs and X-Ray traces into a local Parquet store",
        description="Pull raw log events (FilterLogEvents) and, with --traces, X-Ray trace documents for a time "
        "window into DIR (Parquet, partitioned by log group and date). Collecting into the same DIR again adds "
        "only what is new; an interrupted collect resumes when run again with the same arguments. AWS settings "
        "come from --profile/--region or the usual environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).",
    )
    parser.add_argument(
        "--log-group",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help="log group(s) (repeatable)",
    )
    parser.add_argument(
        "--log-group-prefix",
        action="extend",
        nargs="+",
        default=[],
        metavar="PREFIX",
        help="every log group with this prefix (repeatable)",
    )
    parser.add_argument(
        "--function",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help="Lambda function: its log group (LoggingConfig.LogGroup or /aws/lambda/NAME)",
    )
    parser.add_argument(
        "--since", required=True, help="window start: 2h, 7d, 30m ago, or ISO 8601 (UTC if no zone)"
    )
    parser.add_argument("--until", help="window end (default: now)")
    parser.add_argument("--out", required=True, metavar="DIR", help="store directory (created if missing)")
    parser.add_argument("--filter-pattern", help="CloudWatch Logs filter pattern applied server-side")
    parser.add_argument("--traces", action="store_true", help="also pull X-Ray traces for the window")
    parser.add_argument(
        "--traces-from-logs",
        action="store_true",
        help="pull only the X-Ray traces whose ids the collected log events mention (REPORT XRAY lines, xray_trace_id)",
    )
    parser.add_argument(
        "--trace-filter",
        metavar="EXPR",
        help='X-Ray filter expression (default: service("NAME") for each /aws/lambda/NAME group)',
    )
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE or the default profile)")
    parser.add_argument(
        "--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION or the profile's)"
    )
    parser.add_argument("--workers", type=int, default=4, help="parallel FilterLogEvents pulls (default 4)")
    parser.set_defaults(func=_collect)


def _collect(args: argparse.Namespace) -> int:
    from collectors.collect import collect

    with _progress_bar() as progress:
        summary = collect(
            args.out,
            log_groups=args.log_group,
            prefixes=args.log_group_prefix,
            functions=args.function,
            since=args.since,
            until=args.until,
            filter_pattern=args.filter_pattern,
            traces=args.traces,
            trace_filter=args.trace_filter,
            trace_ids_from_logs=args.traces_from_logs,
            profile=args.profile,
            region=args.region,
            workers=args.workers,
            progress=progress,
        )
    for line in summary.lines():
        print(line)
    return 0


class _progress_bar:  # noqa: N801 - used like a function in a `with`
    """A rich progress display on stderr when it is a terminal; otherwise a no-op callback."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return None
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        except ImportError:
            return None
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        return self._update

    def __exit__(self, *_: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _update(self, event: str, value: int) -> None:
        progress = self._progress
        if event == "slices":
            self._tasks["logs"] = progress.add_task("log slices", total=value)
        elif event == "slice_done":
            progress.update(self._tasks["logs"], advance=1, description=f"log slices ({value} events)")
        elif event == "slices_skipped":
            progress.update(self._tasks["logs"], advance=value)
        elif event in ("trace_ids", "segments"):
            if "traces" not in self._tasks:
                self._tasks["traces"] = progress.add_task("traces", total=None)
            progress.update(self._tasks["traces"], completed=value, description=f"traces ({event}: {value})")
