"""Options: decorator arguments, then LAMTRACE_* variables, then Lambda/Powertools variables, then defaults."""

from __future__ import annotations

import pytest

from lamtrace.runtime.config import Options, resolve


def test_defaults() -> None:
    opts = resolve({}, {})
    assert opts == Options()
    assert opts.tracing == "none" and opts.log_event is False and opts.timeout_warning_ms == 500


def test_every_option_has_an_environment_variable() -> None:
    env = {
        "LAMTRACE_SERVICE": "orders", "LAMTRACE_LOG_LEVEL": "DEBUG", "LAMTRACE_TRACING": "XRay",
        "LAMTRACE_LOG_EVENT": "yes", "LAMTRACE_CAPTURE_LOGGING": "1", "LAMTRACE_DEBUG_SAMPLE_RATE": "0.1",
        "LAMTRACE_REDACT_KEYS": "ssn, iban", "LAMTRACE_TIMEOUT_WARNING_MS": "250", "LAMTRACE_METRICS": "on",
        "LAMTRACE_METRICS_NAMESPACE": "shop", "LAMTRACE_FLUSH_TIMEOUT_MS": "100",
        "LAMTRACE_PROACTIVE_INIT_MS": "5000", "LAMTRACE_ENABLED": "false",
    }  # fmt: skip
    assert resolve({}, env) == Options(
        service="orders", log_level="DEBUG", tracing="xray", log_event=True, capture_logging=True,
        debug_sample_rate=0.1, redact_keys=("ssn", "iban"), timeout_warning_ms=250, metrics=True,
        metrics_namespace="shop", flush_timeout_ms=100, proactive_init_ms=5000, enabled=False,
    )  # fmt: skip


def test_arguments_win_over_environment() -> None:
    env = {"LAMTRACE_SERVICE": "env", "LAMTRACE_TRACING": "otel", "AWS_LAMBDA_LOG_LEVEL": "ERROR"}
    opts = resolve({"service": "arg", "tracing": "xray", "log_level": "INFO"}, env)
    assert (opts.service, opts.tracing, opts.log_level) == ("arg", "xray", "INFO")


def test_service_and_level_fall_back_to_lambda_and_powertools() -> None:
    assert resolve({}, {"AWS_LAMBDA_FUNCTION_NAME": "fn"}).service == "fn"
    assert resolve({}, {"AWS_LAMBDA_FUNCTION_NAME": "fn", "POWERTOOLS_SERVICE_NAME": "pt"}).service == "pt"
    assert resolve({}, {"AWS_LAMBDA_LOG_LEVEL": "WARN"}).log_level == "WARN"
    assert resolve({}, {"AWS_LAMBDA_LOG_LEVEL": "WARN", "LAMTRACE_LOG_LEVEL": "DEBUG"}).log_level == "DEBUG"


@pytest.mark.parametrize(
    "env",
    [{"LAMTRACE_TIMEOUT_WARNING_MS": "soon"}, {"LAMTRACE_TRACING": "zipkin"}, {"LAMTRACE_METRICS": "maybe"}],
)
def test_unparseable_environment_values_keep_the_default(env) -> None:
    assert resolve({}, env) == Options()


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(TypeError, match="unknown lamtrace option"):
        resolve({"tracer": "xray"}, {})
    with pytest.raises(ValueError, match="tracing must be one of"):
        resolve({"tracing": "zipkin"}, {})
