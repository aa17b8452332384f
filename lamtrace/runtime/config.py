"""Wrapper options: decorator arguments first, then ``LAMTRACE_*`` environment variables, then defaults."""

from __future__ import annotations

import os

from lamtrace.runtime.values import Fields

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from typing import Any

TRACING_BACKENDS = ("none", "xray", "xray_sdk", "otel")

# Keys whose values are replaced by "***" in logged events and extras. Matching ignores case, "-" and "_", and
# accepts the name anywhere in the key ("X-Api-Key", "client_secret", "refresh_token" all match).
DEFAULT_REDACT_KEYS = (
    "authorization",
    "cookie",
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "credential",
    "privatekey",
    "signature",
)


# name -> (type, default). Each option is also read from the environment variable LAMTRACE_<NAME>.
FIELDS: dict[str, tuple[type, Any]] = {
    "service": (str, ""),  # default: POWERTOOLS_SERVICE_NAME, else the function name
    "log_level": (str, "INFO"),  # default: AWS_LAMBDA_LOG_LEVEL (Lambda's application log level) when set
    "tracing": (str, "none"),  # none | xray | xray_sdk | otel
    "log_event": (bool, False),
    "capture_logging": (bool, False),  # format records of every stdlib logger as lamtrace lines
    "debug_sample_rate": (float, 0.0),  # share of invocations logged at DEBUG
    "redact_keys": (tuple, ()),  # added to DEFAULT_REDACT_KEYS
    "timeout_warning_ms": (int, 500),  # warn this long before the deadline; 0 turns the warning off
    "metrics": (bool, False),  # CloudWatch EMF line per invocation
    "metrics_namespace": (str, "lamtrace"),
    "flush_timeout_ms": (int, 500),  # upper bound on the tracing flush at the end of an invocation
    "proactive_init_ms": (
        int,
        10_000,
    ),  # process start -> first invocation gap that means proactive initialisation
    "enabled": (bool, True),  # False: the decorator returns the handler untouched
}


class Options(Fields):
    """Everything ``@lamtrace.instrument`` can be told (see ``FIELDS``); build it with ``resolve``."""

    __slots__ = tuple(FIELDS)

    def __init__(self, **values: Any) -> None:
        for name, (_, default) in FIELDS.items():
            setattr(self, name, values.get(name, default))

    if TYPE_CHECKING:
        service: str
        log_level: str
        tracing: str
        log_event: bool
        capture_logging: bool
        debug_sample_rate: float
        redact_keys: tuple[str, ...]
        timeout_warning_ms: int
        metrics: bool
        metrics_namespace: str
        flush_timeout_ms: int
        proactive_init_ms: int
        enabled: bool


def _parse(name: str, kind: type, raw: str) -> Any:
    """One environment value as the field's type; ValueError if it is not."""
    raw = raw.strip()
    if kind is bool:
        if raw.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
            raise ValueError(raw)
        return raw.lower() in ("1", "true", "yes", "on")
    if kind is int:
        return int(raw)
    if kind is float:
        return float(raw)
    if kind is tuple:
        return tuple(k.strip() for k in raw.split(",") if k.strip())
    if name == "tracing" and raw.lower() not in TRACING_BACKENDS:
        raise ValueError(raw)
    return raw.lower() if name == "tracing" else raw


def resolve(overrides: dict[str, Any], environ: os._Environ[str] | dict[str, str] = os.environ) -> Options:
    """Build the options: explicit ``overrides`` win, then ``LAMTRACE_<NAME>``, then Lambda/Powertools variables.

    An environment value that cannot be parsed is ignored (the default stays): a typo in a variable must not
    stop the function.
    """
    unknown = set(overrides) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown lamtrace option(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, (kind, _) in FIELDS.items():
        if name in overrides:
            values[name] = overrides[name]
            continue
        raw = environ.get("LAMTRACE_" + name.upper())
        if raw is None:
            continue
        try:
            values[name] = _parse(name, kind, raw)
        except ValueError:
            continue
    if "service" not in values:
        values["service"] = (
            environ.get("POWERTOOLS_SERVICE_NAME") or environ.get("AWS_LAMBDA_FUNCTION_NAME") or ""
        )
    if "log_level" not in values and environ.get("AWS_LAMBDA_LOG_LEVEL"):
        values["log_level"] = environ["AWS_LAMBDA_LOG_LEVEL"]
    if values.get("tracing") not in (None, *TRACING_BACKENDS):
        raise ValueError(f"tracing must be one of {', '.join(TRACING_BACKENDS)}, not {values['tracing']!r}")
    if values.get("tracing") is None and "tracing" in overrides:
        values["tracing"] = "none"
    if isinstance(values.get("redact_keys"), str):
        values["redact_keys"] = (values["redact_keys"],)
    return Options(**values)
