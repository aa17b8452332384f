"""Getting data in: CloudWatch Logs, X-Ray, exported files and a local X-Ray daemon.

Every collector yields the raw shapes of ``docs/schema.md`` (raw log events, raw trace documents); none analyses.
"""
