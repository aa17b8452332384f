"""Offline analysis: raw CloudWatch events and X-Ray documents -> invocation attempts -> a report.

Needs the ``analysis`` extra (pandas, DuckDB, pyarrow).
"""
