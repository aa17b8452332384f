"""collectors.files reading s3:// URLs through boto3 against the moto server (streamed, gzip transparent)."""

from __future__ import annotations

import uuid

import pytest

from collectors import aws, files
from lamtrace.errors import AWSError, InputError
from tests.conftest import FIXTURES

EXPORT = FIXTURES / "files" / "export"


@pytest.fixture
def bucket(aws_env):
    s3 = aws.client("s3", aws.session())
    name = f"exports-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    for path in EXPORT.rglob("*"):
        if path.is_file():
            s3.put_object(
                Bucket=name, Key="lambda/" + path.relative_to(EXPORT).as_posix(), Body=path.read_bytes()
            )
    return name


def test_an_export_read_from_s3_equals_the_local_copy(bucket):
    stats = files.ReadStats()
    remote = list(files.iter_log_events(f"s3://{bucket}/lambda/", stats=stats))
    local = list(files.iter_log_events(EXPORT))
    assert remote == local and len(remote) == 5
    assert sorted(f.format for f in stats.files) == ["cloudwatch-export", "ignored"]


def test_missing_prefix_and_bucket(bucket):
    with pytest.raises(InputError, match="no objects under"):
        files.expand(f"s3://{bucket}/nothing-here/")
    with pytest.raises(AWSError, match="S3 bucket not found"):
        files.expand("s3://no-such-bucket-lamtrace/x")
