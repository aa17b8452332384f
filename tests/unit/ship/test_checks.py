"""`lamtrace doctor`'s rules on configurations shaped like real GetFunctionConfiguration answers.

moto keeps no LoggingConfig and no provisioned concurrency, so those rules are tested here on plain data.
"""

from __future__ import annotations

import pytest

from lamtrace.ship.checks import run_checks
from lamtrace.ship.facts import FAIL, OK, WARN, FunctionFacts

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders"
GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders"
LEAST_PRIVILEGE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{GROUP}:*",
        },
        {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
    ],
}
LAYER = {
    "Arn": "arn:aws:lambda:eu-west-1:123456789012:layer:lamtrace:3",
    "Description": "lamtrace 0.1.0 python3.12 arm64 core",
    "CompatibleRuntimes": ["python3.12"],
    "CompatibleArchitectures": ["arm64"],
}


def healthy(**changes) -> FunctionFacts:
    config = {
        "FunctionName": "orders",
        "FunctionArn": ARN,
        "Runtime": "python3.12",
        "Role": "arn:aws:iam::123456789012:role/orders-role",
        "Timeout": 30,
        "MemorySize": 1024,
        "Architectures": ["arm64"],
        "TracingConfig": {"Mode": "Active"},
        "LoggingConfig": {
            "LogFormat": "JSON",
            "ApplicationLogLevel": "INFO",
            "SystemLogLevel": "INFO",
            "LogGroup": "/aws/lambda/orders",
        },
        "Layers": [{"Arn": LAYER["Arn"], "CodeSize": 5000}],
        "PackageType": "Zip",
    }
    facts = FunctionFacts(
        config=config,
        log_group={"logGroupName": "/aws/lambda/orders", "retentionInDays": 30},
        layers=[dict(LAYER)],
        role_policies=[LEAST_PRIVILEGE],
        reserved_concurrency=None,
        provisioned=[],
    )
    for key, value in changes.items():
        if key in config:
            config[key] = value
        else:
            setattr(facts, key, value)
    return facts


def by_check(facts: FunctionFacts) -> dict[str, tuple[str, str, str | None]]:
    return {f.check: (f.status, f.message, f.fix) for f in run_checks(facts)}


def test_a_healthy_function_has_only_ok_findings() -> None:
    findings = run_checks(healthy())
    assert [f.status for f in findings] == [OK] * len(findings)
    assert {f.check for f in findings} >= {
        "runtime", "tracing", "log format", "app log level", "system log level", "log retention",
        "lamtrace layer", "role: logs", "role: x-ray", "timeout", "memory", "reserved concurrency",
        "provisioned concurrency",
    }  # fmt: skip


def test_passthrough_tracing_warns_with_the_command_that_fixes_it() -> None:
    status, message, fix = by_check(healthy(TracingConfig={"Mode": "PassThrough"}))["tracing"]
    assert status == WARN and "PassThrough" in message
    assert (
        fix == "aws lambda update-function-configuration --function-name orders --tracing-config Mode=Active"
    )


def test_missing_xray_permissions_fail_only_when_tracing_is_active() -> None:
    logs_only = {"Statement": [LEAST_PRIVILEGE["Statement"][0]]}
    assert by_check(healthy(role_policies=[logs_only]))["role: x-ray"][0] == FAIL
    passthrough = healthy(role_policies=[logs_only], TracingConfig={"Mode": "PassThrough"})
    assert by_check(passthrough)["role: x-ray"][0] == WARN


@pytest.mark.parametrize("level", ["WARN", "ERROR", "FATAL"])
def test_an_application_log_level_above_info_drops_lamtrace_records(level: str) -> None:
    logging = {"LogFormat": "JSON", "ApplicationLogLevel": level, "SystemLogLevel": "INFO"}
    status, message, fix = by_check(healthy(LoggingConfig=logging))["app log level"]
    assert status == FAIL and "invocation_end" in message and "ApplicationLogLevel=INFO" in fix


