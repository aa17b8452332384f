"""``@lamtrace.instrument``: markers, context on every log line, tracing and a timeout warning around a handler.

The function's behaviour never changes: the handler's return value and exception pass through as they are,
and every step lamtrace adds is guarded, so a failure inside lamtrace (a closed stdout, an unserializable extra,
a UDP error, a bug of ours) is counted in ``lamtrace_errors`` on the ``invocation_end`` line and nothing more.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from _thread import get_ident

import lamtrace
from lamtrace import records as R
from lamtrace.runtime import config, environment, log, tracing, triggers
from lamtrace.runtime.log import DIGITS3 as _DIGITS3
from lamtrace.runtime.log import quote
from lamtrace.runtime.redact import Redactor

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Handler = Callable[[Any, Any], Any]

_watchdog: Any = None  # one per process, started on the first invocation that wants it
_getrusage, _RUSAGE_SELF = resource.getrusage, resource.RUSAGE_SELF


def _on_timeout(alarm: Any, stack: str) -> None:
    """Watchdog callback: the timeout_warning record, flushed at once (the process may be killed next), and the
    handler span sent as in progress where the backend can."""
    now = time.perf_counter()
    fields = {
        R.DURATION_MS: round((now - alarm.started) * 1000, 3),
        R.REMAINING_MS: int((alarm.deadline - now) * 1000),
        R.STACK: stack,
    }
    log.Marker(R.TIMEOUT_WARNING, "invocation is about to time out", log.WARNING).emit(fields)
    try:
        sys.stdout.flush()
    except Exception as exc:
        log.internal_error("flush", exc)
    send_in_progress = getattr(tracing.active(), "send_in_progress", None)
    if send_in_progress is not None:
        try:
            send_in_progress(alarm.span)
        except Exception as exc:
            log.internal_error("tracing in progress", exc)


class _Invocation(tracing.Invocation):
    """Per-invocation state kept between ``begin`` and ``end``. Also what the tracing backend is given for the
    handler span (``tracing.Invocation``) and the watchdog's alarm (``timeout.Alarm``): one object, built once."""

    __slots__ = ("context", "started", "span", "version_members", "deadline", "warn_at", "thread_id")

    def __init__(
        self, context: Any, trigger: triggers.Trigger, trace: environment.TraceHeader, cold_start: bool,
        function_name: str | None, function_arn: Any, request_id: Any, version_members: str,
    ) -> None:  # fmt: skip
        self.context, self.trigger, self.trace, self.cold_start = context, trigger, trace, cold_start
        self.function_name, self.function_arn, self.request_id = function_name, function_arn, request_id
        self.version_members = version_members
        self.span: Any = tracing.NO_SPAN
        # time.perf_counter() values; deadline and warn_at are set once the watchdog is armed
        self.started = time.perf_counter()
        self.deadline: float | None = None
        self.warn_at = self.deadline
        self.thread_id = 0


