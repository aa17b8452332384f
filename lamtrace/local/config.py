"""The configuration of a local function: what Lambda's function configuration holds, plus local options."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lamtrace.errors import InputError
from lamtrace.local.platform import LOG_FORMATS

# the directory holding the lamtrace package: handlers can `import lamtrace` as if it came from a layer
LAMTRACE_ROOT = str(Path(__file__).resolve().parents[2])
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class FunctionConfig:
    """A function as Lambda knows it.

    ``handler`` is ``MODULE.FUNCTION`` (dots in the module path allowed: ``pkg.mod.fn``) importable from ``path`` (the
    task root). ``name`` defaults to the handler's top module. ``python_path`` entries are appended to ``PYTHONPATH``
    after the task root (by default the directory holding lamtrace, like a layer). ``enforce_memory`` kills the
    runtime when its resident memory passes ``memory_mb``, as Lambda does. ``tracing`` is ``PassThrough`` or
    ``Active`` (X-Ray).
    """

    handler: str
    path: str | Path = "."
    name: str | None = None
    version: str = "$LATEST"
    memory_mb: int = 128
    timeout_s: float = 3.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    log_format: str = "Text"
    log_level: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    python_path: list[str] = field(default_factory=lambda: [LAMTRACE_ROOT])
    enforce_memory: bool = False
    tracing: str = "PassThrough"
    xray_daemon_address: str | None = None

    def __post_init__(self) -> None:
        if "." not in self.handler:
            raise InputError(f"handler must be MODULE.FUNCTION, got {self.handler!r}")
        self.path = str(Path(self.path).resolve())
        if not Path(self.path).is_dir():
            raise InputError(f"task root {self.path} is not a directory")
        if self.name is None:
            self.name = re.sub(r"[^A-Za-z0-9_-]", "-", self.handler.split(".")[0])[:64]
        if not _NAME.match(self.name):
            raise InputError(f"invalid function name {self.name!r}")
        if self.log_format not in LOG_FORMATS:
            raise InputError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {self.log_format!r}")
        if self.timeout_s <= 0 or self.memory_mb < 128:
            raise InputError("timeout must be > 0 s and memory at least 128 MB")
        if self.tracing not in ("PassThrough", "Active"):
            raise InputError(f"tracing must be PassThrough or Active, got {self.tracing!r}")

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"

    def arn(self, qualifier: str | None = None) -> str:
        """The function ARN, qualified with a version or alias when given."""
        base = f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"
        return f"{base}:{qualifier}" if qualifier else base
