"""Stream S3 objects (CloudWatch exports, Firehose deliveries) through boto3: list a prefix, open an object."""

from __future__ import annotations

import io
from typing import Any

from collectors.aws import aws_errors
from lamtrace.errors import InputError


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` → (``bucket``, ``some/prefix``)."""
    rest = url[len("s3://") :]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise InputError(f"not an S3 URL: {url}")
    return bucket, key


def list_objects(url: str, s3_client: Any = None) -> list[str]:
    """``s3://`` URLs of the objects under a prefix (or the object itself), in key order."""
    bucket, prefix = split_url(url)
    s3 = s3_client or _client()
    keys: list[str] = []
    with aws_errors(f"list {url}", "s3:ListBucket", f"S3 bucket not found: {bucket}"):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []) if not o["Key"].endswith("/"))
    if not keys:
        raise InputError(f"no objects under {url}")
    return [f"s3://{bucket}/{k}" for k in sorted(keys)]


class _BodyReader(io.RawIOBase):
    """A botocore StreamingBody as a raw byte stream (so it can be buffered, peeked and gunzipped lazily)."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


def open_object(url: str, s3_client: Any = None) -> io.BufferedReader:
    """A buffered, streaming reader over one S3 object."""
    bucket, key = split_url(url)
    s3 = s3_client or _client()
    with aws_errors(f"read {url}", "s3:GetObject", f"S3 object not found: {url}"):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    return io.BufferedReader(_BodyReader(body), buffer_size=1 << 16)


def _client() -> Any:
    from collectors.aws import client

    return client("s3")