class Instrumented:
    """What ``instrument`` wraps a handler in; ``begin``/``end`` never raise."""

    def __init__(self, handler: Handler, options: config.Options) -> None:
        self.handler = handler
        self.options = options
        self.name = getattr(handler, "__qualname__", None) or "handler"
        self._span_name = f"## {self.name}"
        self.backend: tracing.Backend | None = None
        self._flush: Callable[[], None] | None = None  # the backend's flush, unless it buffers nothing
        self.threshold = log.level_value(options.log_level)
        self.redact = Redactor(config.DEFAULT_REDACT_KEYS + tuple(options.redact_keys))
        self._ready = False
        self._lead = options.timeout_warning_ms / 1000  # warn this long before the deadline (seconds)
        self._static: dict[str, Any] = {}
        self._per_arn: dict[Any, tuple[str, str]] = {}  # invoked ARN -> its JSON text, version/alias members
        self._set_static()
        log.set_context({**self._static, R.SCHEMA_KEY: R.SCHEMA_VERSION})  # for lines logged during init

    # -- once -----------------------------------------------------------------------------------------------------

    def _set_static(self, context: Any = None) -> None:
        name = getattr(context, "function_name", None) or os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        memory = getattr(context, "memory_limit_in_mb", None) or os.environ.get(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
        )
        try:
            memory = int(memory) if memory is not None else None
        except (TypeError, ValueError):
            memory = None
        self._static = {
            R.SERVICE: self.options.service or name or "service_undefined",
            R.FUNCTION_NAME: name,
            R.FUNCTION_MEMORY_SIZE: memory,
        }
        # The keys ending every line: the static part rendered now, the per-invocation part added by ``begin``.
        self._static_members = log.members(self._static)
        self._context_keys = frozenset(self._static) | _CONTEXT_TAIL_KEYS

    def _setup(self, context: Any) -> None:
        """First invocation of this handler: settle what the init phase could not know, load chosen extras."""
        self._ready = True
        self._set_static(context)
        if self.options.capture_logging:
            try:
                from lamtrace.runtime import stdlib_logging

                stdlib_logging.install(self.threshold)
            except Exception as exc:
                log.internal_error("capture_logging", exc)
        try:
            self.backend = tracing.activate(self.options.tracing, self.options)
            if self.backend is not None and getattr(self.backend, "buffers", True):
                self._flush = self.backend.flush
        except Exception as exc:
            log.internal_error(f"tracing backend {self.options.tracing}", exc)
        global _watchdog
        if (
            self.options.timeout_warning_ms > 0
            and _watchdog is None
            and hasattr(context, "get_remaining_time_in_millis")
        ):
            from lamtrace.runtime.timeout import Watchdog

            _watchdog = Watchdog(_on_timeout)

    def _environment_facts(self, now: float) -> dict[str, Any]:
        init_type = environment.init_type()
        gap_ms = round((now - environment.process_started_at()) * 1000, 3)
        return {
            R.INIT_TYPE: init_type,
            R.INIT_TO_FIRST_INVOKE_MS: gap_ms,
            R.PROACTIVE: init_type == environment.INIT_ON_DEMAND and gap_ms > self.options.proactive_init_ms,
            R.RUNTIME: environment.runtime_name(),
            R.LAMTRACE_VERSION: lamtrace.__version__,
        }

    # -- every invocation -----------------------------------------------------------------------------------------

    def begin(self, event: Any, context: Any) -> _Invocation | None:
        """Everything before the handler runs. Returns None (and the handler runs bare) if lamtrace fails.

        This and ``end`` run on every invocation, so they avoid calls where an attribute or an ``in`` test does:
        in CPython a call costs about as much as building a line.
        """
        try:
            if not self._ready:
                self._setup(context)
            env_facts = None
            cold = False
            if environment.first_invocation_pending and environment.consume_first_invocation():
                env_facts = self._environment_facts(time.time())
                cold = env_facts[R.INIT_TYPE] == environment.INIT_ON_DEMAND and not env_facts[R.PROACTIVE]
            header = environment.parse_trace_header(environment.trace_header_text())
            try:
                arn, request_id = context.invoked_function_arn, context.aws_request_id
            except AttributeError:  # not a Lambda context (None, a test double): what it lacks is null
                arn = getattr(context, "invoked_function_arn", None)
                request_id = getattr(context, "aws_request_id", None)
            try:
                arn_text, version_members = self._per_arn[arn]
            except (KeyError, TypeError):
                arn_text, version_members = self._arn_texts(arn)
            state = log.state
            state.errors = 0
            state.redact = self.redact
            state.threshold = self.threshold
            state.context_keys = self._context_keys
            root = header.root
            # The keys ending every line of this invocation, rendered once, by hand:
            # <static members>,"cold_start":false,"function_arn":"...","function_request_id":"...",
            # "xray_trace_id":"...","lamtrace":1
            state.context_json = (
                f"{self._static_members}{_COLD_START_TRUE if cold else _COLD_START_FALSE}{arn_text}"
                f"{_REQUEST_ID}{quote(request_id) if type(request_id) is str else log.value(request_id)}"
                f"{_TRACE_ID}{quote(root) if type(root) is str else log.value(root)}{_SCHEMA}"
            )
            if self.options.debug_sample_rate > 0:
                import random

                if random.random() < self.options.debug_sample_rate:
                    state.threshold = log.DEBUG
            if env_facts is not None:
                log.emit_marker(R.ENV_INIT, f"environment init ({env_facts[R.INIT_TYPE]})", env_facts)
            if self.options.log_event:
                log.emit({R.LEVEL: "INFO", R.MESSAGE: "event", R.EVENT: self.redact(event)})
            inv = _Invocation(
                context,
                triggers.describe(event),
                header,
                cold,
                self._static[R.FUNCTION_NAME],
                arn,
                request_id,
                version_members,
            )
            if self.backend is not None:
                self._start_span(inv)
            if _watchdog is not None and self._lead > 0:
                try:
                    remaining = context.get_remaining_time_in_millis() / 1000
                except AttributeError:  # not a Lambda context: no deadline to warn about
                    return inv
                lead = self._lead if self._lead < remaining / 2 else remaining / 2
                inv.deadline = inv.started + remaining
                inv.warn_at = inv.deadline - lead
                inv.thread_id = get_ident()
                _watchdog.arm(inv)
            return inv
        except Exception as exc:
            log.internal_error("begin", exc)
            return None

    def _start_span(self, inv: _Invocation) -> None:
        try:
            inv.span = self.backend.start(self._span_name, inv)  # type: ignore[union-attr]
        except Exception as exc:
            log.internal_error("tracing start", exc)

    def end(self, inv: _Invocation | None, error: BaseException | None) -> None:
        """Everything after the handler returned or raised. Never raises."""
        if inv is None:
            return
        try:
            now = time.perf_counter()
            if _watchdog is not None:
                _watchdog.alarm = None  # disarm
            if self.backend is not None:
                self._end_span(inv, error)
            _END_MARKER.emit_members(self._end_members(inv, error, now))
            if self.options.metrics:
                from lamtrace.runtime import emf

                st = self._static
                log.write(log.encode(emf.metrics_record(
                    self.options.metrics_namespace, st[R.FUNCTION_NAME] or "", st[R.SERVICE], inv.cold_start,
                    round((now - inv.started) * 1000, 3), error is not None, int(time.time() * 1000),
                )))  # fmt: skip
        except Exception as exc:
            log.internal_error("end", exc)

    def _end_span(self, inv: _Invocation, error: BaseException | None) -> None:
        try:
            self.backend.end(inv.span, error)  # type: ignore[union-attr]
            if self._flush is not None:
                self._flush()
        except Exception as exc:
            log.internal_error("tracing end", exc)

    def _arn_texts(self, arn: Any) -> tuple[str, str]:
        """(JSON text of the invoked ARN, its ``"function_version":...[,"function_alias":...]`` members), rendered
        once per ARN: a function is invoked under one or a few ARNs."""
        version, alias = environment.version_and_alias(
            arn if type(arn) is str else None, os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        )
        found = (
            log.value(arn),
            log.members({R.FUNCTION_VERSION: version, **({R.FUNCTION_ALIAS: alias} if alias else {})}),
        )
        if type(arn) is str and len(self._per_arn) < 64:
            self._per_arn[arn] = found
        return found

    def _end_members(self, inv: _Invocation, error: BaseException | None, now: float) -> str:
        """The invocation_end fields as JSON object members, from fixed text: this line is written on every
        invocation, and encoding it as a dict costs several times as much."""
        trigger, sampled, errors = inv.trigger, inv.trace.sampled, log.state.errors
        if inv.deadline is not None:  # known since begin: no second call into the context
            remaining: Any = int((inv.deadline - now) * 1000)
        else:
            method = getattr(inv.context, "get_remaining_time_in_millis", None)
            remaining = method() if method is not None else None
        micros = int((now - inv.started) * 1_000_000)
        key = trigger.delivery_key
        return (
            f"{inv.version_members},{_SUCCESS if error is None else log.members(_error_fields(error))}"
            f"{_DURATION}{micros // 1000}.{_DIGITS3[micros % 1000]}"
            f"{_REMAINING}{remaining if type(remaining) is int else log.value(remaining)}"
            f"{_MAX_RSS}{_getrusage(_RUSAGE_SELF).ru_maxrss // 1024}"
            f'{_TRIGGER}"{trigger.name}"{_ATTEMPT}{trigger.attempt}'  # names are triggers.* constants
            f"{'' if key is None else _DELIVERY_KEY + (quote(key) if type(key) is str else log.value(key))}"
            f"{'' if trigger.batch_size is None else _BATCH_SIZE + str(trigger.batch_size)}"
            f"{'' if sampled is None else _SAMPLED_TRUE if sampled else _SAMPLED_FALSE}"
            f"{_ERRORS + str(errors) if errors else ''}"
        )


