"""Errors lamtrace reports to users as one clean line (the CLI maps them to exit codes)."""

from __future__ import annotations


class LamtraceError(Exception):
    """A problem the user can act on: bad input, a missing extra, an AWS permission. Printed without a traceback."""

    exit_code = 2


class InputError(LamtraceError):
    """Input lamtrace cannot use: an unknown file format, empty input, nothing matching the filters."""


class MissingExtraError(LamtraceError):
    """An optional dependency is not installed."""

    def __init__(self, extra: str, module: str) -> None:
        super().__init__(
            f"this needs the '{extra}' extra ({module} is not installed): pip install 'lamtrace[{extra}]'"
        )


class AWSError(LamtraceError):
    """Credentials, permissions or resources on the AWS side."""
