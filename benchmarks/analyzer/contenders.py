"""The contenders of the analyzer benchmark; each computes the same per-function numbers from one raw-event file.

    python benchmarks/analyzer/contenders.py lamtrace|duckdb|pandas|orjson FILE

Numbers per function (log group): attempts (REPORTs), invocations (distinct request ids), errors, timeouts,
cold starts, and duration p50/p90/p99/max (linear interpolation, numpy's default). Prints one JSON object.
The baselines do what a careful user would write by hand: read the REPORT lines of both log formats.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from typing import Any

QUANTILES = (0.5, 0.9, 0.99)
RAW_COLUMNS = (
    "{'log_group': 'VARCHAR', 'log_stream': 'VARCHAR', 'timestamp': 'BIGINT', 'message': 'VARCHAR', "
    "'event_id': 'VARCHAR', 'ingestion_time': 'BIGINT'}"
)
REPORT = re.compile(r"^REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms")
STATUS = re.compile(r"Status: (\w+)")


def new_row() -> dict[str, Any]:
    """What ``summarise`` needs of one function, filled attempt by attempt."""
    return {"durations": [], "ids": set(), "errors": 0, "timeouts": 0, "cold": 0}


def summarise(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    out = {}
    for function, r in sorted(rows.items()):
        durations = np.asarray(r["durations"], dtype=float)
        q = np.quantile(durations, QUANTILES) if len(durations) else [None] * 3
        out[function] = {
            "attempts": int(len(durations)),
            "invocations": len(r["ids"]),
            "errors": r["errors"],
            "timeouts": r["timeouts"],
            "cold": r["cold"],
            "p50": q[0],
            "p90": q[1],
            "p99": q[2],
            "max": float(durations.max()) if len(durations) else None,
        }
    return out


def run_lamtrace(path: str) -> dict[str, Any]:
    from lamtrace.analysis import load

    inv = load(logs=path).invocations
    inv = inv[inv["has_report"]]
    out = {}
    for function, g in inv.groupby("function"):
        q = g["duration_ms"].quantile(QUANTILES).tolist()
        out[f"/aws/lambda/{function}"] = {
            "attempts": len(g),
            "invocations": int(g["request_id"].nunique()),
            "errors": int((g["outcome"] == "error").sum()),
            "timeouts": int((g["outcome"] == "timeout").sum()),
            "cold": int(g["cold_start"].sum()),
            "p50": q[0],
            "p90": q[1],
            "p99": q[2],
            "max": float(g["duration_ms"].max()),
        }
    return out


DUCKDB_SQL = """
WITH ev AS (
  SELECT log_group, message FROM read_json('{path}', format = 'newline_delimited', columns = {columns})
), r AS (
  SELECT log_group,
    CASE WHEN starts_with(message, 'REPORT') THEN regexp_extract(message, 'RequestId: (\\S+)', 1)
         ELSE json_extract_string(message, '$.record.requestId') END AS request_id,
    CASE WHEN starts_with(message, 'REPORT') THEN regexp_extract(message, '\\tDuration: ([0-9.]+) ms', 1)::DOUBLE
         ELSE json_extract(message, '$.record.metrics.durationMs')::DOUBLE END AS duration,
    CASE WHEN starts_with(message, 'REPORT') THEN regexp_extract(message, 'Status: ([a-z]+)', 1)
         ELSE json_extract_string(message, '$.record.status') END AS status,
    contains(message, 'Init Duration') OR contains(message, 'initDurationMs') AS cold
  FROM ev WHERE starts_with(message, 'REPORT') OR contains(message, '"type":"platform.report"')
)
SELECT log_group, count(*), count(DISTINCT request_id), count(*) FILTER (status = 'error'),
       count(*) FILTER (status = 'timeout'), count(*) FILTER (cold),
       quantile_cont(duration, [0.5, 0.9, 0.99]), max(duration)
