"""The execution environment: what stays true for the life of this process (one cold-start flag, init type, ...).

Also the parsing of the per-invocation facts Lambda hands us outside the event: the trace header and the
invoked ARN. Pure functions; the only state is the process-wide cold-start flag.
"""

from __future__ import annotations

import os
import sys
import time

from lamtrace.runtime.values import Fields

TYPE_CHECKING = False  # typing is not imported at run time: it costs more than the whole wrapper
if TYPE_CHECKING:
    from collections.abc import Callable

INIT_ON_DEMAND = "on-demand"
INIT_PROVISIONED = "provisioned-concurrency"
INIT_SNAP_START = "snap-start"

# Recorded as early as we can: the moment lamtrace.runtime was first imported (normally during the init phase).
IMPORTED_AT = time.time()

first_invocation_pending = True  # read it freely; only ``consume_first_invocation`` clears it


def consume_first_invocation() -> bool:
    """True exactly once per process: for the first invocation this environment runs. The one cold-start flag."""
    global first_invocation_pending
    first, first_invocation_pending = first_invocation_pending, False
    return first


def process_started_at() -> float:
    """Epoch seconds at which this process started (Linux /proc, 10 ms resolution); import time elsewhere."""
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        # Field 22 (starttime, clock ticks since boot); the command name (field 2) may hold spaces, so split after ")".
        ticks = int(stat.rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return IMPORTED_AT


_SAMPLED_FLAGS, _AFTER_SAMPLED = frozenset({"0", "1"}), frozenset({"", ";"})


class TraceHeader(Fields):
    """The parts of ``_X_AMZN_TRACE_ID`` lamtrace uses; ``sampled`` is None when the header does not say."""

    __slots__ = ("root", "parent", "sampled")

    def __init__(self, root: str | None, parent: str | None, sampled: bool | None) -> None:
        self.root, self.parent, self.sampled = root, parent, sampled


def _make_trace_header_reader() -> Callable[[], str | None]:
    """A function returning ``_X_AMZN_TRACE_ID`` (which the runtime sets before every invocation), or None.

    On POSIX it reads ``os.environ``'s own byte dictionary: ``os.environ.get`` runs four Python-level calls
    (a tenth of the wrapper's per-invocation work). Anywhere else, or if ``os.environ`` was replaced by another
    mapping, it is ``os.environ.get``.
    """
    key, encoding, environ_type = b"_X_AMZN_TRACE_ID", sys.getfilesystemencoding(), type(os.environ)

    def read() -> str | None:
        environ = os.environ
        if type(environ) is not environ_type:
            return environ.get("_X_AMZN_TRACE_ID")
        raw = environ._data.get(key)  # type: ignore[attr-defined]
        return None if raw is None else raw.decode(encoding, "surrogateescape")

    if os.name != "posix" or not isinstance(getattr(os.environ, "_data", None), dict):
        return lambda: os.environ.get("_X_AMZN_TRACE_ID")
    return read


trace_header_text = _make_trace_header_reader()


def parse_trace_header(header: str | None) -> TraceHeader:
    """Parse ``Root=1-...;Parent=...;Sampled=1;Lineage=...`` (any order, unknown parts ignored).

    >>> parse_trace_header("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
    TraceHeader(root='1-5759e988-bd862e3fe1be46a994272793', parent='53995c3f42cd8ad8', sampled=True)
    """
    if (
        header
        and header[:5] == "Root="
        and header[40:48] == ";Parent="
        and header[64:73] == ";Sampled="
        and header[73:74] in _SAMPLED_FLAGS
        and header[74:75] in _AFTER_SAMPLED
    ):  # what Lambda sends: fixed-width Root, Parent and Sampled first (then maybe Lineage); slicing is faster
        return TraceHeader(header[5:40], header[48:64], header[73] == "1")
    root = parent = sampled = None
    if header:
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == "Root":
                root = value or None
            elif key == "Parent":
                parent = value or None
            elif key == "Sampled" and value in ("0", "1"):
                sampled = value == "1"
    return TraceHeader(root, parent, sampled)


def version_and_alias(invoked_arn: str | None, env_version: str | None) -> tuple[str | None, str | None]:
    """(version, alias) from the invoked ARN ``arn:aws:lambda:region:account:function:name[:qualifier]``.

    A numeric or ``$LATEST`` qualifier is a version; any other qualifier is an alias. The version falls back to
    ``AWS_LAMBDA_FUNCTION_VERSION`` (what actually runs, also when invoked through an alias).
    """
    parts = (invoked_arn or "").split(":")
    qualifier = parts[7] if len(parts) > 7 else None
    if qualifier and (qualifier == "$LATEST" or qualifier.isdigit()):
        return env_version or qualifier, None
    return env_version, qualifier or None


def init_type(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """on-demand | provisioned-concurrency | snap-start (``AWS_LAMBDA_INITIALIZATION_TYPE``; on-demand if unset)."""
    return environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") or INIT_ON_DEMAND


def runtime_name(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """``python3.12`` from ``AWS_EXECUTION_ENV=AWS_Lambda_python3.12``, else the running interpreter's version."""
    execution_env = environ.get("AWS_EXECUTION_ENV", "")
    if execution_env.startswith("AWS_Lambda_"):
        return execution_env[len("AWS_Lambda_") :]
    return f"python{sys.version_info.major}.{sys.version_info.minor}"
