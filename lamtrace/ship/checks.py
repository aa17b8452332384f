"""The checks of ``lamtrace doctor``: pure functions from what was read about a function to findings with fixes.

``run_checks`` turns ``FunctionFacts`` (what the AWS APIs returned, or why they could not be read) into ``Finding``
objects. Nothing here talks to AWS, so each rule is tested on plain dicts shaped like the API responses.
"""

from __future__ import annotations

import re
from typing import Any

from lamtrace.ship import iam
from lamtrace.ship.facts import FAIL, OK, WARN, Finding, FunctionFacts
from lamtrace.ship.layer import DESCRIPTION_PREFIX

MIN_PYTHON = (3, 10)
# Lambda log levels, most detailed first; lamtrace's own records are INFO.
LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def _update(facts: FunctionFacts, options: str) -> str:
    return f"aws lambda update-function-configuration --function-name {facts.name} {options}"


def check_runtime(facts: FunctionFacts) -> list[Finding]:
    runtime = facts.config.get("Runtime")
    if facts.config.get("PackageType") == "Image":
        return [
            Finding(
                "runtime",
                OK,
                "container image: lamtrace must be installed in the image (layers do not apply)",
            )
        ]
    match = re.fullmatch(r"python(\d+)\.(\d+)", runtime or "")
    if not match:
        return [
            Finding(
                "runtime", FAIL, f"runtime {runtime} is not Python: lamtrace's wrapper is a Python library"
            )
        ]
    if (int(match[1]), int(match[2])) < MIN_PYTHON:
        return [
            Finding(
                "runtime",
                FAIL,
                f"{runtime} is older than lamtrace supports (3.10+)",
                _update(facts, "--runtime python3.12"),
            )
        ]
    return [Finding("runtime", OK, runtime)]


def check_tracing(facts: FunctionFacts) -> list[Finding]:
    if facts.tracing == "Active":
        return [Finding("tracing", OK, "X-Ray active tracing is on")]
    return [
        Finding(
            "tracing",
            WARN,
            f"tracing mode is {facts.tracing}: Lambda records no X-Ray segments, so reports have no init/invoke/overhead "
            "breakdown or downstream calls",
            _update(facts, "--tracing-config Mode=Active"),
        )
    ]


def check_logging(facts: FunctionFacts) -> list[Finding]:
    logging = facts.config.get("LoggingConfig") or {}
    if facts.log_format != "JSON":
        return [
            Finding("log format", OK, "Text: lamtrace reads the platform lines and its own JSON app lines")
        ]
    found = [Finding("log format", OK, "JSON: platform records and app lines are structured")]
    app = (logging.get("ApplicationLogLevel") or "INFO").upper()
    system = (logging.get("SystemLogLevel") or "INFO").upper()
    if app in LEVELS and LEVELS.index(app) > LEVELS.index("INFO"):
        found.append(
            Finding(
                "app log level",
                FAIL,
                f"ApplicationLogLevel {app} drops INFO lines, and lamtrace's env_init/invocation_end records are INFO",
                _update(facts, "--logging-config LogFormat=JSON,ApplicationLogLevel=INFO"),
            )
        )
    else:
        found.append(Finding("app log level", OK, f"ApplicationLogLevel {app} keeps lamtrace's INFO records"))
    if system in ("WARN", "ERROR", "FATAL"):
        found.append(
            Finding(
                "system log level",
                FAIL,
                f"SystemLogLevel {system} drops Lambda's platform.start/platform.report records (INFO): "
                "no durations, billed time, memory or init times",
                _update(facts, "--logging-config LogFormat=JSON,SystemLogLevel=INFO"),
            )
        )
    else:
        found.append(
            Finding("system log level", OK, f"SystemLogLevel {system} keeps the platform report records")
        )
    return found