FROM r GROUP BY log_group ORDER BY log_group
"""


# The same numbers by hand, but careful: what docs/definitions.md asks of these few columns on real pulls.
# Events deduplicated by event id; a cold start is also an INIT_START / platform.initStart in the stream since
# its previous REPORT; a failure is also a traceback / errorType record before the REPORT (REPORTs before 2024
# have no Status) and a timeout also a "Task timed out" line of that request id; a timeout is not also an error.
DUCKDB_CAREFUL_SQL = """
WITH raw AS (
  SELECT * FROM read_json('{path}', format = 'newline_delimited', columns = {columns})
), ev AS (
  SELECT DISTINCT ON (event_id) log_group, log_stream, timestamp, message,
    CASE WHEN starts_with(message, 'REPORT') OR contains(message, '"type":"platform.report"') THEN 'report'
         WHEN starts_with(message, 'INIT_START') OR contains(message, '"type":"platform.initStart"') THEN 'init'
         WHEN contains(message, 'Task timed out after') THEN 'timeout'
         ELSE 'error' END AS kind
  FROM raw
  WHERE starts_with(message, 'REPORT') OR starts_with(message, 'INIT_START') OR starts_with(message, '[ERROR]')
     OR contains(message, 'Task timed out after') OR (starts_with(message, '{{') AND (
        contains(message, '"type":"platform.report"') OR contains(message, '"type":"platform.initStart"')
        OR (contains(message, '"errorType"') AND NOT contains(message, '"type":"platform.'))))
), numbered AS (  -- each event belongs to the next REPORT of its stream; a timeout line to the one before
  SELECT *, count(*) FILTER (kind = 'report') OVER (
      PARTITION BY log_group, log_stream ORDER BY timestamp, kind = 'report' ROWS UNBOUNDED PRECEDING)
    + (kind NOT IN ('report', 'timeout'))::INT AS report_no
  FROM ev
), attempts AS (
  SELECT log_group, log_stream, report_no,
    any_value(message) FILTER (kind = 'report') AS report,
    bool_or(kind = 'init') AS init_seen, bool_or(kind = 'error') AS error_seen
  FROM numbered WHERE kind <> 'timeout' GROUP BY ALL
), r AS (
  SELECT log_group, log_stream, report_no, init_seen, error_seen,
    CASE WHEN starts_with(report, 'REPORT') THEN regexp_extract(report, 'RequestId: (\\S+)', 1)
         ELSE json_extract_string(report, '$.record.requestId') END AS request_id,
    CASE WHEN starts_with(report, 'REPORT') THEN regexp_extract(report, '\\tDuration: ([0-9.]+) ms', 1)::DOUBLE
         ELSE json_extract(report, '$.record.metrics.durationMs')::DOUBLE END AS duration,
    CASE WHEN starts_with(report, 'REPORT') THEN NULLIF(regexp_extract(report, 'Status: ([a-z]+)', 1), '')
         ELSE json_extract_string(report, '$.record.status') END AS status,
    contains(report, 'Init Duration') OR contains(report, 'initDurationMs') AS init_duration
  FROM attempts WHERE report IS NOT NULL
), t AS (
  SELECT DISTINCT log_group, log_stream, report_no,
    regexp_extract(message, '([0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}) Task timed out', 1)
      AS request_id
  FROM numbered WHERE kind = 'timeout'
), o AS (
  SELECT r.*, coalesce(status = 'timeout', false) OR EXISTS (
      SELECT 1 FROM t WHERE t.log_group = r.log_group AND t.log_stream = r.log_stream
        AND t.request_id = r.request_id AND t.report_no IN (r.report_no, r.report_no - 1)) AS timed_out
  FROM r
)
SELECT log_group, count(*), count(DISTINCT request_id),
       count(*) FILTER (NOT timed_out AND (status = 'error' OR error_seen)),
       count(*) FILTER (timed_out), count(*) FILTER (init_duration OR init_seen),
       quantile_cont(duration, [0.5, 0.9, 0.99]), max(duration)
