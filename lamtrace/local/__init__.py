"""Run Lambda functions on this machine under the real ``awslambdaric``, producing Lambda's real telemetry.

The building block is one execution environment::

    from lamtrace.local import LocalEnvironment

    with LocalEnvironment(handler="app.handler", path="src/", env={"TABLE": "orders"}) as env:
        result = env.invoke({"id": 1})
    result.status          # success | error | timeout | crash | init_error
    result.output_lines    # what the function printed / logged, as CloudWatch events
    result.events          # every CloudWatch event of the attempt (INIT_START, START, ..., REPORT)

See docs/local.md.
"""

from __future__ import annotations

from lamtrace.local.capture import LogLine
from lamtrace.local.config import FunctionConfig
from lamtrace.local.environment import ON_DEMAND, PROVISIONED, InvocationResult, LocalEnvironment

__all__ = ["FunctionConfig", "InvocationResult", "LocalEnvironment", "LogLine", "ON_DEMAND", "PROVISIONED"]
