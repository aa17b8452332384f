"""What the ``report`` and ``diff`` commands read: SOURCE arguments resolved into log and trace inputs, and times.

A SOURCE is a file, a directory (recursive; a collect store or a ``lamtrace local`` run directory is just a
directory holding ``logs/`` and ``traces/``), or a glob. Each file's format is detected by ``collectors.files``;
trace formats are recognised wherever they appear, so ``--traces`` is only needed to say "these are traces".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from lamtrace.errors import InputError

_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$")
DEFAULT_PULL_WINDOW = timedelta(hours=1)
_UNITS = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass
class Inputs:
    """Files sorted by what they hold. ``skipped``: files with nothing to read (empty, export markers);
    ``unknown``: files of an unknown format found inside a directory (a named file of unknown format is an error)."""

    logs: list[str] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # path -> detected format name
    skipped: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def load_arguments(self) -> dict[str, Any]:
        """``logs=`` and ``traces=`` for ``lamtrace.analysis.load`` (which reads each format through
        ``collectors.files``, canonical files directly with DuckDB)."""
        return {"logs": list(self.logs) or None, "traces": list(self.traces) or None}


def _trace_formats() -> frozenset[str]:
    from collectors import file_formats as ff

    return frozenset({ff.TRACES_JSONL, ff.TRACES_PARQUET, ff.BATCH_GET_TRACES_JSON, ff.OTLP_JSON})


def _nothing_formats() -> frozenset[str]:
    from collectors import file_formats as ff

    return frozenset({ff.EMPTY, ff.IGNORED})


def resolve(sources: Sequence[str], traces: Sequence[str] = ()) -> Inputs:
    """Expand SOURCE arguments (and ``--traces`` arguments) into :class:`Inputs`.

    Raises InputError for a missing path, a glob matching nothing, an unknown format, a ``--traces`` file that is
    not a trace format, or input with nothing in it.
    """
    from collectors import files

    inputs = Inputs()
    trace_formats, nothing = _trace_formats(), _nothing_formats()
    for spec_list, traces_only in ((sources, False), (traces, True)):
        found = [(path, os.path.isdir(spec)) for spec in spec_list for path in files.expand(spec)]
        for path, in_directory in found:
            try:
                fmt = files.detect_format(path)
            except InputError:
                if not in_directory:
                    raise
                inputs.unknown.append(path)  # a stray README or notes file in a data directory
                continue
            inputs.formats[path] = fmt
            if fmt in nothing:
                inputs.skipped.append(path)
            elif fmt in trace_formats:
                inputs.traces.append(path)
            elif traces_only:
                raise InputError(f"{path}: --traces wants trace files, this is {fmt}")
            else:
                inputs.logs.append(path)
    if not inputs.logs and not inputs.traces:
        if inputs.unknown:
            raise InputError(
                f"{inputs.unknown[0]}: unknown file format, and nothing else to read in {sources[0]}"
            )
        where = ", ".join([*sources, *traces]) or "no SOURCE"
        raise InputError(f"empty input: nothing to read in {where}")
    if not inputs.logs:
        raise InputError("only trace files given: the report needs CloudWatch log events too")
    return inputs


def parse_time(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """A time from the command line: ISO 8601 (``2026-11-28``, ``2026-11-28T10:00``, ``...Z``, offsets), epoch
    seconds or milliseconds, ``now``, or a duration back from now (``90m``, ``2h``, ``7d``). Naive times are UTC."""
    if text is None:
        return None
    now = now or datetime.now(timezone.utc)
    value = text.strip()
    if value == "now":
        return now
    relative = _RELATIVE.match(value)
    if relative:
        return now - timedelta(**{_UNITS[relative[2]]: float(relative[1])})
    if value.isdigit():
        number = int(value)
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, timezone.utc)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"not a time: {text!r} (use ISO 8601 like 2026-11-28T10:00Z, epoch seconds, or an age like 2h)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def time_window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``--since``/``--until`` parsed against one ``now``; raises InputError when the window is inverted or empty."""
    now = datetime.now(timezone.utc)
    start, end = parse_time(since, now=now), parse_time(until, now=now)
    if start and end and start >= end:
        raise InputError(
            f"--since ({start:%Y-%m-%dT%H:%M:%SZ}) must be before --until ({end:%Y-%m-%dT%H:%M:%SZ})"
        )
    return start, end