FROM o GROUP BY log_group ORDER BY log_group
"""


def run_duckdb(path: str, sql: str = DUCKDB_SQL) -> dict[str, Any]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    out = {}
    for group, n, ids, errors, timeouts, cold, q, top in con.execute(
        sql.format(path=path, columns=RAW_COLUMNS)
    ).fetchall():
        out[group] = {
            "attempts": n,
            "invocations": ids,
            "errors": errors,
            "timeouts": timeouts,
            "cold": cold,
            "p50": q[0],
            "p90": q[1],
            "p99": q[2],
            "max": top,
        }
    return out


def run_pandas(path: str) -> dict[str, Any]:
    import pandas as pd

    parts = []
    for chunk in pd.read_json(path, lines=True, chunksize=200_000, dtype=False):
        msg = chunk["message"]
        text = chunk[msg.str.startswith("REPORT")]
        t = text["message"].str.extract(r"RequestId: (?P<rid>\S+)\s+Duration: (?P<d>[\d.]+) ms")
        t["status"] = text["message"].str.extract(r"Status: (\w+)", expand=False)
        t["cold"] = text["message"].str.contains("Init Duration", regex=False)
        t["log_group"] = text["log_group"]
        js = chunk[msg.str.contains('"type":"platform.report"', regex=False)]
        j = js["message"].str.extract(r'"requestId":"(?P<rid>[^"]+)".*?"durationMs":(?P<d>[\d.]+)')
        j["status"] = js["message"].str.extract(r'"status":"(\w+)"', expand=False)
        j["cold"] = js["message"].str.contains("initDurationMs", regex=False)
        j["log_group"] = js["log_group"]
        parts += [t, j]
    df = pd.concat(parts)
    df["d"] = df["d"].astype(float)
    out = {}
    for group, g in df.groupby("log_group"):
        q = g["d"].quantile(QUANTILES).tolist()
        out[group] = {
            "attempts": len(g),
            "invocations": int(g["rid"].nunique()),
            "errors": int((g["status"] == "error").sum()),
            "timeouts": int((g["status"] == "timeout").sum()),
            "cold": int(g["cold"].sum()),
            "p50": q[0],
            "p90": q[1],
            "p99": q[2],
            "max": float(g["d"].max()),
        }
    return out


def run_orjson(path: str) -> dict[str, Any]:
    import orjson

    rows: dict[str, dict[str, Any]] = defaultdict(new_row)
    with open(path, "rb") as handle:
        for line in handle:
            event = orjson.loads(line)
            message = event["message"]
            if message.startswith("REPORT"):
                m = REPORT.match(message)
                s = STATUS.search(message)
                rid, duration, cold = m.group(1), float(m.group(2)), "Init Duration" in message
                status = s.group(1) if s else None
            elif message.startswith("{") and '"platform.report"' in message:
                record = orjson.loads(message)["record"]
                rid, duration = record["requestId"], record["metrics"]["durationMs"]
                cold, status = "initDurationMs" in record["metrics"], record.get("status")
            else:
                continue
            r = rows[event["log_group"]]
            r["durations"].append(duration)
            r["ids"].add(rid)
            r["errors"] += status == "error"
            r["timeouts"] += status == "timeout"
            r["cold"] += cold
    return summarise(rows)


def run_duckdb_careful(path: str) -> dict[str, Any]:
    return run_duckdb(path, DUCKDB_CAREFUL_SQL)


CONTENDERS = {
    "lamtrace": run_lamtrace,
    "duckdb": run_duckdb,
    "duckdb_careful": run_duckdb_careful,
    "pandas": run_pandas,
    "orjson": run_orjson,
}

if __name__ == "__main__":
    name, path = sys.argv[1], sys.argv[2]
    print(json.dumps(CONTENDERS[name](path), default=float))
