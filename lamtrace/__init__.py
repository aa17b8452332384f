"""lamtrace — observability for AWS Lambda.

In a function::

    import lamtrace

    @lamtrace.instrument
    def handler(event, context):
        lamtrace.get_logger(__name__).info("hello")

Offline (``pip install 'lamtrace[analysis]'``)::

    from lamtrace.analysis import load
    report = load(logs="exported-logs/").report()

``import lamtrace`` loads nothing but this file: every public name is resolved on first use (PEP 562),
so the cold-start cost of the package is paid only for what a function actually calls.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing is not imported at run time: it alone costs more than lamtrace's whole wrapper

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "instrument": "lamtrace.runtime.wrapper",
    "get_logger": "lamtrace.runtime.log",
    "span": "lamtrace.runtime.tracing",
    "trace": "lamtrace.runtime.tracing",
}

__all__ = ["__version__", "instrument", "get_logger", "span", "trace"]

if TYPE_CHECKING:  # pragma: no cover
    from lamtrace.runtime.log import get_logger
    from lamtrace.runtime.tracing import span, trace
    from lamtrace.runtime.wrapper import instrument


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lamtrace' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
