"""boto3 sessions and clients configured the way lamtrace needs them, and AWS errors as one clean line.

Settings come from where boto3 users keep them: ``profile``/``region`` arguments (the CLI's ``--profile`` and
``--region``), then the environment (``AWS_PROFILE``, ``AWS_REGION``/``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``,
``AWS_ENDPOINT_URL_<SERVICE>``), then the shared config files. Clients retry in botocore's *adaptive* mode, which
backs off and rate-limits itself on throttling.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from lamtrace.errors import AWSError, MissingExtraError

DEFAULT_MAX_ATTEMPTS = 10
THROTTLE_RETRIES = 6  # our own retries once botocore's adaptive retries gave up on throttling
THROTTLE_BACKOFF_S = 1.0  # first wait; doubles per retry, with jitter
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
    }
)
_NOT_FOUND = frozenset({"ResourceNotFoundException", "NoSuchBucket", "NoSuchKey", "NotFound"})
_ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_BAD_CREDENTIALS = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidAccessKeyId",
    }
)


def session(profile: str | None = None, region: str | None = None) -> Any:
    """A boto3 Session; ``profile``/``region`` override the environment when given."""
    try:
        import boto3
        import botocore.exceptions
    except ImportError:
        raise MissingExtraError("aws", "boto3") from None
    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound:
        raise AWSError(f"AWS profile {profile!r} not found in your AWS config files") from None


def client(
    service: str,
    boto_session: Any = None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_mode: str = "adaptive",
    pool: int = 10,
) -> Any:
    """A client for ``service`` retrying in botocore's ``retry_mode`` (``max_attempts`` retries after the first
    call) with a connection pool sized for parallel pulls."""
    from botocore.config import Config

    boto_session = boto_session or session()
    config = Config(retries={"mode": retry_mode, "max_attempts": max_attempts}, max_pool_connections=pool)
    with aws_errors(f"create a {service} client"):
        return boto_session.client(service, config=config)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else).

    When botocore could not parse the error body (it then reports the HTTP status as the code, e.g. an XML error
    from a JSON-protocol endpoint behind a proxy or emulator), the ``<Code>`` or ``__type`` in the body is used.
    """
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    error = response.get("Error", {})
    code = error.get("Code", "")
    if code.isdigit():
        found = re.search(r'<Code>(\w+)</Code>|"__type"\s*:\s*"(?:[\w.]+#)?(\w+)"', error.get("Message", ""))
        if found:
            return found.group(1) or found.group(2)
    return code


def is_throttling(exc: BaseException) -> bool:
    return error_code(exc) in THROTTLING_CODES


@contextmanager
def aws_errors(action: str, iam_action: str | None = None, not_found: str | None = None) -> Iterator[None]:
    """Turn botocore errors raised inside the block into one-line ``AWSError``s.

    ``action`` says what was attempted ("read log group /aws/lambda/x"); ``iam_action`` names the permission it needs
    ("logs:FilterLogEvents") for AccessDenied; ``not_found`` is the message for ResourceNotFoundException.
    """
    import botocore.exceptions as bx

    try:
        yield
    except bx.NoCredentialsError:
        raise AWSError(
            "no AWS credentials found: use --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "or run `aws configure` / `aws sso login`"
        ) from None
    except bx.PartialCredentialsError as exc:
        raise AWSError(f"incomplete AWS credentials: {exc}") from None
    except bx.ProfileNotFound as exc:
        raise AWSError(f"AWS profile not found: {exc}") from None
    except bx.NoRegionError:
        raise AWSError("no AWS region configured: use --region or set AWS_REGION") from None
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError) as exc:
        raise AWSError(f"cannot reach AWS to {action}: {exc}") from None
    except bx.TokenRetrievalError as exc:
        raise AWSError(
            f"cannot get AWS credentials (SSO session expired? run `aws sso login`): {exc}"
        ) from None
    except bx.ClientError as exc:
        raise client_error(exc, action, iam_action, not_found) from None


def client_error(
    exc: Any, action: str, iam_action: str | None = None, not_found: str | None = None
) -> AWSError:
    """The one-line ``AWSError`` for a botocore ClientError."""
    code = error_code(exc)
    message = exc.response.get("Error", {}).get("Message", "") if hasattr(exc, "response") else str(exc)
    if "<" in message:  # an unparsed XML body: keep its <Message> only
        found = re.search(r"<Message>(.*?)</Message>", message, re.DOTALL)
        message = found.group(1) if found else message
    if code in _ACCESS_DENIED:
        needed = f"the IAM permission {iam_action}" if iam_action else "an IAM permission"
        return AWSError(
            f"access denied: cannot {action}; your credentials lack {needed} (see docs/collectors.md)"
        )
    if code in _BAD_CREDENTIALS:
        return AWSError(
            f"AWS rejected your credentials ({code}): check --profile / AWS_PROFILE and that they are current"
        )
    if code in _NOT_FOUND and not_found:
        return AWSError(not_found)
    if code in THROTTLING_CODES:
        return AWSError(
            f"AWS kept throttling after retries: cannot {action} ({code}); try again or use fewer --workers"
        )
    return AWSError(f"cannot {action}: {code or 'error'}: {message}")


def call(
    method: Callable[..., Any],
    request: dict[str, Any],
    *,
    action: str,
    iam_action: str | None = None,
    not_found: str | None = None,
    on_throttle: Callable[[], None] | None = None,
) -> Any:
    """``method(**request)``; throttling that outlasts botocore's retries is waited out here (exponential backoff
    with jitter, ``THROTTLE_RETRIES`` times); every other error becomes an ``AWSError`` (see ``aws_errors``)."""
    import botocore.exceptions

    for attempt in range(THROTTLE_RETRIES + 1):
        with aws_errors(action, iam_action, not_found):
            try:
                return method(**request)
            except botocore.exceptions.ClientError as exc:
                if not is_throttling(exc) or attempt == THROTTLE_RETRIES:
                    raise
        if on_throttle is not None:
            on_throttle()
        time.sleep(THROTTLE_BACKOFF_S * (2**attempt) * (0.5 + random.random() / 2))
    raise AssertionError("unreachable")  # pragma: no cover