def check_log_group(facts: FunctionFacts) -> list[Finding]:
    name = facts.log_group_name
    if facts.log_group_error:
        return [Finding("log group", WARN, f"could not read log group {name}: {facts.log_group_error}")]
    if facts.log_group is None:
        return [
            Finding(
                "log group",
                WARN,
                f"log group {name} does not exist: Lambda creates it on the first invocation, keeping logs forever",
                f"aws logs create-log-group --log-group-name {name} && "
                f"aws logs put-retention-policy --log-group-name {name} --retention-in-days 30",
            )
        ]
    days = facts.log_group.get("retentionInDays")
    if not days:
        return [
            Finding(
                "log retention",
                WARN,
                f"log group {name} keeps logs forever (no retention): storage cost only grows",
                f"aws logs put-retention-policy --log-group-name {name} --retention-in-days 30",
            )
        ]
    return [Finding("log retention", OK, f"log group {name} keeps logs {days} days")]


def _lamtrace_layer(layers: list[dict[str, Any]]) -> dict[str, Any] | None:
    for layer in layers:
        layer_name = layer["Arn"].split(":")[6] if layer["Arn"].count(":") >= 6 else layer["Arn"]
        if "lamtrace" in layer_name.lower() or (layer.get("Description") or "").startswith(
            DESCRIPTION_PREFIX
        ):
            return layer
    return None


def check_layer(facts: FunctionFacts) -> list[Finding]:
    if facts.config.get("PackageType") == "Image":
        return []
    layer = _lamtrace_layer(facts.layers)
    if layer is None:
        return [
            Finding(
                "lamtrace layer",
                WARN,
                "no lamtrace layer (none named lamtrace or described 'lamtrace ...'): fine only if lamtrace is "
                "packaged with the function code",
                "lamtrace layer build, publish it, then "
                + _update(facts, "--layers <the layer version ARN> <the function's other layer ARNs>"),
            )
        ]
    found = [Finding("lamtrace layer", OK, f"{layer['Arn']} {layer.get('Description') or ''}".strip())]
    arch = (facts.config.get("Architectures") or ["x86_64"])[0]
    runtime = facts.config.get("Runtime")
    archs, runtimes = layer.get("CompatibleArchitectures") or [], layer.get("CompatibleRuntimes") or []
    wrong = []
    if archs and arch not in archs:
        wrong.append(f"architecture {arch} not in {archs}")
    if runtimes and runtime not in runtimes:
        wrong.append(f"runtime {runtime} not in {runtimes}")
    if wrong:
        python = (runtime or "python3.12").removeprefix("python")
        found.append(
            Finding(
                "layer target",
                FAIL,
                "the lamtrace layer was built for another target: " + "; ".join(wrong),
                f"lamtrace layer build --python {python} --arch {arch}, publish, and attach the new version",
            )
        )
    return found


def _permission(
    documents: list[dict[str, Any]], boundary: dict[str, Any] | None, action: str, resource: str
) -> str:
    verdict = iam.evaluate(documents, action, resource)
    if boundary is not None and verdict == iam.ALLOWED:
        verdict = iam.evaluate([boundary], action, resource)
    return verdict


def _permissions_finding(
    facts: FunctionFacts, check: str, needed: list[tuple[str, str]], why: str, fix: str, missing_status: str
) -> Finding:
    verdicts = {
        action: _permission(facts.role_policies, facts.permissions_boundary, action, res)
        for action, res in needed
    }
    missing = [a for a, v in verdicts.items() if v in (iam.NOT_ALLOWED, iam.DENIED)]
    unsure = [a for a, v in verdicts.items() if v == iam.CONDITIONAL]
    if missing:
        detail = ", ".join(f"{a} ({verdicts[a]})" for a in missing)
        return Finding(check, missing_status, f"the execution role lacks {detail}: {why}", fix)
    if unsure:
        return Finding(
            check, WARN, f"{', '.join(unsure)} allowed only under conditions lamtrace does not evaluate"
        )
    return Finding(check, OK, "the execution role allows " + ", ".join(verdicts))


