"""examples/deploy/template.yaml: valid CloudFormation (cfn-lint), and set up the way `lamtrace doctor` wants.

moto's CloudFormation cannot deploy it faithfully (no AWS::Lambda::Alias, a broken Ref on layer versions), so the
template is resolved here with its parameter defaults and handed to doctor's checks as the function it would create.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from lamtrace.ship.checks import run_checks
from lamtrace.ship.facts import OK, FunctionFacts
from lamtrace.ship.layer import default_filename
from tests.conftest import REPO

cfnlint_api = pytest.importorskip("cfnlint.api")
from cfnlint.decode import decode_str  # noqa: E402

TEMPLATE = REPO / "examples" / "deploy" / "template.yaml"
REGION, ACCOUNT = "us-east-1", "123456789012"


def _lint(text: str) -> list[str]:
    return [f"{m.rule.id} {m.message}" for m in cfnlint_api.lint(text, regions=[REGION])]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    body, errors = decode_str(TEMPLATE.read_text())
    assert not errors
    return body


def test_template_passes_cfn_lint() -> None:
    assert _lint(TEMPLATE.read_text()) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Mode: Active", "Mode: Sometimes"),
        ("Runtime: python3.12", "Runtime: python2.7"),
        ("RetentionInDays: !Ref LogRetentionDays", "RetentionInDays: 42"),
    ],
)
def test_cfn_lint_catches_a_broken_template(before: str, after: str) -> None:
    text = TEMPLATE.read_text()
    assert before in text
    assert _lint(text.replace(before, after, 1)) != []


class Resolver:
    """Just enough of CloudFormation's intrinsic functions to read this template with its parameter defaults."""

    def __init__(self, template: dict[str, Any]) -> None:
        self.params = {k: str(v.get("Default", "bucket")) for k, v in template["Parameters"].items()}
        name = self.params["FunctionName"]
        group = f"/aws/lambda/{name}"
        self.refs = {
            **self.params,
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "LogGroup": group,
            "Function": name,
            "LamtraceLayer": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:lamtrace:1",
            "LiveAlias": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:live",
        }
        self.attrs = {
            "LogGroup.Arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:*",
            "ExecutionRole.Arn": f"arn:aws:iam::{ACCOUNT}:role/example-role",
            "Function.Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "Version.Version": "1",
        }
        self.conditions = {"JsonLogs": self.params["LogFormat"] == "JSON"}

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self(item) for item in node) if v is not None]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"}:
            return None if node["Ref"] == "AWS::NoValue" else self.refs[node["Ref"]]
        if set(node) == {"Fn::GetAtt"}:
            return self.attrs[".".join(node["Fn::GetAtt"])]
        if set(node) == {"Fn::Sub"}:
            return re.sub(
                r"\$\{([^}]+)\}", lambda m: self.refs.get(m[1]) or self.attrs[m[1]], node["Fn::Sub"]
            )
        if set(node) == {"Fn::If"}:
            condition, yes, no = node["Fn::If"]
            return self(yes if self.conditions[condition] else no)
        return {k: v for k, v in ((k, self(v)) for k, v in node.items()) if v is not None}


def test_the_deployed_function_would_pass_doctor(template: dict[str, Any]) -> None:
    resolve = Resolver(template)
    resources = {name: resolve(r["Properties"]) for name, r in template["Resources"].items()}
    function, role, group = resources["Function"], resources["ExecutionRole"], resources["LogGroup"]
    layer = resources["LamtraceLayer"]
    config = {
        **function,
        "FunctionArn": resolve.attrs["Function.Arn"],
        "Layers": [{"Arn": arn} for arn in function["Layers"]],
        "PackageType": "Zip",
    }
    facts = FunctionFacts(
        config=config,
        qualifier="live",
        log_group={"logGroupName": group["LogGroupName"], "retentionInDays": int(group["RetentionInDays"])},
        layers=[{"Arn": function["Layers"][0], **layer}],
        role_policies=[policy["PolicyDocument"] for policy in role["Policies"]],
        provisioned=[],
    )
    findings = run_checks(facts)
    assert [(f.check, f.status) for f in findings if f.status != OK] == []
    assert {"app log level", "system log level", "role: logs", "role: x-ray"} <= {f.check for f in findings}


def test_role_is_least_privilege(template: dict[str, Any]) -> None:
    role = template["Resources"]["ExecutionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    granted = sorted(a for s in statements for a in s["Action"])
    assert granted == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
    ]
    logs = next(s for s in statements if s["Action"][0].startswith("logs:"))
    assert logs["Resource"] == {"Fn::GetAtt": ["LogGroup", "Arn"]}  # only its own log group
    assert not role.get("ManagedPolicyArns")


def test_template_has_alias_retention_tracing_and_logging(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    types = {r["Type"] for r in resources.values()}
    assert {
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::Logs::LogGroup",
        "AWS::Lambda::LayerVersion",
    } <= types
    function = resources["Function"]["Properties"]
    assert function["TracingConfig"] == {"Mode": "Active"}
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "LogGroup"}
    assert template["Parameters"]["LayerKey"]["Default"] == default_filename("3.12", "x86_64")