def split_list(values: Iterable[str] | None) -> list[str]:
    """Flatten repeatable, comma-separated options: ``--group-by a,b --group-by c`` -> ``[a, b, c]``."""
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def add_input_arguments(parser: Any, *, positional: bool = True) -> None:
    """The input options ``report`` and ``diff`` share: SOURCE..., --traces, CloudWatch, --function, time window."""
    if positional:
        parser.add_argument(
            "sources",
            nargs="*",
            metavar="SOURCE",
            help="file, directory, glob or collect store (format detected; trace files recognised)",
        )
    parser.add_argument(
        "--traces",
        action="append",
        default=[],
        metavar="SOURCE",
        help="trace files (X-Ray, OTLP); repeatable",
    )
    parser.add_argument(
        "--function",
        action="append",
        default=[],
        metavar="NAME",
        help="only this function (repeatable, or comma-separated); without SOURCE: read its CloudWatch log group",
    )
    parser.add_argument(
        "--log-group",
        action="append",
        default=[],
        metavar="GROUP",
        help="read this CloudWatch log group (needs the 'aws' extra and credentials); repeatable",
    )
    parser.add_argument(
        "--since", metavar="TIME", help="from this time: ISO 8601, epoch, or an age like 2h, 7d"
    )
    parser.add_argument("--until", metavar="TIME", help="up to this time (exclusive); same forms as --since")
    parser.add_argument("--region", help="AWS region (CloudWatch reads and prices); default: your AWS config")
    parser.add_argument("--profile", help="AWS profile for CloudWatch reads")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def load_dataset(args: Any, *, sources: Sequence[str] | None = None) -> Any:
    """Read the inputs the parsed ``args`` describe and return a ``lamtrace.analysis`` Dataset with invocations.

    Raises InputError when there is nothing to read, or nothing left after the filters.
    """
    from lamtrace.cli.console import progress

    since, until = time_window(args.since, args.until)
    functions = split_list(args.function)
    sources = list(args.sources if sources is None else sources)
    if sources or args.traces:
        inputs = resolve(sources, args.traces)
        if inputs.unknown:
            from lamtrace.cli.console import note

            names = ", ".join(os.path.basename(p) for p in inputs.unknown[:3])
            more = f" and {len(inputs.unknown) - 3} more" if len(inputs.unknown) > 3 else ""
            note(f"skipped {len(inputs.unknown)} file(s) of unknown format: {names}{more}")
        load_args = inputs.load_arguments()
        where = ", ".join(sources)
    elif args.log_group or functions:
        load_args, where = _cloudwatch_arguments(args, functions, since, until)
    else:
        raise InputError("nothing to read: give a SOURCE (file, directory, glob) or --log-group / --function")
    from lamtrace.analysis import load

    with progress(f"Reading {where}", quiet=args.quiet, bar=True) as update:
        dataset = load(**load_args, since=since, until=until, function=functions or None, progress=update)
    if dataset.invocations.empty:
        filters = [f"--{name.replace('_', '-')} {value}" for name, value in _filters(args) if value]
        if filters:
            raise InputError(f"no invocations match {' '.join(filters)} in {where}")
        raise InputError(f"no Lambda invocations found in {where} (no START/END/REPORT lines)")
    return dataset


def _filters(args: Any) -> list[tuple[str, Any]]:
    return [("function", ",".join(split_list(args.function))), ("since", args.since), ("until", args.until)]


def _cloudwatch_arguments(
    args: Any, functions: list[str], since: datetime | None, until: datetime | None
) -> tuple[dict[str, Any], str]:
    """Log events pulled from CloudWatch Logs by ``collectors.cloudwatch``, streamed into the analyzer.

    ``--log-group`` names the groups; otherwise each ``--function``'s group is looked up (its logging config, else
    ``/aws/lambda/NAME``). The window defaults to the last hour.
    """
    from collectors import aws, cloudwatch

    session = aws.session(args.profile, args.region)
    logs_client = aws.client("logs", session)
    if args.log_group:
        groups = cloudwatch.resolve_log_groups(logs_client, names=args.log_group)
    else:
        lambda_client = aws.client("lambda", session)
        groups = cloudwatch.resolve_log_groups(logs_client, functions=functions, lambda_client=lambda_client)
    end = until or datetime.now(timezone.utc)
    start = since or end - DEFAULT_PULL_WINDOW
    events = cloudwatch.iter_log_events(logs_client, groups, _ms(start), _ms(end) - 1)
    return {"logs": events, "traces": None}, ", ".join(groups)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
