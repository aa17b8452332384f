"""What ``lamtrace doctor`` read about a function (``FunctionFacts``) and what it concluded (``Finding``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Finding:
    """One result: ``check`` names what was looked at, ``status`` is ok/warn/fail, ``fix`` says what to do."""

    check: str
    status: str
    message: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FunctionFacts:
    """What ``lamtrace doctor`` read about one function. ``*_error`` fields say why something could not be read."""

    config: dict[str, Any]  # GetFunctionConfiguration
    qualifier: str | None = None
    log_group: dict[str, Any] | None = None  # DescribeLogGroups entry, None when the group does not exist
    log_group_error: str | None = None
    layers: list[dict[str, Any]] = field(
        default_factory=list
    )  # {"Arn", GetLayerVersionByArn fields..., "error"}
    role_policies: list[dict[str, Any]] = field(default_factory=list)  # identity policy documents
    permissions_boundary: dict[str, Any] | None = None
    role_error: str | None = None
    reserved_concurrency: int | None = None
    concurrency_error: str | None = None
    provisioned: list[dict[str, Any]] | None = None  # provisioned concurrency configs
    provisioned_error: str | None = None

    @property
    def name(self) -> str:
        return self.config["FunctionName"]

    @property
    def arn_parts(self) -> tuple[str, str]:
        """(region, account) from the function ARN."""
        parts = self.config.get("FunctionArn", "").split(":")
        return (parts[3], parts[4]) if len(parts) > 4 else ("*", "*")

    @property
    def log_group_name(self) -> str:
        return (self.config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{self.name}"

    @property
    def log_format(self) -> str:
        return (self.config.get("LoggingConfig") or {}).get("LogFormat") or "Text"

    @property
    def tracing(self) -> str:
        return (self.config.get("TracingConfig") or {}).get("Mode") or "PassThrough"
