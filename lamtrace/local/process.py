"""One runtime process: ``python -m awslambdaric MODULE.FUNCTION`` with Lambda's environment, its output and memory.

The environment variables are the ones a Python handler sees on Lambda (managed ``python3.x`` runtime); see
``lambda_environment``. The process gets a telemetry log pipe through ``_LAMBDA_TELEMETRY_LOG_FD`` exactly as
Lambda's runtime does, so awslambdaric writes its records as frames (see ``capture``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from lamtrace.local.capture import OutputCapture
from lamtrace.local.config import FunctionConfig

PAGE_KB = 1024
PASSED_THROUGH = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def runtime_name() -> str:
    """The managed-runtime name of this interpreter, e.g. ``python3.12``."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def lambda_environment(
    config: FunctionConfig, *, runtime_api: str, log_stream: str, init_type: str
) -> dict[str, str]:
    """The environment variables of a Lambda Python execution environment (reserved names as Lambda sets them),
    then the function's own ``config.env``."""
    runtime_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{runtime_dir}:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": config.path,
        "LAMBDA_RUNTIME_DIR": runtime_dir,
        "PYTHONPATH": os.pathsep.join([config.path, *config.python_path]),
        "_HANDLER": config.handler,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime_name()}",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_VERSION": config.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group,
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
        "AWS_LAMBDA_INITIALIZATION_TYPE": init_type,
        "AWS_LAMBDA_LOG_FORMAT": config.log_format,
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
    }
    if config.log_level and config.log_format == "JSON":
        env["AWS_LAMBDA_LOG_LEVEL"] = config.log_level
    if config.xray_daemon_address:
        host, _, port = config.xray_daemon_address.rpartition(":")
        env["AWS_XRAY_DAEMON_ADDRESS"] = config.xray_daemon_address
        env["_AWS_XRAY_DAEMON_ADDRESS"] = host
        env["_AWS_XRAY_DAEMON_PORT"] = port
        env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
    # Lambda hands the function its role's credentials; locally, the caller's credentials and endpoint (if any)
    env.update(
        {
            key: value
            for key, value in os.environ.items()
            if key in PASSED_THROUGH or key.startswith("AWS_ENDPOINT_URL")
        }
    )
    env.update(config.env)
    return env


class RuntimeProcess:
    """A started awslambdaric process, its captured output, and its memory high-water mark."""

    def __init__(self, handler: str, env: Mapping[str, str], cwd: str) -> None:
        telemetry_read, telemetry_write = os.pipe()
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "awslambdaric", handler],
            env={**env, "_LAMBDA_TELEMETRY_LOG_FD": str(telemetry_write)},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(telemetry_write,),
            start_new_session=True,  # a kill reaches the whole process group (handler subprocesses too)
        )
        os.close(telemetry_write)
        # the capture owns the read ends from now on
        stdout_fd, stderr_fd = os.dup(self.popen.stdout.fileno()), os.dup(self.popen.stderr.fileno())
        self.popen.stdout.close()
        self.popen.stderr.close()
        self.output = OutputCapture(stdout_fd, stderr_fd, telemetry_read)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exit_reason(self) -> str | None:
        """None while running; else Lambda's wording: ``exit status 1`` or ``signal: killed``."""
        code = self.popen.poll()
        if code is None:
            return None
        if code < 0:
            name = signal.Signals(-code).name[3:].lower()
            return "signal: killed" if name == "kill" else f"signal: {name}"
        return f"exit status {code}"

    def memory_mb(self, key: str = "VmHWM") -> int | None:
        """Memory of the process in MB (rounded up) from /proc: ``VmHWM`` (peak) or ``VmRSS`` (now); None if gone."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith(key + ":"):
                        return -(-int(line.split()[1]) // PAGE_KB)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return None
        return None

    def wait_exit(self, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for the process to exit by itself."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout_s)

    def kill(self) -> None:
        """SIGKILL the runtime (and its process group), as Lambda does at a timeout or out of memory."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self, grace_s: float = 0.5) -> None:
        """Shut down: SIGTERM, then SIGKILL after ``grace_s`` (Lambda's shutdown phase)."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(grace_s)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill()
