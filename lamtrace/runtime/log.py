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
    context_keys: frozenset[str] = frozenset(
        {R.SCHEMA_KEY}
    )  # keys ending every line (service, request id, ...)
    context_json = f'"{R.SCHEMA_KEY}":{R.SCHEMA_VERSION}'  # their values, rendered: JSON object members
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
_MILLIS = [f".{ms:03d}Z" for ms in range(1000)]


def iso_timestamp(now: float) -> str:
    """``2026-11-28T10:00:00.123Z`` for epoch seconds ``now`` (the seconds part is formatted once per second)."""
    global _second, _second_text
    whole = int(now)
    if whole != _second:
        _second, _second_text = whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))
    return _second_text + _MILLIS[int((now - whole) * 1000)]


def add_timestamp(record: Record) -> Record:
    record[R.TIMESTAMP] = iso_timestamp(time.time())
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
_DEFAULT_PROCESSORS = list(
    PROCESSORS
)  # while PROCESSORS equals this, plain lines skip the dict (``Logger._emit``)


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

    def emit(self, fields: Record | str) -> None:
        """Write the record with ``fields``: a dict, or already JSON object members (``members``). Never raises."""
        rendered = fields if isinstance(fields, str) else members(fields)
        write(f"{self._head}{iso_timestamp(time.time())}{self._middle}{rendered},{state.context_json}}}")


def emit_marker(marker: str, message: str, fields: Record | str, level: int = INFO) -> None:
    """Write a marker record once (``Marker`` keeps the fixed text for markers written on every invocation)."""
    Marker(marker, message, level).emit(fields)


# --- the logger users call ---------------------------------------------------------------------------------------


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
        if level >= state.threshold:
            fields.pop("stack_info", None)
            self._emit(level, msg, args, exc_info, extra, fields, stacklevel + 1)

    def _emit(
        self, level: int, msg: Any, args: tuple, exc_info: Any, extra: Any, fields: Any, depth: int
    ) -> None:
        """Build and write one line; ``depth`` is how many frames up the caller to report in ``location`` is."""
        try:
            frame = sys._getframe(depth)
            location = f"{frame.f_globals.get('__name__')}:{frame.f_code.co_name}:{frame.f_lineno}"
            message = msg % args if args else msg
        except Exception as exc:
            internal_error("log", exc)
            location, message = None, msg
        level_name = LEVEL_NAMES.get(level) or str(level)
        if (
            type(message) is str
            and location is not None
            and not (extra or fields or exc_info)
            and PROCESSORS == _DEFAULT_PROCESSORS
        ):
            # The common line: the text the pipeline would produce for this record, without building it as a
            # dict (a third of the cost). tests/unit/runtime/test_log.py checks that both give the same line.
            write(
                f'{{"{R.LEVEL}":"{level_name}","{R.LOCATION}":{quote(location)},"{R.MESSAGE}":{quote(message)},'
                f'{self._logger_member}"{R.TIMESTAMP}":"{iso_timestamp(time.time())}",{state.context_json}}}'
            )
            return
        record: Record = {R.LEVEL: level_name, R.LOCATION: location, R.MESSAGE: message}
        if self.name is not None:
            record[R.LOGGER] = self.name
        if extra or fields:
            record["_extra"] = {**extra, **fields} if extra and fields else (extra or fields)
        if exc_info:
            record["_exc_info"] = exc_info
        emit(record)

    # Each level method makes one call below it (``_emit`` finds the caller's frame 2 up).

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if state.threshold <= DEBUG:
            if kwargs:
                self.log(DEBUG, msg, *args, stacklevel=2, **kwargs)
            else:
                self._emit(DEBUG, msg, args, None, None, None, 2)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if state.threshold <= INFO:
            if kwargs:
                self.log(INFO, msg, *args, stacklevel=2, **kwargs)
            else:
                self._emit(INFO, msg, args, None, None, None, 2)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if state.threshold <= WARNING:
            if kwargs:
                self.log(WARNING, msg, *args, stacklevel=2, **kwargs)
            else:
                self._emit(WARNING, msg, args, None, None, None, 2)

    warn = warning

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if state.threshold <= ERROR:
            if kwargs:
                self.log(ERROR, msg, *args, stacklevel=2, **kwargs)
            else:
                self._emit(ERROR, msg, args, None, None, None, 2)

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        if state.threshold <= ERROR:
            self.log(ERROR, msg, *args, exc_info=exc_info, stacklevel=2, **kwargs)

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        if state.threshold <= CRITICAL:
            if kwargs:
                self.log(CRITICAL, msg, *args, stacklevel=2, **kwargs)
            else:
                self._emit(CRITICAL, msg, args, None, None, None, 2)


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
