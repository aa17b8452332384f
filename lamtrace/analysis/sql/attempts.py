"""SQL assembling parsed events (table ``ev``) into invocation attempts — the definitions in docs/definitions.md.

Steps (each small; none copies the event table):

1. ``attempt`` column: an event belongs to the attempt whose REPORT is the first REPORT of its (log group, stream,
   request id) at or after the event's time; a timeout line printed after the last REPORT belongs to that REPORT.
   Only keys with several REPORTs (retries in one environment) need the window; the rest are attempt 1.
2. Events without a request id (Python ``[ERROR]`` tracebacks, ``Runtime.Unknown``, timeout lines copied
   without an id) get the request id and attempt of the attempt running in the same stream at their time.
3. ``att``: one row per attempt, joined from per-kind pieces (REPORT fields, START, rare failure records, app
   line counts) — cheaper than one aggregate with a FILTER per field. A view: only ``FINAL`` reads it whole.
4. ``init_win``: each INIT_*/RESTORE_* record belongs to the first attempt of its stream that ends at or after
   it (an ASOF join): cold start, start kind, init errors.
5. ``numbered``: attempt numbers across streams, for the request ids with more than one attempt.
6. ``FINAL``: outcome, start kind, function, version.

Attempts are keyed by integers — ``sid`` (hash of log group and stream) and ``rid`` (hash of the request id) —
and every piece is its own table: measured at 1M invocations this runs in a third of the time of string keys
and one statement of CTEs.
"""

from __future__ import annotations

# an on-demand environment whose INIT_START came this long before its first START was initialised ahead of
# that invocation (Lambda's own init phase is capped at 10 s)
PROACTIVE_GAP_MS = 10_000

INIT_KINDS = "('init_start', 'restore_start', 'init_report', 'restore_report', 'init_runtime_done')"
# kinds without a request id that still belong to the attempt running at their time
ATTRIBUTABLE = "('unhandled_error', 'unknown_error', 'timeout', 'runtime_exit', 'app', 'emf')"
RARE = "('timeout', 'runtime_exit', 'unknown_error', 'unhandled_error', 'invocation_end', 'env_init', 'runtime_done')"
APP_RECORDS = "('app', 'unhandled_error', 'env_init', 'invocation_end', 'timeout_warning')"
ERROR_LEVELS = "('ERROR', 'CRITICAL', 'FATAL')"
WARNING_LEVELS = "('WARNING', 'WARN')"
KEY = "sid, rid"
AKEY = "sid, rid, attempt"

FUNCTION = (
    "coalesce(NULLIF(regexp_extract(log_stream, '^[0-9]{4}/[0-9]{2}/[0-9]{2}/([A-Za-z0-9_-]+)\\[', 1), ''), "
    "CASE WHEN starts_with(log_group, '/aws/lambda/') THEN substr(log_group, 13) END, log_group)"
)

