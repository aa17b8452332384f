"""Structured JSON log lines: one compact object per line, written straight to stdout.

The per-line work is the short pipeline in ``PROCESSORS`` — small functions over the record dict, run in order —
followed by ``render`` (dict -> JSON text, ending with the invocation's context keys, which are rendered once per
invocation by ``set_context``) and ``write`` (one ``write`` call, so the line is one CloudWatch event).

Lines go to ``sys.stdout`` directly, never through the root ``logging`` logger: Lambda passes stdout through as-is
in both log formats, so with ``AWS_LAMBDA_LOG_FORMAT=JSON`` our object is not wrapped in Lambda's object (no double
encoding) and is not printed twice.

Nothing here raises into the caller: a line that cannot be rendered is rendered again with its values as text, a
line that cannot be written is dropped, and both are counted in ``errors``.
"""

from __future__ import annotations

import sys
import time

from lamtrace import records as R
from lamtrace.runtime.redact import Redactor

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Record = dict[str, Any]
    Processor = Callable[[Record], Record]

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50
LEVEL_NAMES = {DEBUG: "DEBUG", INFO: "INFO", WARNING: "WARNING", ERROR: "ERROR", CRITICAL: "CRITICAL"}
# Also Lambda's application log level names (AWS_LAMBDA_LOG_LEVEL: TRACE, DEBUG, INFO, WARN, ERROR, FATAL).
_LEVEL_VALUES = {"TRACE": DEBUG, "WARN": WARNING, "FATAL": CRITICAL} | {v: k for k, v in LEVEL_NAMES.items()}


def level_value(name: str | int) -> int:
    """The number of a level name (``"warn"`` -> 30); unknown names mean INFO."""
    if isinstance(name, int):
        return name
    return _LEVEL_VALUES.get(str(name).strip().upper(), INFO)


class _State:
    """Module-wide logging state, set by the wrapper. One instance: there is one function per process."""

    threshold = INFO  # lines below this level are not built at all
    # the keys ending every line (service, request id, ...), and their values rendered as JSON object members
    context_keys: frozenset[str] = frozenset({R.SCHEMA_KEY})
    context_json = f'"{R.SCHEMA_KEY}":{R.SCHEMA_VERSION}'
    redact: Callable[[Any], Any] = Redactor(())
    errors = 0  # internal failures since the wrapper last reset the count
    reported: set[str] = set()  # kinds of internal failure already reported on stderr


state = _State()


def internal_error(where: str, exc: BaseException | None = None) -> None:
    """Count a failure inside lamtrace; the first of each kind is reported once on stderr. Never raises."""
    state.errors += 1
    if where in state.reported:
        return
    state.reported.add(where)
    try:  # noqa: SIM105 - contextlib is not on the default import path
        sys.stderr.write(f"lamtrace: internal error in {where} (ignored): {exc!r}\n")
    except Exception:
        pass


# --- the pipeline ------------------------------------------------------------------------------------------------

_second = -1
_second_text = ""
_DIGITS = "0123456789"
# "000" ... "999": indexing this is 4x cheaper than formatting with :03d
DIGITS3 = [a + b + c for a in _DIGITS for b in _DIGITS for c in _DIGITS]
_MILLIS = [f".{digits}Z" for digits in DIGITS3]


def iso_now() -> str:
    """The time now as ``2026-11-28T10:00:00.123Z``, in integer arithmetic; the seconds part is formatted once
    per second (this runs for every line)."""
    global _second, _second_text
    now_ms = time.time_ns() // 1_000_000
    if now_ms // 1000 != _second:
        _second = now_ms // 1000
        _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(_second))
    return _second_text + _MILLIS[now_ms % 1000]


def add_timestamp(record: Record) -> Record:
    record[R.TIMESTAMP] = iso_now()
    return record


def add_extra(record: Record) -> Record:
    """Merge the caller's ``extra`` fields (redacted); they never replace a key lamtrace sets."""
    extra = record.pop("_extra", None)
    if extra:
        context = state.context_keys
        for key, value in state.redact(extra).items():
            if key not in context:
                record.setdefault(key, value)
    return record


def add_exception(record: Record) -> Record:
    """Turn ``exc_info`` into ``exception`` (traceback text) and ``exception_name``."""
    exc_info = record.pop("_exc_info", None)
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        elif isinstance(exc_info, BaseException):
            exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
        if exc_info[0] is not None:
            import traceback

            record[R.EXCEPTION] = "".join(traceback.format_exception(*exc_info)).rstrip()
            record[R.EXCEPTION_NAME] = exc_info[0].__name__
    return record


PROCESSORS: list[Processor] = [add_timestamp, add_extra, add_exception]
# while PROCESSORS equals this, plain lines skip the record dict (``_level_method``)
_DEFAULT_PROCESSORS = list(PROCESSORS)


