"""Spans for the handler and for user code, on whichever backend the wrapper activated.

A backend is three methods (``Backend``): ``start`` a span, ``end`` it, ``flush`` what is buffered. Backends live
in ``xray`` (standard library, UDP to the X-Ray daemon), ``xray_sdk`` (aws-xray-sdk) and ``otel``
(opentelemetry-sdk); each module is imported only when chosen and exposes ``create(options) -> Backend``.

User code calls ``span`` and ``trace``; with no backend active (logs only) they cost a few attribute lookups.
"""

from __future__ import annotations

import importlib

from lamtrace.runtime import log
from lamtrace.runtime.values import Fields

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from typing import Any

    from lamtrace.runtime.environment import TraceHeader
    from lamtrace.runtime.triggers import Trigger


class Invocation(Fields):
    """What a backend needs to know about the invocation its handler span belongs to."""

    __slots__ = ("request_id", "function_name", "function_arn", "cold_start", "trigger", "trace")

    def __init__(
        self, request_id: str | None, function_name: str | None, function_arn: str | None, cold_start: bool,
        trigger: Trigger, trace: TraceHeader,
    ) -> None:  # fmt: skip
        self.request_id, self.function_name, self.function_arn = request_id, function_name, function_arn
        self.cold_start, self.trigger, self.trace = cold_start, trigger, trace


class Span:
    """What ``start`` returns and ``with lamtrace.span(...) as s`` gives the user."""

    def set_attribute(self, key: str, value: Any) -> None:
        """An X-Ray annotation (or metadata for values annotations cannot hold); an OTel span attribute."""
        raise NotImplementedError


class Backend:
    """The interface every tracing backend implements (documentation; backends need not inherit it)."""

    def start(self, name: str, invocation: Invocation | None = None) -> Span:
        """Start a span: the handler span of ``invocation`` if given, else a child of the current span."""
        raise NotImplementedError

    def end(self, span: Span, error: BaseException | None = None) -> None:
        """End ``span``, marking it failed with ``error`` if given, and hand it to the exporter."""
        raise NotImplementedError

    def flush(self) -> None:
        """Send what is buffered, bounded in time (called before the handler returns)."""
        raise NotImplementedError

    buffers = True  # False: ``end`` sends each span at once, and the wrapper skips ``flush`` (a call per invocation)

    # Optional: ``send_in_progress(span)`` sends the handler span unfinished when the timeout warning fires
    # (the ``xray`` backend has it; OpenTelemetry cannot export a span before it ends).


class NoSpan(Span):
    """The span of an untraced invocation: accepts attributes, records nothing."""

    __slots__ = ()

    def set_attribute(self, key: str, value: Any) -> None:
        pass


NO_SPAN = NoSpan()
_active: Backend | None = None


def activate(name: str, options: Any) -> Backend | None:
    """Import backend ``name`` (``"none"`` -> no backend) and make it the one ``span``/``trace`` use."""
    global _active
    _active = None
    if name != "none":
        module = importlib.import_module(f"lamtrace.runtime.tracing.{name}")
        _active = module.create(options)
    return _active


def active() -> Backend | None:
    """The backend in use, or None."""
    return _active


class span:  # noqa: N801 - used like a function: ``with lamtrace.span("charge"):``
    """Context manager timing a block of user code as a child span of the handler span.

    >>> import lamtrace
    >>> with lamtrace.span("charge card", provider="stripe") as s:
    ...     s.set_attribute("amount", 42)

    Exceptions raised in the block mark the span failed and propagate unchanged. Tracing failures are counted
    and swallowed: the block always runs.
    """

    __slots__ = ("_name", "_attributes", "_backend", "_span")

    def __init__(self, name: str, **attributes: Any) -> None:
        self._name = name
        self._attributes = attributes
        self._backend: Backend | None = None
        self._span: Span = NO_SPAN

    def __enter__(self) -> Span:
        backend = _active
        if backend is None:
            return NO_SPAN
        try:
            self._span = backend.start(self._name)
            for key, value in self._attributes.items():
                self._span.set_attribute(key, value)
            self._backend = backend
        except Exception as exc:
            log.internal_error("tracing start", exc)
        return self._span

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if self._backend is not None:
            try:
                self._backend.end(self._span, exc)
            except Exception as err:
                log.internal_error("tracing end", err)
        return False


def trace(func: Any = None, *, name: str | None = None) -> Any:
    """Decorator running the function inside ``span(name or its qualified name)``; bare or with ``name=``.

    >>> import lamtrace
    >>> @lamtrace.trace
    ... def charge(order): ...
    """
    if func is None:
        return lambda func: trace(func, name=name)
    span_name = name or getattr(func, "__qualname__", None) or repr(func)

    def traced(*args: Any, **kwargs: Any) -> Any:
        with span(span_name):
            return func(*args, **kwargs)

    from lamtrace.runtime.wrapper import copy_identity

    copy_identity(func, traced)
    return traced