STEPS = [
    "ALTER TABLE ev ADD COLUMN attempt INTEGER DEFAULT 1",
    # one row per environment: names, and the function and version its stream name says
    f"""
CREATE OR REPLACE TEMP TABLE streams AS
SELECT *, {FUNCTION} AS function,
       NULLIF(regexp_extract(log_stream, '\\[(\\$LATEST|[0-9]+)\\]', 1), '') AS stream_version
FROM (SELECT sid, any_value(log_group) AS log_group, any_value(log_stream) AS log_stream FROM ev GROUP BY sid)
""",
    f"""
CREATE OR REPLACE TEMP TABLE multi_att AS
SELECT ev_row,
       CASE WHEN kind = 'timeout' AND n > reports THEN reports ELSE n END AS attempt
FROM (
  SELECT e.rowid AS ev_row, e.kind, m.reports,
         1 + coalesce(sum((e.kind = 'report')::INT) OVER (
               PARTITION BY {KEY} ORDER BY e.timestamp, e.kind = 'report'
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS n
  FROM ev e JOIN (SELECT {KEY}, count(*) AS reports FROM ev WHERE kind = 'report'
                  GROUP BY ALL HAVING count(*) > 1) m USING ({KEY})
)
WHERE attempt > 1
""",
    "UPDATE ev SET attempt = m.attempt FROM multi_att m WHERE ev.rowid = m.ev_row",
    f"""
CREATE OR REPLACE TEMP TABLE assigned AS
WITH loose AS (
  SELECT rowid AS ev_row, * FROM ev WHERE request_id IS NULL AND kind IN {ATTRIBUTABLE}
), spans AS (  -- only in the streams that have such events
  SELECT {AKEY}, any_value(request_id) AS request_id, min(timestamp) FILTER (kind = 'start') AS start_ts,
         max(timestamp) FILTER (kind = 'report') AS report_ts
  FROM ev SEMI JOIN (SELECT DISTINCT sid FROM loose) USING (sid)
  WHERE kind IN ('start', 'report') AND request_id IS NOT NULL GROUP BY ALL HAVING start_ts IS NOT NULL
)
SELECT u.* EXCLUDE (request_id, rid, attempt), s.request_id, s.rid, s.attempt
FROM loose u
ASOF JOIN spans s ON u.sid = s.sid AND u.timestamp >= s.start_ts
WHERE s.report_ts IS NULL OR u.timestamp <= s.report_ts
""",
    # events with a request id, plus the few just attributed to an attempt
    """
CREATE OR REPLACE TEMP VIEW evk AS
SELECT * FROM ev WHERE request_id IS NOT NULL
UNION ALL BY NAME SELECT * EXCLUDE (ev_row) FROM assigned
""",
    # per-attempt pieces, each its own table (as CTEs of one statement DuckDB joined them ~3x slower)
    f"""
CREATE OR REPLACE TEMP TABLE att_base AS
SELECT {AKEY}, any_value(request_id) AS request_id, min(timestamp) AS first_ts, max(timestamp) AS last_ts,
  any_value(log_format) AS any_format,
  count(*) FILTER (kind = 'app') AS app_lines,
  count(*) FILTER (kind = 'app' AND level IN {ERROR_LEVELS}) AS app_errors,
  count(*) FILTER (kind = 'app' AND level IN {WARNING_LEVELS}) AS app_warnings,
  count(*) FILTER (kind IN {APP_RECORDS}) AS app_records
FROM evk GROUP BY ALL
""",
    f"""
CREATE OR REPLACE TEMP TABLE att_report AS
SELECT DISTINCT ON ({AKEY}) {AKEY}, true AS has_report, timestamp AS report_ts, log_format AS report_format,
  duration_ms, billed_ms, memory_mb, max_memory_mb, init_ms AS report_init_ms, restore_ms AS report_restore_ms,
  billed_restore_ms, status AS report_status, error_type AS report_error_type, trace_id AS report_trace,
  sampled AS report_sampled
FROM evk WHERE kind = 'report'
""",
    f"""
CREATE OR REPLACE TEMP TABLE att_start AS
SELECT {AKEY}, min(timestamp) AS start_ts, any_value(version) AS start_version,
  any_value(trace_id) AS start_trace, any_value(sampled) AS start_sampled
FROM evk WHERE kind = 'start' GROUP BY ALL
""",
    f"""
CREATE OR REPLACE TEMP TABLE att_rare AS
SELECT {AKEY},
  any_value(trace_id) FILTER (kind = 'runtime_done') AS done_trace,
  any_value(sampled) FILTER (kind = 'runtime_done') AS done_sampled,
  bool_or(kind = 'timeout' OR (kind = 'runtime_done' AND status = 'timeout')) AS timed_out,
  any_value(error_message) FILTER (kind = 'timeout') AS timeout_message,
  bool_or(kind = 'runtime_done' AND status IN ('error', 'failure')) AS runtime_failed,
  any_value(error_type) FILTER (kind = 'runtime_done') AS runtime_done_error_type,
  bool_or(kind = 'runtime_exit') AS exited,
  any_value(error_message) FILTER (kind = 'runtime_exit') AS exit_message,
  any_value(error_type) FILTER (kind = 'runtime_exit') AS exit_error_type,
  bool_or(kind = 'unknown_error') AS unknown_error,
  any_value(error_type) FILTER (kind = 'unknown_error') AS unknown_error_type,
  bool_or(kind = 'unhandled_error') AS unhandled,
  arg_min(error_type, timestamp) FILTER (kind = 'unhandled_error') AS unhandled_type,
  arg_min(error_message, timestamp) FILTER (kind = 'unhandled_error') AS unhandled_message,
  any_value(outcome) FILTER (kind = 'invocation_end') AS end_outcome,
  any_value(error_type) FILTER (kind = 'invocation_end') AS end_error_type,
  any_value(error_message) FILTER (kind = 'invocation_end') AS end_error_message,
  any_value(version) FILTER (kind = 'invocation_end') AS end_version,
  any_value(trigger) FILTER (kind = 'invocation_end') AS trigger,
  any_value(delivery_key) FILTER (kind = 'invocation_end') AS delivery_key,
  any_value(delivery_attempt) FILTER (kind = 'invocation_end') AS delivery_attempt,
  bool_or(kind = 'env_init') AS env_init,
  any_value(init_type) FILTER (kind = 'env_init') AS env_init_type,
  bool_or(proactive) FILTER (kind = 'env_init') AS env_proactive
FROM evk WHERE kind IN {RARE} GROUP BY ALL
""",
    f"""
CREATE OR REPLACE TEMP TABLE att_trace AS
SELECT {AKEY}, arg_min(trace_id, timestamp) AS app_trace
FROM evk WHERE trace_id IS NOT NULL AND kind NOT IN ('report', 'start', 'runtime_done')
GROUP BY ALL
""",
    # a view: the final query joins the pieces once, straight into its result (a table of all their columns cost
    # more to write than the joins)
    f"""
CREATE OR REPLACE TEMP VIEW att AS
SELECT b.*, r.* EXCLUDE ({AKEY}, has_report), s.* EXCLUDE ({AKEY}),
  x.* EXCLUDE ({AKEY}, timed_out, runtime_failed, exited, unknown_error, unhandled, env_init), t.app_trace,
  coalesce(r.has_report, false) AS has_report,
  coalesce(x.timed_out, false) AS timed_out, coalesce(x.runtime_failed, false) AS runtime_failed,
  coalesce(x.exited, false) AS exited, coalesce(x.unknown_error, false) AS unknown_error,
  coalesce(x.unhandled, false) AS unhandled, coalesce(x.env_init, false) AS env_init,
  coalesce(s.start_trace, x.done_trace) AS platform_trace, coalesce(s.start_sampled, x.done_sampled) AS platform_sampled
FROM att_base b
LEFT JOIN att_report r USING ({AKEY}) LEFT JOIN att_start s USING ({AKEY})
LEFT JOIN att_rare x USING ({AKEY}) LEFT JOIN att_trace t USING ({AKEY})
""",
    # per stream, the INIT_*/RESTORE_* records since the previous attempt: each record belongs to the first attempt
    # of its stream that ends at or after it
    f"""
CREATE OR REPLACE TEMP TABLE init_win AS
WITH inits AS (
  SELECT sid, timestamp AS ts, kind, status, error_type, init_type, version, init_ms, restore_ms
  FROM ev WHERE kind IN {INIT_KINDS}
), anchors AS (
  SELECT sid, coalesce(r.report_ts, b.last_ts) AS ts, rid, attempt
  FROM att_base b LEFT JOIN att_report r USING ({AKEY}) SEMI JOIN (SELECT DISTINCT sid FROM inits) USING (sid)
), matched AS (
  SELECT i.*, a.rid, a.attempt FROM inits i ASOF JOIN anchors a ON i.sid = a.sid AND i.ts <= a.ts
)
SELECT sid, rid, attempt,
  min(ts) FILTER (kind IN ('init_start', 'restore_start')) AS init_start_ts,
  bool_or(kind IN ('restore_start', 'restore_report')) AS restored,
  any_value(init_type) AS init_type,
  any_value(version) FILTER (kind = 'init_start') AS init_version,
  arg_max(init_ms, ts) FILTER (kind = 'init_report' AND init_ms IS NOT NULL) AS init_report_ms,
  arg_max(restore_ms, ts) FILTER (kind = 'restore_report') AS restore_report_ms,
  arg_max(status, ts) FILTER (kind IN ('init_report', 'restore_report') AND status IS NOT NULL) AS init_status,
  arg_max(error_type, ts) FILTER (kind IN ('init_report', 'restore_report', 'init_runtime_done')
                                 AND error_type IS NOT NULL) AS init_error_type
FROM matched GROUP BY sid, rid, attempt
""",
]