def check_role(facts: FunctionFacts) -> list[Finding]:
    if facts.role_error:
        return [Finding("role", WARN, f"could not read the execution role's policies: {facts.role_error}")]
    region, account = facts.arn_parts
    group = f"arn:aws:logs:{region}:{account}:log-group:{facts.log_group_name}"
    stream = f"{group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef"
    needed = [("logs:CreateLogStream", stream), ("logs:PutLogEvents", stream)]
    if facts.log_group is None and not facts.log_group_error:
        needed.insert(0, ("logs:CreateLogGroup", f"{group}:*"))
    policy = "examples/deploy/template.yaml shows a least-privilege role"
    found = [
        _permissions_finding(
            facts,
            "role: logs",
            needed,
            "the function's logs never reach CloudWatch",
            f"allow them on {group}:* ({policy})",
            FAIL,
        )
    ]
    xray = [("xray:PutTraceSegments", "*"), ("xray:PutTelemetryRecords", "*")]
    active = facts.tracing == "Active"
    found.append(
        _permissions_finding(
            facts,
            "role: x-ray",
            xray,
            "active tracing cannot send segments" if active else "needed once active tracing is on",
            f"attach arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess or allow them on * ({policy})",
            FAIL if active else WARN,
        )
    )
    return found


def check_sizes(facts: FunctionFacts) -> list[Finding]:
    timeout, memory = facts.config.get("Timeout", 3), facts.config.get("MemorySize", 128)
    found = []
    if timeout <= 3:
        found.append(
            Finding(
                "timeout",
                WARN,
                f"timeout {timeout} s is Lambda's default: a slow dependency or cold start turns into a timeout",
                _update(facts, "--timeout <measured p99 duration x 2, in s>"),
            )
        )
    else:
        found.append(Finding("timeout", OK, f"timeout {timeout} s"))
    if memory <= 128:
        found.append(
            Finding(
                "memory",
                WARN,
                f"{memory} MB gets about {memory / 1769:.2f} vCPU: Python imports and cold starts are CPU bound",
                _update(facts, "--memory-size 512")
                + "  (then compare duration and cost with lamtrace report)",
            )
        )
    else:
        found.append(Finding("memory", OK, f"{memory} MB"))
    return found


def check_concurrency(facts: FunctionFacts) -> list[Finding]:
    found = []
    reserved = facts.reserved_concurrency
    if facts.concurrency_error:
        found.append(Finding("reserved concurrency", WARN, f"could not read: {facts.concurrency_error}"))
    elif reserved == 0:
        found.append(
            Finding(
                "reserved concurrency",
                FAIL,
                "reserved concurrency is 0: every invocation is throttled",
                f"aws lambda delete-function-concurrency --function-name {facts.name}",
            )
        )
    else:
        text = f"{reserved} reserved" if reserved else "none reserved: shares the account's unreserved pool"
        found.append(Finding("reserved concurrency", OK, text))
    if facts.provisioned_error:
        found.append(Finding("provisioned concurrency", WARN, f"could not read: {facts.provisioned_error}"))
        return found
    configs = facts.provisioned or []
    failed = [c for c in configs if c.get("Status") == "FAILED"]
    if failed:
        reasons = "; ".join(c.get("StatusReason") or "no reason given" for c in failed)
        found.append(Finding("provisioned concurrency", FAIL, f"provisioned concurrency failed: {reasons}"))
    elif configs:
        text = ", ".join(
            f"{c.get('AllocatedProvisionedConcurrentExecutions', 0)}/{c.get('RequestedProvisionedConcurrentExecutions', 0)}"
            f" on {c.get('FunctionArn', '').rsplit(':', 1)[-1]} ({c.get('Status', '?')})"
            for c in configs
        )
        found.append(Finding("provisioned concurrency", OK, f"{text}: those starts report as 'provisioned'"))
    else:
        found.append(
            Finding("provisioned concurrency", OK, "none: every new environment is an on-demand cold start")
        )
    return found


CHECKS = (
    check_runtime,
    check_tracing,
    check_logging,
    check_log_group,
    check_layer,
    check_role,
    check_sizes,
    check_concurrency,
)


def run_checks(facts: FunctionFacts) -> list[Finding]:
    """Every finding about ``facts``, in a stable order."""
    return [finding for check in CHECKS for finding in check(facts)]
