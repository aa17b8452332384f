"""Pure parsers, one module per source format: text in, values out, no I/O.

``parse_message`` (in :mod:`.event`) is the entry point: one CloudWatch event message → one parsed event.
"""

from lamtrace.analysis.formats.event import parse_message
from lamtrace.analysis.formats.fields import FIELDS, KINDS

__all__ = ["FIELDS", "KINDS", "parse_message"]
