"""`lamtrace doctor` against a moto server: real boto3 calls reading real (moto) functions, roles and log groups."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest

from lamtrace.cli import main
from lamtrace.ship.doctor import diagnose

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
XRAY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}
    ],
}


def _logs_policy(group: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*",
            }
        ],
    }


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "app.py", "import lamtrace\n\n@lamtrace.instrument\ndef handler(event, context):\n    return 1\n"
        )
    return buffer.getvalue()


@pytest.fixture
def aws(aws_env: str, moto_reset: None) -> dict:
    return {name: boto3.client(name) for name in ("lambda", "iam", "logs")}


def _role(aws: dict, name: str, inline: dict | None = None, managed: dict | None = None) -> str:
    arn = aws["iam"].create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    for i, document in enumerate(inline or {}):
        aws["iam"].put_role_policy(
            RoleName=name, PolicyName=f"inline{i}", PolicyDocument=json.dumps(document)
        )
    for i, document in enumerate(managed or {}):
        policy = aws["iam"].create_policy(PolicyName=f"{name}-m{i}", PolicyDocument=json.dumps(document))
        aws["iam"].attach_role_policy(RoleName=name, PolicyArn=policy["Policy"]["Arn"])
    return arn


def _layer(aws: dict, name: str, arch: str) -> str:
    return aws["lambda"].publish_layer_version(
        LayerName=name,
        Description=f"lamtrace 0.1.0 python3.12 {arch} core",
        Content={"ZipFile": _zip()},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=[arch],
    )["LayerVersionArn"]


def _function(aws: dict, name: str, role: str, **config) -> None:
    aws["lambda"].create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _zip()},
        **config,
    )


def _statuses(diagnosis) -> dict[str, str]:
    return {f.check: f.status for f in diagnosis.findings}


def test_a_well_set_up_function_passes(aws: dict, capsys) -> None:
    role = _role(aws, "orders-role", inline=[_logs_policy("/aws/lambda/orders")], managed=[XRAY])
    aws["logs"].create_log_group(logGroupName="/aws/lambda/orders")
    aws["logs"].put_retention_policy(logGroupName="/aws/lambda/orders", retentionInDays=14)
    layer = _layer(aws, "lamtrace", "x86_64")
    _function(
        aws, "orders", role, Layers=[layer], TracingConfig={"Mode": "Active"}, Timeout=30, MemorySize=1024
    )
    aws["lambda"].put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=20)

    diagnosis = diagnose("orders")
    statuses = _statuses(diagnosis)
    assert not diagnosis.failed
    for check in (
        "runtime",
        "tracing",
        "log retention",
        "lamtrace layer",
        "role: logs",
        "role: x-ray",
        "timeout",
    ):
        assert statuses[check] == "ok", check
    assert statuses["reserved concurrency"] == "ok"
    assert "14 days" in next(f.message for f in diagnosis.findings if f.check == "log retention")
    # moto has no provisioned-concurrency API: reported as unreadable, not a crash
    assert statuses["provisioned concurrency"] == "warn"

    assert main(["doctor", "orders", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["function_arn"].endswith(":function:orders")
    assert report["counts"]["fail"] == 0
    assert "conditions" in report["notes"][0]
    assert {f["check"] for f in report["findings"]} >= {"tracing", "role: logs", "lamtrace layer"}


def test_a_badly_set_up_function_fails_with_fixes(aws: dict, capsys) -> None:
    role = _role(aws, "bare-role")  # no permissions at all
    layer = _layer(aws, "lamtrace", "arm64")  # built for the wrong architecture
    _function(aws, "bare", role, Layers=[layer])
    aws["lambda"].put_function_concurrency(FunctionName="bare", ReservedConcurrentExecutions=0)

    assert main(["doctor", "bare"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "lamtrace doctor: arn:aws:lambda:us-east-1:123456789012:function:bare"
    failing = [line.split()[1] for line in lines if line.startswith("  fail")]
    assert set(failing) == {"layer", "role:", "reserved"}  # layer target, role: logs, reserved concurrency
    assert "logs:CreateLogGroup (not allowed)" in out  # the group does not exist and cannot be created
    assert "fix: lamtrace layer build --python 3.12 --arch x86_64" in out
    assert "fix: aws lambda delete-function-concurrency --function-name bare" in out
    assert lines[-1].endswith("fail") and "warn" in lines[-1]
    assert lines[-2].startswith("note: role permissions are judged by lamtrace")


def test_custom_log_group_and_wrong_grant(aws: dict) -> None:
    # the role grants the default group, the function logs elsewhere (moto drops LoggingConfig, so grant the wrong one)
    role = _role(aws, "elsewhere-role", inline=[_logs_policy("/aws/lambda/someone-else"), XRAY])
    aws["logs"].create_log_group(logGroupName="/aws/lambda/elsewhere")
    _function(aws, "elsewhere", role, TracingConfig={"Mode": "Active"})
    diagnosis = diagnose("elsewhere")
    statuses = _statuses(diagnosis)
    assert statuses["role: logs"] == "fail" and statuses["role: x-ray"] == "ok"
    assert statuses["log retention"] == "warn"
    assert statuses["lamtrace layer"] == "warn"


def test_a_deleted_role_is_reported_not_raised(aws: dict) -> None:
    role = _role(aws, "gone-role")
    _function(aws, "orphan", role)
    aws["iam"].delete_role(RoleName="gone-role")
    finding = next(f for f in diagnose("orphan").findings if f.check == "role")
    assert finding.status == "warn" and "NoSuchEntity" in finding.message


def test_qualifier_reads_that_version(aws: dict) -> None:
    role = _role(aws, "v-role")
    _function(aws, "versioned", role, Timeout=3)
    aws["lambda"].publish_version(FunctionName="versioned")
    aws["lambda"].create_alias(FunctionName="versioned", Name="live", FunctionVersion="1")
    diagnosis = diagnose("versioned", "live")
    assert diagnosis.qualifier == "live"
    assert _statuses(diagnosis)["timeout"] == "warn"
    latest = _statuses(diagnose("versioned", "$LATEST"))
    assert latest["provisioned concurrency"] == "ok"  # none possible on $LATEST; not asked of the API


def test_unknown_function_is_one_clear_error(aws: dict, capsys) -> None:
    assert main(["doctor", "no-such-function"]) == 2
    err = capsys.readouterr().err
    assert err == "lamtrace: error: function no-such-function not found in us-east-1\n"


def test_missing_credentials_and_unknown_profile(aws_env: str, monkeypatch, tmp_path, capsys) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["doctor", "orders"]) == 2
    assert "no AWS credentials" in capsys.readouterr().err
    assert main(["doctor", "orders", "--profile", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err