# Fixed text of the per-invocation lines (key names from lamtrace.records).
_COLD_START_TRUE = f',"{R.COLD_START}":true,"{R.FUNCTION_ARN}":'
_COLD_START_FALSE = f',"{R.COLD_START}":false,"{R.FUNCTION_ARN}":'
_REQUEST_ID = f',"{R.FUNCTION_REQUEST_ID}":'
_TRACE_ID = f',"{R.XRAY_TRACE_ID}":'
_SCHEMA = f',"{R.SCHEMA_KEY}":{R.SCHEMA_VERSION}'
_CONTEXT_TAIL_KEYS = frozenset(
    {R.COLD_START, R.FUNCTION_ARN, R.FUNCTION_REQUEST_ID, R.XRAY_TRACE_ID, R.SCHEMA_KEY}
)
_END_MARKER = log.Marker(R.INVOCATION_END, "invocation end")
_SUCCESS = f'"{R.OUTCOME}":"success"'
_DURATION, _REMAINING, _MAX_RSS = f',"{R.DURATION_MS}":', f',"{R.REMAINING_MS}":', f',"{R.MAX_RSS_MB}":'
_TRIGGER, _ATTEMPT = f',"{R.TRIGGER}":', f',"{R.DELIVERY_ATTEMPT}":'
_DELIVERY_KEY = f',"{R.DELIVERY_KEY}":'
_BATCH_SIZE = f',"{R.BATCH_SIZE}":'
_SAMPLED_TRUE, _SAMPLED_FALSE = f',"{R.XRAY_SAMPLED}":true', f',"{R.XRAY_SAMPLED}":false'
_ERRORS = f',"{R.LAMTRACE_ERRORS}":'


