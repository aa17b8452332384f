"""``lamtrace doctor``: read a deployed function's setup with boto3 and say what stops lamtrace from seeing it.

Reading (this module) is separate from judging (``checks``): every API call that fails for a reason other than
"the function does not exist" becomes a ``*_error`` on the facts and a ``warn`` finding, so one missing
permission does not hide the other checks. Needs the ``aws`` extra (boto3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lamtrace.errors import AWSError, MissingExtraError
from lamtrace.ship.checks import run_checks
from lamtrace.ship.facts import FAIL, OK, WARN, Finding, FunctionFacts

PERMISSIONS_NOTE = (
    "role permissions are judged by lamtrace from the role's own policies and boundary (Allow/Deny, wildcards); "
    "conditions, SCPs and resource policies are not evaluated"
)


@dataclass
class Diagnosis:
    """The findings about one function."""

    function: str
    qualifier: str | None
    function_arn: str
    findings: list[Finding]

    @property
    def failed(self) -> bool:
        return any(f.status == FAIL for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {status: sum(f.status == status for f in self.findings) for status in (OK, WARN, FAIL)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "function": self.function,
            "qualifier": self.qualifier,
            "function_arn": self.function_arn,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "notes": [PERMISSIONS_NOTE],
        }

    def render(self, fmt: str = "text") -> str:
        """``text`` (one line per finding, its fix indented below) or ``json``."""
        if fmt == "json":
            return json.dumps(self.to_dict(), indent=2)
        width = max((len(f.check) for f in self.findings), default=0)
        lines = [f"lamtrace doctor: {self.function_arn}"]
        for f in self.findings:
            lines.append(f"  {f.status:<4}  {f.check:<{width}}  {f.message}")
            if f.fix and f.status != OK:
                lines.append(f"        {'':<{width}}  fix: {f.fix}")
        lines.append(f"note: {PERMISSIONS_NOTE}")
        lines.append(", ".join(f"{n} {status}" for status, n in self.counts().items()))
        return "\n".join(lines)


def _error_text(exc: Exception) -> str:
    """One short line for an AWS error (some endpoints answer with an HTML page)."""
    error = (getattr(exc, "response", None) or {}).get("Error") or {}
    code, message = error.get("Code", type(exc).__name__), " ".join(str(error.get("Message", exc)).split())
    if code.isdigit():
        code = f"HTTP {code}"
    if "<html" in message.lower() or message == code:
        message = ""
    text = f"{code}: {message}" if message else code
    return text if len(text) <= 200 else text[:197] + "..."


def _code(exc: Exception) -> str:
    return ((getattr(exc, "response", None) or {}).get("Error") or {}).get("Code", "")


def _session(profile: str | None, region: str | None) -> Any:
    try:
        import boto3
        import botocore.exceptions
    except ModuleNotFoundError as exc:
        raise MissingExtraError("aws", exc.name or "boto3") from None
    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise AWSError(str(exc)) from None


def read_facts(session: Any, function: str, qualifier: str | None = None) -> FunctionFacts:
    """Everything the checks need about ``function`` (a name or ARN), read with ``session``'s clients."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    try:
        lam = session.client("lambda", config=config)
        params = {"FunctionName": function, **({"Qualifier": qualifier} if qualifier else {})}
        facts = FunctionFacts(config=lam.get_function_configuration(**params), qualifier=qualifier)
    except NoRegionError:
        raise AWSError("no AWS region: pass --region or set AWS_REGION") from None
    except NoCredentialsError:
        raise AWSError("no AWS credentials: pass --profile or configure credentials for boto3") from None
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            where = f"{function}:{qualifier}" if qualifier else function
            raise AWSError(f"function {where} not found in {lam.meta.region_name}") from None
        raise AWSError(f"cannot read function {function}: {_error_text(exc)}") from None
    except BotoCoreError as exc:
        raise AWSError(f"cannot reach AWS: {exc}") from None

    failures = (ClientError, BotoCoreError)
    logs = session.client("logs", config=config)
    try:
        facts.log_group = _log_group(logs, facts.log_group_name)
    except failures as exc:
        facts.log_group_error = _error_text(exc)
    facts.layers = [_layer(lam, layer["Arn"], failures) for layer in facts.config.get("Layers") or []]
    try:
        _read_role(session.client("iam", config=config), facts)
    except failures as exc:
        facts.role_error = _error_text(exc)
    name = facts.name
    try:
        facts.reserved_concurrency = lam.get_function_concurrency(FunctionName=name).get(
            "ReservedConcurrentExecutions"
        )
    except failures as exc:
        facts.concurrency_error = _error_text(exc)
    try:
        facts.provisioned = _provisioned(lam, name, qualifier)
    except failures as exc:
        facts.provisioned_error = _error_text(exc)
    return facts


def _log_group(logs: Any, name: str) -> dict[str, Any] | None:
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name):
        for group in page.get("logGroups", []):
            if group.get("logGroupName") == name:
                return group
    return None


def _layer(lam: Any, arn: str, failures: tuple[type[Exception], ...]) -> dict[str, Any]:
    # GetLayerVersion with the layer's ARN as its name reads shared layers too (same answer as GetLayerVersionByArn,
    # which moto does not route).
    layer_arn, _, version = arn.rpartition(":")
    try:
        return {"Arn": arn, **lam.get_layer_version(LayerName=layer_arn, VersionNumber=int(version))}
    except failures as exc:  # e.g. a layer shared from another account
        return {"Arn": arn, "error": _error_text(exc)}


def _read_role(iam: Any, facts: FunctionFacts) -> None:
    from lamtrace.ship.iam import parse_document

    role_name = facts.config["Role"].rsplit("/", 1)[-1]
    role = iam.get_role(RoleName=role_name)["Role"]
    documents = []
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
        documents += [_managed_document(iam, p["PolicyArn"]) for p in page["AttachedPolicies"]]
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for policy_name in page["PolicyNames"]:
            documents.append(
                iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
            )
    facts.role_policies = [parse_document(d) for d in documents]
    boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary:
        facts.permissions_boundary = parse_document(_managed_document(iam, boundary))


def _managed_document(iam: Any, arn: str) -> Any:
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    return iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]


def _provisioned(lam: Any, name: str, qualifier: str | None) -> list[dict[str, Any]]:
    if qualifier == "$LATEST":
        return []  # provisioned concurrency applies to versions and aliases only
    if qualifier:
        try:
            config = lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        except lam.exceptions.ProvisionedConcurrencyConfigNotFoundException:
            return []
        return [{"FunctionArn": f"{name}:{qualifier}", **config}]
    configs = []
    for page in lam.get_paginator("list_provisioned_concurrency_configs").paginate(FunctionName=name):
        configs += page.get("ProvisionedConcurrencyConfigs", [])
    return configs


def diagnose(
    function: str,
    qualifier: str | None = None,
    *,
    profile: str | None = None,
    region: str | None = None,
    session: Any = None,
) -> Diagnosis:
    """Read ``function`` and check it. ``session`` (a boto3 Session) overrides ``profile``/``region``.

    >>> diagnosis = diagnose("orders", "live", region="eu-west-1")
    >>> diagnosis.failed, diagnosis.render()
    """
    facts = read_facts(session or _session(profile, region), function, qualifier)
    return Diagnosis(facts.name, qualifier, facts.config.get("FunctionArn", facts.name), run_checks(facts))
