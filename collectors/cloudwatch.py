"""Pull raw log events from CloudWatch Logs with FilterLogEvents.

Log groups are given by name, by name prefix, or by Lambda function (its ``LoggingConfig.LogGroup``, else
``/aws/lambda/<name>``). The time window is cut into slices per group, pulled by a few threads (FilterLogEvents has a
low per-account rate quota, 5 TPS by default, so more threads do not help), each slice paged to its end. Throttling is
handled by botocore's adaptive retry mode and, when that gives up, by waiting and retrying the same page here.
Events come out as they arrive, not globally time-ordered.

Example::

    logs = collectors.aws.client("logs")
    groups = resolve_log_groups(logs, names=["/aws/lambda/orders"])
    for event in iter_log_events(logs, groups, start_ms, end_ms):
        ...
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from collectors.aws import aws_errors, call
from collectors.checkpoint import Checkpoint, Slice
from collectors.events import from_filter_event
from lamtrace.errors import AWSError

DEFAULT_WORKERS = 4
MIN_SLICE_MS = 15 * 60 * 1000
MAX_SLICES_PER_GROUP = 16
PAGE_LIMIT = 10_000  # FilterLogEvents maximum


@dataclass
class PullStats:
    """What a pull did: events yielded, API pages, slices done/skipped (resumed), throttling waits, time span."""

    events: int = 0
    pages: int = 0
    slices_done: int = 0
    slices_skipped: int = 0
    throttled: int = 0
    groups: set[str] = field(default_factory=set)
    first_ms: int | None = None
    last_ms: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count_throttle(self) -> None:
        with self._lock:
            self.throttled += 1

    def add(self, event: dict[str, Any]) -> None:
        self.events += 1
        self.groups.add(event["log_group"])
        ts = event["timestamp"]
        self.first_ms = ts if self.first_ms is None else min(self.first_ms, ts)
        self.last_ms = ts if self.last_ms is None else max(self.last_ms, ts)


def function_log_group(lambda_client: Any, function: str) -> str:
    """The log group a function writes to: its advanced logging ``LogGroup``, else ``/aws/lambda/<name>``."""
    with aws_errors(
        f"look up Lambda function {function}",
        "lambda:GetFunctionConfiguration",
        f"Lambda function not found: {function}",
    ):
        config = lambda_client.get_function_configuration(FunctionName=function)
    custom = (config.get("LoggingConfig") or {}).get("LogGroup")
    return custom or f"/aws/lambda/{config.get('FunctionName', function)}"


def groups_with_prefix(logs_client: Any, prefix: str) -> list[str]:
    """Every log group whose name starts with ``prefix``."""
    names: list[str] = []
    with aws_errors(f"list log groups starting with {prefix}", "logs:DescribeLogGroups"):
        for page in logs_client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
            names.extend(g["logGroupName"] for g in page.get("logGroups", []))
    return names


def resolve_log_groups(
    logs_client: Any,
    names: Iterable[str] = (),
    prefixes: Iterable[str] = (),
    functions: Iterable[str] = (),
    lambda_client: Any = None,
) -> list[str]:
    """Log group names from explicit names, name prefixes and function names (deduplicated, in order given).

    A prefix matching nothing raises ``AWSError``; unknown explicit names are reported when they are pulled.
    """
    groups = list(names)
    for prefix in prefixes:
        found = groups_with_prefix(logs_client, prefix)
        if not found:
            raise AWSError(f"no log group starts with {prefix!r}")
        groups.extend(found)
    if functions and lambda_client is None:
        raise ValueError("a lambda client is needed to resolve function names")
    groups.extend(function_log_group(lambda_client, fn) for fn in functions)
    return list(dict.fromkeys(groups))


def plan_slices(
    groups: Iterable[str], start_ms: int, end_ms: int, slice_ms: int | None = None
) -> list[Slice]:
    """Cut ``[start_ms, end_ms]`` (inclusive) into contiguous, non-overlapping slices per group.

    Default slice length: the window in at most 16 pieces, none shorter than 15 minutes.
    """
    if end_ms < start_ms:
        raise ValueError("the time window ends before it starts")
    span = end_ms - start_ms + 1
    if slice_ms is None:
        slice_ms = max(MIN_SLICE_MS, -(-span // MAX_SLICES_PER_GROUP))
    slices = []
    for group in groups:
        lo = start_ms
        while lo <= end_ms:
            hi = min(lo + slice_ms - 1, end_ms)
            slices.append(Slice(group, lo, hi))
            lo = hi + 1
    return slices


def iter_log_events(
    logs_client: Any,
    groups: Iterable[str],
    start_ms: int,
    end_ms: int,
    *,
    filter_pattern: str | None = None,
    workers: int = DEFAULT_WORKERS,
    slice_ms: int | None = None,
    checkpoint: Checkpoint | None = None,
    stats: PullStats | None = None,
    on_slice_done: Callable[[Slice], None] | None = None,
    page_limit: int = PAGE_LIMIT,
) -> Iterator[dict[str, Any]]:
    """Yield the raw log events of ``groups`` between ``start_ms`` and ``end_ms`` (inclusive, epoch ms).

    With a ``checkpoint``, slices it records as done are skipped, and each slice is marked done once all its
    events have been yielded and the consumer came back for more (the consumer then calls ``checkpoint.save()``
    after storing them). Events are deduplicated by eventId within a slice. Errors surface as ``AWSError``.
    """
    stats = stats if stats is not None else PullStats()
    todo = []
    for piece in plan_slices(groups, start_ms, end_ms, slice_ms):
        if checkpoint is not None and checkpoint.is_done(piece):
            stats.slices_skipped += 1
        else:
            todo.append(piece)
    if not todo:
        return
    pages: queue.Queue[tuple[Slice, list[dict[str, Any]], bool] | BaseException] = queue.Queue(
        maxsize=2 * workers
    )
    stop = threading.Event()
    remaining = iter(todo)
    lock = threading.Lock()

    def worker() -> None:
        while not stop.is_set():
            with lock:
                piece = next(remaining, None)
            if piece is None:
                return
            try:
                for events, last in _pull_slice(logs_client, piece, filter_pattern, page_limit, stop, stats):
                    _put(pages, (piece, events, last), stop)
            except BaseException as exc:  # handed to the consumer, which re-raises it
                _put(pages, exc, stop)
                return

    threads = max(1, min(workers, len(todo)))
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lamtrace-logs")
    futures = [executor.submit(worker) for _ in range(threads)]
    seen: dict[Slice, set[str]] = {}
    try:
        finished = 0
        while finished < len(todo):
            item = pages.get()
            if isinstance(item, BaseException):
                raise item
            piece, events, last = item
            stats.pages += 1
            ids = seen.setdefault(piece, set())
            for event in events:
                if event["eventId"] in ids:
                    continue
                ids.add(event["eventId"])
                raw = from_filter_event(event, piece.log_group)
                stats.add(raw)
                yield raw
            if last:
                finished += 1
                stats.slices_done += 1
                del seen[piece]
                if checkpoint is not None:
                    checkpoint.mark_done(piece)
                if on_slice_done is not None:
                    on_slice_done(piece)
    finally:
        stop.set()
        while not pages.empty():  # unblock workers waiting to put
            pages.get_nowait()
        for future in futures:
            future.cancel()
        executor.shutdown(wait=False, cancel_futures=True)


def _put(pages: queue.Queue, item: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            pages.put(item, timeout=0.2)
            return
        except queue.Full:
            continue


def _pull_slice(
    logs_client: Any,
    piece: Slice,
    filter_pattern: str | None,
    page_limit: int,
    stop: threading.Event,
    stats: PullStats,
) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Pages of one slice: (events, is_last_page)."""
    request: dict[str, Any] = {
        "logGroupName": piece.log_group,
        "startTime": piece.start_ms,
        "endTime": piece.end_ms,
        "limit": page_limit,
        "interleaved": True,  # deprecated no-op on AWS (always interleaved); moto needs it for AWS's order
    }
    if filter_pattern:
        request["filterPattern"] = filter_pattern
    while not stop.is_set():
        response = _filter_page(logs_client, request, stats)
        token = response.get("nextToken")
        yield response.get("events", []), not token
        if not token:
            return
        request["nextToken"] = token


def _filter_page(logs_client: Any, request: dict[str, Any], stats: PullStats) -> dict[str, Any]:
    group = request["logGroupName"]
    return call(
        logs_client.filter_log_events,
        request,
        action=f"read log group {group}",
        iam_action="logs:FilterLogEvents",
        not_found=f"log group not found: {group}",
        on_throttle=stats.count_throttle,
    )


__all__ = [
    "PullStats",
    "Slice",
    "function_log_group",
    "groups_with_prefix",
    "iter_log_events",
    "plan_slices",
    "resolve_log_groups",
]
