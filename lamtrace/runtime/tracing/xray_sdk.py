"""X-Ray subsegments through aws-xray-sdk, for functions that already use it.

The SDK runs in its Lambda mode (a facade segment built from ``_X_AMZN_TRACE_ID``; each subsegment streamed to the
daemon when it closes). The handler subsegment is opened with the SDK's recorder, so subsegments the user's code
opens with ``xray_recorder`` (``@xray_recorder.capture``, patched boto3 calls) nest under it.
"""

from __future__ import annotations

from typing import Any

from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.core.lambda_launcher import LambdaContext

from lamtrace.runtime.tracing import NO_SPAN, Invocation


class SdkSpan:
    """An SDK subsegment (possibly the SDK's dummy one when the invocation is not sampled)."""

    __slots__ = ("subsegment",)

    def __init__(self, subsegment: Any) -> None:
        self.subsegment = subsegment

    def set_attribute(self, key: str, value: Any) -> None:
        if isinstance(value, (str, int, float, bool)) and key.replace("_", "a").isalnum():
            self.subsegment.put_annotation(key, value)
        else:
            self.subsegment.put_metadata(key, value)


class XRaySdkBackend:
    """The ``xray_sdk`` backend over the SDK's global recorder."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder

    def start(self, name: str, invocation: Invocation | None = None) -> SdkSpan | Any:
        subsegment = self.recorder.begin_subsegment(name)
        if subsegment is None:  # no segment to attach to (outside an invocation)
            return NO_SPAN
        if invocation is not None:
            subsegment.put_annotation("ColdStart", invocation.cold_start)
            subsegment.put_annotation("function", invocation.function_name or "")
            subsegment.put_annotation("trigger", invocation.trigger.name)
        return SdkSpan(subsegment)

    def end(self, span: SdkSpan | Any, error: BaseException | None = None) -> None:
        if not isinstance(span, SdkSpan):
            return
        if error is not None:
            import traceback

            span.subsegment.add_exception(error, traceback.extract_tb(error.__traceback__))
        self.recorder.end_subsegment()

    def flush(self) -> None:
        """Nothing to do: the SDK sent each subsegment when it closed."""


def create(options: Any) -> XRaySdkBackend:
    """The backend over ``xray_recorder``, switched to Lambda mode if the SDK did not detect Lambda itself."""
    if not isinstance(xray_recorder.context, LambdaContext):
        xray_recorder.configure(context=LambdaContext(), streaming_threshold=0)
    return XRaySdkBackend(xray_recorder)