def test_system_log_level_warn_drops_the_report_records() -> None:
    logging = {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN"}
    found = by_check(healthy(LoggingConfig=logging))
    assert found["system log level"][0] == FAIL and "platform.report" in found["system log level"][1]
    assert found["app log level"][0] == OK


def test_text_format_and_an_absent_logging_config_skip_the_level_checks() -> None:
    for logging in ({"LogFormat": "Text", "ApplicationLogLevel": "ERROR"}, None):
        found = by_check(healthy(LoggingConfig=logging))
        assert found["log format"][0] == OK and "Text" in found["log format"][1]
        assert "app log level" not in found


def test_a_custom_log_group_is_the_one_checked_and_granted() -> None:
    custom = {"LogFormat": "Text", "LogGroup": "/shared/orders"}
    found = by_check(healthy(LoggingConfig=custom, log_group=None))
    assert found["log group"][0] == WARN and "/shared/orders does not exist" in found["log group"][1]
    # the role only grants /aws/lambda/orders, and the group must be created too
    status, message, fix = found["role: logs"]
    assert status == FAIL and "logs:CreateLogGroup" in message and "log-group:/shared/orders:*" in fix


def test_log_group_without_retention_warns() -> None:
    status, message, fix = by_check(healthy(log_group={"logGroupName": "/aws/lambda/orders"}))[
        "log retention"
    ]
    assert status == WARN and "forever" in message and "put-retention-policy" in fix


def test_an_unreadable_log_group_is_a_warning_not_a_crash() -> None:
    found = by_check(healthy(log_group=None, log_group_error="AccessDeniedException: no"))
    assert found["log group"] == (
        WARN,
        "could not read log group /aws/lambda/orders: AccessDeniedException: no",
        None,
    )
    assert (
        found["role: logs"][0] == OK
    )  # CreateLogGroup is not demanded when the group's existence is unknown


def test_layer_detection_by_name_or_description() -> None:
    renamed = dict(LAYER, Arn="arn:aws:lambda:eu-west-1:123456789012:layer:observability:1")
    assert by_check(healthy(layers=[renamed]))["lamtrace layer"][0] == OK
    other = {"Arn": "arn:aws:lambda:eu-west-1:123456789012:layer:numpy:2", "Description": "numpy"}
    status, _, fix = by_check(healthy(layers=[other]))["lamtrace layer"]
    assert status == WARN and "lamtrace layer build" in fix


def test_a_layer_built_for_another_target_fails() -> None:
    wrong = dict(LAYER, CompatibleArchitectures=["x86_64"], CompatibleRuntimes=["python3.11"])
    status, message, fix = by_check(healthy(layers=[wrong]))["layer target"]
    assert status == FAIL and "arm64 not in ['x86_64']" in message and "python3.12 not in" in message
    assert fix.startswith("lamtrace layer build --python 3.12 --arch arm64")


def test_image_functions_skip_the_layer_check() -> None:
    found = by_check(healthy(PackageType="Image", Runtime=None, layers=[]))
    assert found["runtime"][0] == OK and "lamtrace layer" not in found


@pytest.mark.parametrize(
    ("runtime", "status"), [("python3.9", FAIL), ("nodejs22.x", FAIL), ("python3.13", OK)]
)
def test_runtime(runtime: str, status: str) -> None:
    assert by_check(healthy(Runtime=runtime))["runtime"][0] == status


def test_explicit_deny_and_permissions_boundary_are_honoured() -> None:
    deny = {"Statement": [{"Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]}
    assert (
        "PutLogEvents (denied)" in by_check(healthy(role_policies=[LEAST_PRIVILEGE, deny]))["role: logs"][1]
    )
    boundary = {"Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    status, message, _ = by_check(healthy(permissions_boundary=boundary))["role: x-ray"]
    assert status == FAIL and "xray:PutTraceSegments (not allowed)" in message


def test_conditional_permissions_are_a_warning() -> None:
    conditional = {
        "Statement": [
            dict(LEAST_PRIVILEGE["Statement"][0], Condition={"StringEquals": {"aws:SourceAccount": "1"}}),
            LEAST_PRIVILEGE["Statement"][1],
        ]
    }
    status, message, _ = by_check(healthy(role_policies=[conditional]))["role: logs"]
    assert status == WARN and "conditions" in message


def test_unreadable_role_is_a_warning() -> None:
    found = by_check(healthy(role_error="AccessDenied: iam:GetRole"))
    assert found["role"] == (
        WARN,
        "could not read the execution role's policies: AccessDenied: iam:GetRole",
        None,
    )
    assert "role: logs" not in found


def test_defaults_for_timeout_and_memory_warn() -> None:
    found = by_check(healthy(Timeout=3, MemorySize=128))
    assert found["timeout"][0] == WARN and found["memory"][0] == WARN
    assert "0.07 vCPU" in found["memory"][1]


def test_zero_reserved_concurrency_fails() -> None:
    status, message, fix = by_check(healthy(reserved_concurrency=0))["reserved concurrency"]
    assert status == FAIL and "throttled" in message
    assert fix == "aws lambda delete-function-concurrency --function-name orders"
    assert by_check(healthy(reserved_concurrency=10))["reserved concurrency"] == (OK, "10 reserved", None)


def test_provisioned_concurrency_states() -> None:
    ready = {
        "FunctionArn": f"{ARN}:live",
        "RequestedProvisionedConcurrentExecutions": 5,
        "AllocatedProvisionedConcurrentExecutions": 5,
        "Status": "READY",
    }
    status, message, _ = by_check(healthy(provisioned=[ready]))["provisioned concurrency"]
    assert status == OK and "5/5 on live (READY)" in message
    failed = dict(ready, Status="FAILED", StatusReason="FUNCTION_ERROR_INIT_FAILURE")
    status, message, _ = by_check(healthy(provisioned=[failed]))["provisioned concurrency"]
    assert status == FAIL and "FUNCTION_ERROR_INIT_FAILURE" in message
    unknown = by_check(healthy(provisioned=None, provisioned_error="HTTP 404"))["provisioned concurrency"]
    assert unknown == (WARN, "could not read: HTTP 404", None)
