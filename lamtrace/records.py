"""The lamtrace log record schema: written by the wrapper, read by the analyzer.

One compact JSON object per line. Keys whose meaning matches Powertools Logger use Powertools' names, so queries
written for Powertools keep working on lamtrace output (and the analyzer reads Powertools lines for free).
lamtrace's own records carry ``MARKER_KEY`` naming the marker; every lamtrace line carries ``SCHEMA_KEY``.

Standard library only: this module is imported inside Lambda functions.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

# --- keys on every line (Powertools-compatible names) -------------------------------------------------------------
LEVEL = "level"
MESSAGE = "message"
TIMESTAMP = "timestamp"  # ISO 8601 UTC with milliseconds, e.g. 2026-11-28T10:00:00.123Z
SERVICE = "service"
LOCATION = "location"  # "module:function:line"
LOGGER = "logger"
COLD_START = "cold_start"  # bool: true only on lines of the first invocation of an on-demand environment
FUNCTION_NAME = "function_name"
FUNCTION_MEMORY_SIZE = "function_memory_size"  # int, MB
FUNCTION_ARN = "function_arn"  # the invoked ARN (may carry a version or alias qualifier)
FUNCTION_REQUEST_ID = "function_request_id"
XRAY_TRACE_ID = "xray_trace_id"  # Root of _X_AMZN_TRACE_ID, present whether or not the invocation is sampled
EXCEPTION = "exception"  # formatted traceback text
EXCEPTION_NAME = "exception_name"  # exception class name

# --- lamtrace's own keys -------------------------------------------------------------------------------------------
SCHEMA_KEY = "lamtrace"  # value: SCHEMA_VERSION; identifies a lamtrace line
MARKER_KEY = "marker"  # value: one of MARKERS; absent on ordinary log lines

ENV_INIT = "env_init"  # once per execution environment, on its first invocation
INVOCATION_END = "invocation_end"  # once per invocation attempt, after the handler returned or raised
TIMEOUT_WARNING = "timeout_warning"  # at most once per invocation, shortly before the deadline
MARKERS = (ENV_INIT, INVOCATION_END, TIMEOUT_WARNING)

# env_init
INIT_TYPE = "init_type"  # on-demand | provisioned-concurrency | snap-start (AWS_LAMBDA_INITIALIZATION_TYPE)
INIT_TO_FIRST_INVOKE_MS = "init_to_first_invoke_ms"  # process start -> first invocation
PROACTIVE = "proactive"  # bool: init ran long before the first invocation (proactive initialisation)
RUNTIME = "runtime"  # e.g. python3.12
LAMTRACE_VERSION = "lamtrace_version"

# invocation_end
FUNCTION_VERSION = "function_version"  # AWS_LAMBDA_FUNCTION_VERSION ($LATEST or a number)
FUNCTION_ALIAS = "function_alias"  # alias from the invoked ARN, if any
OUTCOME = "outcome"  # success | error
ERROR_TYPE = "error_type"
ERROR_MESSAGE = "error_message"
DURATION_MS = "duration_ms"  # handler time measured by the wrapper
REMAINING_MS = "remaining_ms"  # context.get_remaining_time_in_millis() at the end
MAX_RSS_MB = "max_rss_mb"  # process memory high-water mark
TRIGGER = "trigger"  # see TRIGGERS
DELIVERY_KEY = (
    "delivery_key"  # the event's own id, stable across redeliveries (SQS messageId, EventBridge id, ...)
)
DELIVERY_ATTEMPT = "delivery_attempt"  # 1-based; SQS ApproximateReceiveCount, else 1 when unknown
BATCH_SIZE = "batch_size"  # number of records in a batched event
XRAY_SAMPLED = "xray_sampled"  # bool: Sampled=1 in _X_AMZN_TRACE_ID (absent when there is no trace header)
LAMTRACE_ERRORS = (
    "lamtrace_errors"  # int: internal lamtrace failures swallowed during the invocation (absent when 0)
)

# timeout_warning (also carries DURATION_MS = time elapsed so far and REMAINING_MS)
STACK = "stack"  # the handler thread's current stack, formatted

# ordinary log lines
EVENT = "event"  # the (redacted) invocation event, on the line written when event logging is on
REDACTED = "***"  # the value that replaces a sensitive value

# CloudWatch Embedded Metric Format lines: a JSON object with this key is a metric line, not a log line.
# lamtrace writes one per invocation when metrics are on; it has no SCHEMA_KEY and no LEVEL.
EMF_KEY = "_aws"

OUTCOMES = ("success", "error")
TRIGGERS = (
    "api-gateway-rest",
    "api-gateway-http",
    "function-url",
    "alb",
    "sqs",
    "sns",
    "s3",
    "eventbridge",
    "scheduled",
    "kinesis",
    "dynamodb-streams",
    "direct",
)
