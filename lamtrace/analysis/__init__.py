"""Offline analysis: raw CloudWatch events and X-Ray documents -> invocation attempts -> a report.

Needs the ``analysis`` extra (pandas, DuckDB, pyarrow)::

    from lamtrace.analysis import load
    ds = load(logs="exported-logs/")
    ds.invocations      # one row per invocation attempt (docs/schema.md)
    ds.coverage         # what the input held and what was understood
    ds.report()         # the report
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Dataset", "load"]

if TYPE_CHECKING:  # pragma: no cover
    from lamtrace.analysis.dataset import Dataset, load


def __getattr__(name: str) -> Any:
    # lazy: importing lamtrace.analysis.formats must not pull in pandas and DuckDB
    if name in __all__:
        from lamtrace.analysis import dataset as module

        return getattr(module, name)
    raise AttributeError(f"module 'lamtrace.analysis' has no attribute {name!r}")