def _as_text(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"


def _make_encoder() -> Callable[[Any], str]:
    """Compact ASCII JSON from CPython's C encoder (``_json``), built once and called directly.

    ``json.dumps`` rebuilds that encoder on every call (a third of the cost of a line), and ``import json`` pulls in
    ``re`` and ``enum`` (most of lamtrace's import time). No circular-reference bookkeeping: a cycle ends in
    RecursionError, which ``render`` handles like any other failure.
    """
    try:
        from _json import encode_basestring_ascii, make_encoder
    except ImportError:  # pragma: no cover - interpreters without the C accelerator
        import json

        return json.JSONEncoder(separators=(",", ":"), default=_as_text).encode
    encoder = make_encoder(None, _as_text, encode_basestring_ascii, None, ":", ",", False, False, True)
    return lambda value: "".join(encoder(value, 0))


encode = _make_encoder()


try:  # quote(text) -> the JSON string literal of ``text`` (ASCII, escaped), in C
    from _json import encode_basestring_ascii as quote
except ImportError:  # pragma: no cover
    quote = encode


def value(item: Any) -> str:
    """JSON text of one value; strings (the common case) take the short way."""
    return quote(item) if type(item) is str else encode(item)


def _safe(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else _as_text(value)


def members(fields: Record) -> str:
    """``fields`` as JSON object members, without the braces (``"a":1,"b":2``)."""
    try:
        return encode(fields)[1:-1]
    except Exception as exc:
        internal_error("context", exc)
        return encode({str(k): _safe(v) for k, v in fields.items()})[1:-1]


def set_context(fields: Record, rendered: str | None = None) -> None:
    """Make ``fields`` the keys that end every line from now on, rendered once here (or given as ``rendered``,
    the ``members`` text of ``fields``). The wrapper, which renders the per-invocation part itself, sets
    ``state.context_json`` directly between invocations."""
    state.context_keys = frozenset(fields)
    state.context_json = members(fields) if rendered is None else rendered


def render(record: Record) -> str:
    """JSON text of ``record`` followed by the context keys; values JSON cannot hold become their ``repr``.

    Never raises: a record that still cannot be encoded (a cycle, a non-string key) is encoded again with its
    values as text.
    """
    try:
        body = encode(record)
    except Exception as exc:  # circular structures, non-string keys, a failing __repr__ ...
        internal_error("render", exc)
        body = encode({str(k): _safe(v) for k, v in record.items()})
    if len(body) == 2:
        return "{" + state.context_json + "}"
    return body[:-1] + "," + state.context_json + "}"


def write(line: str) -> None:
    """Write one line to the current stdout in one call. Never raises (a closed stdout drops the line)."""
    try:
        sys.stdout.write(line + "\n")
    except Exception as exc:
        internal_error("write", exc)


def emit(record: Record) -> None:
    """Run ``record`` through the pipeline and write it. Never raises."""
    try:
        for process in PROCESSORS:
            record = process(record)
    except Exception as exc:
        internal_error("pipeline", exc)
    write(render(record))


class Marker:
    """A lamtrace marker record (``invocation_end``, ...), its fixed text rendered once.

    Markers are written whatever the log level: the analyzer relies on them.
    """

    __slots__ = ("_head", "_middle")

    def __init__(self, marker: str, message: str, level: int = INFO) -> None:
        self._head = f'{{"{R.LEVEL}":"{LEVEL_NAMES.get(level, "INFO")}","{R.MESSAGE}":{value(message)},"{R.TIMESTAMP}":"'
        self._middle = f'","{R.MARKER_KEY}":"{marker}",'

    def emit(self, fields: Record) -> None:
        """Write the record with ``fields``. Never raises."""
        self.emit_members(members(fields))

    def emit_members(self, rendered: str) -> None:
        """Write the record with fields already rendered as JSON object members (``members``). Never raises."""
        try:
            sys.stdout.write(f"{self._head}{iso_now()}{self._middle}{rendered},{state.context_json}}}\n")
        except Exception as exc:
            internal_error("write", exc)


def emit_marker(marker: str, message: str, fields: Record, level: int = INFO) -> None:
    """Write a marker record once (``Marker`` keeps the fixed text for markers written on every invocation)."""
    Marker(marker, message, level).emit(fields)


# --- the logger users call ---------------------------------------------------------------------------------------


def _where(frame: Any) -> str:
    """``module:function:line`` of ``frame``."""
    return f"{frame.f_globals.get('__name__')}:{frame.f_code.co_name}:{frame.f_lineno}"


def _level_method(level: int) -> Callable[..., None]:
    """``Logger.info`` and its siblings. The common call — a string message, no fields — writes its line right
    here, from fixed text, without building the record dict or making a call more than needed (each costs about
    as much as a line's formatting); anything else goes through ``Logger.log`` and the ``PROCESSORS`` pipeline.
    tests/unit/runtime/test_log.py checks that both ways give the same line."""
    head = f'{{"{R.LEVEL}":"{LEVEL_NAMES[level]}","{R.LOCATION}":'

    def method(self: Logger, msg: Any, *args: Any, **kwargs: Any) -> None:
        if level < state.threshold:
            return
        if kwargs or PROCESSORS != _DEFAULT_PROCESSORS:
            self.log(level, msg, *args, stacklevel=2, **kwargs)
            return
        try:
            frame = sys._getframe(1)
            globals_ = frame.f_globals
            module = globals_["__name__"] if "__name__" in globals_ else None  # noqa: SIM401 - no call
            location = f"{module}:{frame.f_code.co_name}:{frame.f_lineno}"
            message = msg % args if args else msg
        except Exception as exc:
            internal_error("log", exc)
            self._record(level, None, msg)
            return
        if type(message) is not str:
            self._record(level, location, message)
            return
        global _second, _second_text
        now_ms = time.time_ns() // 1_000_000  # iso_now(), inline
        if now_ms // 1000 != _second:
            _second = now_ms // 1000
            _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(_second))
        try:
            sys.stdout.write(
                f'{head}{quote(location)},"{R.MESSAGE}":{quote(message)},{self._logger_member}"{R.TIMESTAMP}":"'
                f'{_second_text}{_MILLIS[now_ms % 1000]}",{state.context_json}}}\n'
            )
        except Exception as exc:
            internal_error("write", exc)

    method.__name__ = method.__qualname__ = LEVEL_NAMES[level].lower()
    method.__doc__ = f"Log ``msg % args`` at {LEVEL_NAMES[level]} with ``extra``/keyword fields."
    return method


class Logger:
    """A logger with the stdlib method names that writes lamtrace lines.

    ``log.info("paid %s", order, extra={"amount": 3})`` and ``log.info("paid", amount=3)`` both work; ``extra``
    and keyword fields become top-level keys. ``log.exception(...)`` adds the current exception.
    """

    __slots__ = ("name", "_logger_member")

    def __init__(self, name: str | None) -> None:
        self.name = name
        self._logger_member = "" if name is None else f'"{R.LOGGER}":{value(name)},'

    def isEnabledFor(self, level: int) -> bool:  # noqa: N802 - stdlib name
        return level >= state.threshold

    def log(
        self,
        level: int,
        msg: Any,
        *args: Any,
        exc_info: Any = None,
        extra: Any = None,
        stacklevel: int = 1,
        **fields: Any,
    ) -> None:
        """Log ``msg % args`` at ``level`` (a number) with ``extra``/keyword fields."""
        if level < state.threshold:
            return
        fields.pop("stack_info", None)
        try:
            location: str | None = _where(sys._getframe(stacklevel))
            message = msg % args if args else msg
        except Exception as exc:
            internal_error("log", exc)
            location, message = None, msg
        self._record(level, location, message, exc_info, extra, fields)

    def _record(
        self, level: int, location: str | None, message: Any, exc_info: Any = None, extra: Any = None,
        fields: Any = None,
    ) -> None:  # fmt: skip
        """Write a line through the pipeline: the record dict, ``PROCESSORS``, ``render``."""
        record: Record = {
            R.LEVEL: LEVEL_NAMES.get(level) or str(level),
            R.LOCATION: location,
            R.MESSAGE: message,
        }
        if self.name is not None:
            record[R.LOGGER] = self.name
        if extra or fields:
            record["_extra"] = {**extra, **fields} if extra and fields else (extra or fields)
        if exc_info:
            record["_exc_info"] = exc_info
        emit(record)

    debug = _level_method(DEBUG)
    info = _level_method(INFO)
    warning = _level_method(WARNING)
    warn = warning
    error = _level_method(ERROR)
    critical = _level_method(CRITICAL)

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        """Log ``msg % args`` at ERROR with the current exception (or ``exc_info``)."""
        if state.threshold <= ERROR:
            self.log(ERROR, msg, *args, exc_info=exc_info, stacklevel=2, **kwargs)


_loggers: dict[str | None, Logger] = {}


def get_logger(name: str | None = None) -> Logger:
    """The lamtrace logger called ``name`` (same object for the same name).

    >>> log = get_logger(__name__)
    >>> log.info("order paid", order_id="o-1")  # doctest: +SKIP
    """
    logger = _loggers.get(name)
    if logger is None:
        logger = _loggers[name] = Logger(name)
    return logger