STEPS.append(
    # attempt numbers across streams, for the few request ids with several attempts (a window over all attempts
    # would carry every column through its partitions)
    """
CREATE OR REPLACE TEMP TABLE numbered AS
WITH keyed AS (
  SELECT b.sid, b.rid, b.attempt, n.function, n.log_stream, coalesce(s.start_ts, b.first_ts) AS ts
  FROM att_base b LEFT JOIN att_start s USING (sid, rid, attempt) JOIN streams n USING (sid)
)
SELECT sid, rid, attempt,
  row_number() OVER (PARTITION BY function, rid ORDER BY ts, log_stream, attempt) AS attempt_no
FROM keyed SEMI JOIN (SELECT function, rid FROM keyed GROUP BY ALL HAVING count(*) > 1) USING (function, rid)
"""
)

FINAL = f"""
WITH j AS (
  SELECT a.*, n.log_group, n.log_stream, n.function, n.stream_version, w.* EXCLUDE (sid, rid, attempt), attempt_no,
    w.init_status IS NOT NULL AND w.init_status <> 'success' AS init_failed,
    (a.report_init_ms IS NOT NULL OR a.report_restore_ms IS NOT NULL OR w.sid IS NOT NULL OR a.env_init) AS cold,
    coalesce(a.env_init_type, w.init_type) AS any_init_type
  FROM att a JOIN streams n USING (sid) LEFT JOIN init_win w USING (sid, rid, attempt)
  LEFT JOIN numbered USING (sid, rid, attempt)
), o AS (
  SELECT *,
    CASE
      WHEN init_failed THEN 'init_error'
      WHEN report_status = 'timeout' OR timed_out THEN 'timeout'
      WHEN contains(exit_message, 'signal') OR 'Runtime.OutOfMemory' IN (report_error_type, exit_error_type)
        THEN 'crash'
      WHEN report_status IN ('error', 'failure') OR runtime_failed OR exited OR unknown_error OR unhandled
           OR end_outcome = 'error' THEN 'error'
      WHEN has_report OR end_outcome = 'success' THEN 'success'
    END AS outcome
  FROM j
)
SELECT
  function, log_group, log_stream,
  coalesce(start_version, end_version, stream_version, init_version) AS version,
  request_id,
  coalesce(attempt_no, 1) AS attempt,
  coalesce(start_ts, first_ts) AS start_time, coalesce(report_ts, last_ts) AS end_time,
  duration_ms, billed_ms, memory_mb, max_memory_mb,
  coalesce(report_init_ms, init_report_ms) AS init_ms,
  coalesce(report_restore_ms, restore_report_ms) AS restore_ms, billed_restore_ms,
  cold AS cold_start,
  CASE
    WHEN NOT cold THEN 'warm'
    WHEN report_restore_ms IS NOT NULL OR restored OR any_init_type = 'snap-start' THEN 'snapstart'
    -- init ran inside this invocation (even in a provisioned environment re-initialised after a crash)
    WHEN report_init_ms IS NOT NULL THEN 'cold'
    WHEN any_init_type = 'provisioned-concurrency' THEN 'provisioned'
    WHEN env_proactive THEN 'proactive'
    -- initialised before the invocation (its REPORT has no Init Duration), type not in the logs
    WHEN report_init_ms IS NULL AND init_start_ts IS NOT NULL AND NOT init_failed AND NOT env_init
         AND coalesce(start_ts, first_ts) - init_start_ts > {PROACTIVE_GAP_MS} THEN 'proactive'
    WHEN report_init_ms IS NULL AND init_start_ts IS NOT NULL AND NOT init_failed AND NOT env_init
         AND coalesce(any_init_type, '') <> 'on-demand' THEN 'provisioned'
    ELSE 'cold'
  END AS start_kind,
  outcome,
  CASE WHEN outcome NOT IN ('success') THEN coalesce(
    CASE WHEN init_failed THEN init_error_type END, report_error_type, exit_error_type, unknown_error_type,
    unhandled_type, runtime_done_error_type, end_error_type) END AS error_type,
  CASE WHEN outcome NOT IN ('success') THEN coalesce(
    CASE WHEN outcome = 'timeout' THEN timeout_message END, exit_message, unhandled_message, end_error_message,
    CASE WHEN unknown_error THEN 'Unknown application error occurred' END) END AS error_message,
  coalesce(report_trace, platform_trace, app_trace) AS trace_id,
  coalesce(report_sampled, platform_sampled) AS sampled,
  trigger, delivery_key, delivery_attempt,
  coalesce(report_format, any_format) AS log_format,
  app_lines, app_errors, app_warnings,
  has_report, app_records > 0 AS has_app_logs
FROM o
"""
