"""``lamtrace collect`` as a function: pull CloudWatch Logs (and X-Ray traces) into a Parquet store.

Example::

    summary = collect("store/", functions=["orders"], since="2h", traces=True)
    print("\\n".join(summary.lines()))

Re-running the same collect (same groups, filter, ``since``/``until`` text) after an interruption resumes it: the
checkpoint in the store keeps the resolved time window and the slices already stored.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from collectors import aws, cloudwatch, xray
from collectors.checkpoint import CHECKPOINT_NAME, Checkpoint, Slice
from collectors.store import DEFAULT_FLUSH_ROWS, StoreWriter, require_pyarrow
from collectors.timeparse import format_ms, parse_time
from lamtrace.errors import InputError

LAMBDA_GROUP_PREFIX = "/aws/lambda/"

#: Progress callback: ``(event, value)`` with event ``"slices"`` (total slice count), ``"slice_done"`` (events so
#: far), ``"trace_ids"`` (ids listed so far) or ``"segments"`` (segments fetched so far).
Progress = Callable[[str, int], None]


@dataclass
class CollectSummary:
    """What one collect pulled and stored."""

    out: str
    groups: list[str] = field(default_factory=list)
    start_ms: int = 0
    end_ms: int = 0
    events_pulled: int = 0
    events_stored: int = 0
    duplicates: int = 0
    first_event_ms: int | None = None
    last_event_ms: int | None = None
    slices_resumed: int = 0
    throttled: int = 0
    trace_ids: int = 0
    segments_stored: int = 0
    unprocessed_traces: list[str] = field(default_factory=list)
    traces: bool = False

    def lines(self) -> list[str]:
        """A short human summary."""
        out = [
            f"log groups: {len(self.groups)} ({', '.join(self.groups[:5])}{', …' if len(self.groups) > 5 else ''})",
            f"window: {format_ms(self.start_ms)} → {format_ms(self.end_ms)}",
            f"events: {self.events_pulled} pulled, {self.events_stored} new in the store, "
            f"{self.duplicates} already there",
            f"event time span: {format_ms(self.first_event_ms)} → {format_ms(self.last_event_ms)}",
        ]
        if self.traces:
            out.append(f"traces: {self.trace_ids} trace ids, {self.segments_stored} new segments")
            if self.unprocessed_traces:
                out.append(f"traces X-Ray did not return: {len(self.unprocessed_traces)}")
        if self.slices_resumed:
            out.append(f"resumed: {self.slices_resumed} time slices were already stored")
        if self.throttled:
            out.append(f"throttled by AWS {self.throttled} times (waited and retried)")
        out.append(f"store: {self.out}")
        return out


def collect(
    out: str | os.PathLike[str],
    *,
    log_groups: Iterable[str] = (),
    prefixes: Iterable[str] = (),
    functions: Iterable[str] = (),
    since: str | int,
    until: str | int | None = None,
    filter_pattern: str | None = None,
    traces: bool = False,
    trace_filter: str | None = None,
    trace_ids_from_logs: bool = False,
    profile: str | None = None,
    region: str | None = None,
    workers: int = cloudwatch.DEFAULT_WORKERS,
    progress: Progress | None = None,
    boto_session: Any = None,
    flush_rows: int = DEFAULT_FLUSH_ROWS,
) -> CollectSummary:
    """Pull raw log events (and, with ``traces``, X-Ray documents) for a window into the store at ``out``.

    Rows are written (and the checkpoint saved) every ``flush_rows`` rows: the most an interruption can cost.
    With ``trace_ids_from_logs``, only the traces whose ids the window's log events mention are fetched (instead of
    every trace GetTraceSummaries lists for the window).
    """
    log_groups, prefixes, functions = list(log_groups), list(prefixes), list(functions)
    if not (log_groups or prefixes or functions):
        raise InputError(
            "nothing to collect: give at least one --log-group, --log-group-prefix or --function"
        )
    out = str(out)
    require_pyarrow()  # fail before pulling, not at the first write
    os.makedirs(out, exist_ok=True)
    boto_session = boto_session or aws.session(profile, region)
    logs = aws.client("logs", boto_session)
    lambda_client = aws.client("lambda", boto_session) if functions else None
    groups = cloudwatch.resolve_log_groups(logs, log_groups, prefixes, functions, lambda_client)

    request = {"groups": groups, "filter_pattern": filter_pattern, "since": str(since), "until": str(until)}
    checkpoint = Checkpoint(os.path.join(out, CHECKPOINT_NAME), request)
    if checkpoint.resumed and "window" in checkpoint.extra:
        start_ms, end_ms = checkpoint.extra["window"]
    else:
        start_ms = parse_time(since)
        end_ms = parse_time(until) if until is not None else parse_time("now")
        checkpoint.extra["window"] = [start_ms, end_ms]
    if end_ms < start_ms:
        raise InputError("--until is before --since")

    traces = traces or trace_ids_from_logs
    summary = CollectSummary(out, groups, start_ms, end_ms, traces=traces)
    stats = cloudwatch.PullStats()
    slices = cloudwatch.plan_slices(groups, start_ms, end_ms)
    if progress:
        progress("slices", len(slices))

    def slice_done(_: Slice) -> None:
        if progress:
            progress("slice_done", stats.events)

    with StoreWriter(out, flush_rows=flush_rows, on_flush=checkpoint.save) as writer:
        for event in cloudwatch.iter_log_events(
            logs,
            groups,
            start_ms,
            end_ms,
            filter_pattern=filter_pattern,
            workers=workers,
            checkpoint=checkpoint,
            stats=stats,
            on_slice_done=slice_done,
        ):
            writer.add_event(event)
        if progress and stats.slices_skipped:
            progress("slices_skipped", stats.slices_skipped)
        if traces:
            ids = None
            if trace_ids_from_logs:
                writer.flush()  # the scan reads the store, which also holds slices pulled before a resume
                ids = _trace_ids_in_store(out, groups, start_ms, end_ms)
            filter_expression = trace_filter or _service_filter(groups)
            _collect_traces(boto_session, writer, summary, start_ms, end_ms, filter_expression, ids, progress)
    checkpoint.clear()

    summary.events_pulled, summary.events_stored = stats.events, writer.events_written
    summary.segments_stored, summary.duplicates = writer.traces_written, writer.duplicates
    summary.first_event_ms, summary.last_event_ms = stats.first_ms, stats.last_ms
    summary.slices_resumed, summary.throttled = stats.slices_skipped, summary.throttled + stats.throttled
    return summary


def _collect_traces(
    boto_session: Any,
    writer: StoreWriter,
    summary: CollectSummary,
    start_ms: int,
    end_ms: int,
    filter_expression: str | None,
    given_ids: list[str] | None,
    progress: Progress | None,
) -> None:
    client = aws.client("xray", boto_session)
    stats = xray.TraceStats()

    def listed_ids() -> Iterable[str]:
        for trace_id in xray.iter_trace_ids(
            client, start_ms, end_ms, filter_expression=filter_expression, stats=stats
        ):
            if progress:
                progress("trace_ids", stats.trace_ids)
            yield trace_id

    if given_ids is not None:
        stats.trace_ids = len(given_ids)
    ids = given_ids if given_ids is not None else listed_ids()
    for document in xray.iter_trace_documents(client, ids, stats=stats):
        writer.add_trace(document)
        if progress:
            progress("segments", stats.segments)
    summary.trace_ids = stats.trace_ids
    summary.unprocessed_traces = stats.unprocessed
    summary.throttled += stats.throttled


def _trace_ids_in_store(out: str, groups: list[str], start_ms: int, end_ms: int) -> list[str]:
    """Trace ids mentioned by the stored events of ``groups`` inside the window."""
    from collectors.store import iter_parquet_file, log_files

    messages = (
        event["message"]
        for path in log_files(out, groups)
        for event in iter_parquet_file(path)
        if start_ms <= event["timestamp"] <= end_ms
    )
    return xray.trace_ids_in(messages)


def _service_filter(groups: list[str]) -> str | None:
    """An X-Ray filter expression selecting the functions behind ``/aws/lambda/<name>`` groups (None: no filter,
    when some group is not a function's default group)."""
    names = [g[len(LAMBDA_GROUP_PREFIX) :] for g in groups if g.startswith(LAMBDA_GROUP_PREFIX)]
    if not names or len(names) != len(groups):
        return None
    return " OR ".join(f'service("{name}")' for name in names)
