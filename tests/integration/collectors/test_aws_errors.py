"""Credentials and permissions, checked by moto's own IAM authentication (INITIAL_NO_AUTH_ACTION_COUNT = 0)."""

from __future__ import annotations

import json
import uuid

import pytest

from collectors import aws, cloudwatch
from collectors.collect import collect
from lamtrace.errors import AWSError
from tests.conftest import REPO
from tests.integration.collectors.conftest import HOUR, seed_group, unique_group


@pytest.fixture
def iam_user(aws_env):
    """Create an IAM user with a policy document; returns a function(policy) -> (access key, secret)."""
    iam = aws.client("iam", aws.session())

    def make(policy: dict) -> tuple[str, str]:
        name = f"collector-{uuid.uuid4().hex[:8]}"
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="collect", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    return make


@pytest.fixture
def auth_on(monkeypatch):
    """From now on the moto server checks signatures and IAM policies like AWS."""
    monkeypatch.setattr("moto.settings.INITIAL_NO_AUTH_ACTION_COUNT", 0)


def as_user(monkeypatch, key: tuple[str, str]):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key[1])
    return aws.session()


def test_access_denied_names_the_missing_permission(aws_env, logs, iam_user, monkeypatch, now_ms):
    group = unique_group()
    seed_group(logs, group, [now_ms - HOUR])
    key = iam_user(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}],
        }
    )
    monkeypatch.setattr("moto.settings.INITIAL_NO_AUTH_ACTION_COUNT", 0)  # moto now checks IAM like AWS
    limited = aws.client("logs", as_user(monkeypatch, key))
    with pytest.raises(AWSError) as info:
        list(cloudwatch.iter_log_events(limited, [group], now_ms - 2 * HOUR, now_ms))
    assert str(info.value) == (
        f"access denied: cannot read log group {group}; your credentials lack the IAM permission "
        "logs:FilterLogEvents (see docs/collectors.md)"
    )


def test_wrong_credentials_are_one_line(aws_env, auth_on, monkeypatch, now_ms):
    session = as_user(monkeypatch, ("AKIAWRONGWRONGWRONG1", "not-the-secret"))
    with pytest.raises(AWSError, match=r"^AWS rejected your credentials \(\w+\)"):
        list(cloudwatch.iter_log_events(aws.client("logs", session), ["g"], now_ms - HOUR, now_ms))


def test_the_shipped_policy_is_enough_to_collect_logs(aws_env, logs, iam_user, monkeypatch, now_ms, tmp_path):
    # Only the CloudWatch Logs statements are checked here: moto names X-Ray actions after URL paths
    # ("xray:TraceSummaries"), not as AWS does ("xray:GetTraceSummaries"), so its verdict on those would be wrong.
    group = unique_group("/custom/policy")
    seed_group(logs, group, [now_ms - HOUR + i for i in range(10)])
    policy = json.loads((REPO / "examples/iam/lamtrace-collect-policy.json").read_text())
    key = iam_user(policy)
    monkeypatch.setattr("moto.settings.INITIAL_NO_AUTH_ACTION_COUNT", 0)
    session = as_user(monkeypatch, key)
    summary = collect(
        tmp_path, log_groups=[group], prefixes=["/custom/policy"], since="2h", boto_session=session
    )
    assert summary.events_stored == 10 and group in summary.groups