def _error_fields(error: BaseException) -> dict[str, str]:
    return {R.OUTCOME: "error", R.ERROR_TYPE: type(error).__name__, R.ERROR_MESSAGE: _text(error)[:1000]}


def _text(error: BaseException) -> str:
    """``str(error)``, or a placeholder when the exception's ``__str__`` itself fails."""
    try:
        return str(error)
    except Exception:
        return f"<unprintable {type(error).__name__}>"


def instrument(handler: Handler | None = None, /, **options: Any) -> Any:
    """Instrument a Lambda handler; use bare (``@lamtrace.instrument``) or with options.

    >>> import lamtrace
    >>> @lamtrace.instrument(service="orders", tracing="xray", log_event=False)
    ... def handler(event, context):
    ...     return {"statusCode": 200}

    Options (see ``config.Options``; each also read from ``LAMTRACE_<NAME>``): service, log_level, tracing,
    log_event, capture_logging, debug_sample_rate, redact_keys, timeout_warning_ms, metrics,
    metrics_namespace, flush_timeout_ms, proactive_init_ms, enabled.
    """
    if handler is None:
        return lambda handler: instrument(handler, **options)
    opts = config.resolve(options)
    if not opts.enabled:
        return handler
    inst = Instrumented(handler, opts)
    begin, end = inst.begin, inst.end

    def instrumented(event: Any, context: Any) -> Any:
        inv = begin(event, context)
        try:
            result = handler(event, context)
        except BaseException as exc:
            end(inv, exc)
            raise
        end(inv, None)
        return result

    copy_identity(handler, instrumented)
    instrumented.lamtrace = inst  # type: ignore[attr-defined]
    return instrumented


def copy_identity(wrapped: Any, wrapper: Any) -> None:
    """What ``functools.wraps`` does, without importing functools (a cold-start cost)."""
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        if hasattr(wrapped, name):
            setattr(wrapper, name, getattr(wrapped, name))
    wrapper.__dict__.update(getattr(wrapped, "__dict__", {}))
    wrapper.__wrapped__ = wrapped
