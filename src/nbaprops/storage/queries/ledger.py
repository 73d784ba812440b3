"""The run ledger (``ops_ledger``): its table, bulk writes, reaping and reads."""

from __future__ import annotations

LEDGER_DDL = """CREATE TABLE IF NOT EXISTS ops_ledger (
    run_id VARCHAR,
    processor VARCHAR,
    partition VARCHAR,
    status VARCHAR,
    input_hash VARCHAR,
    rows_in BIGINT,
    rows_written BIGINT,
    rows_replaced BIGINT,
    checksum VARCHAR,
    expected_zero BOOLEAN,
    suspicious BOOLEAN,
    code_version VARCHAR,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    heartbeat_at TIMESTAMPTZ,
    error VARCHAR,
    attempt INTEGER,
    forced BOOLEAN,
    note VARCHAR,
    code_hash VARCHAR,
    pid BIGINT,
    host VARCHAR,
    run_group VARCHAR
)"""
ADD_CODE_HASH = "ALTER TABLE ops_ledger ADD COLUMN IF NOT EXISTS code_hash VARCHAR"
ADD_PID = "ALTER TABLE ops_ledger ADD COLUMN IF NOT EXISTS pid BIGINT"
ADD_HOST = "ALTER TABLE ops_ledger ADD COLUMN IF NOT EXISTS host VARCHAR"
ADD_RUN_GROUP = "ALTER TABLE ops_ledger ADD COLUMN IF NOT EXISTS run_group VARCHAR"

LEDGER_INSERT = """
INSERT INTO ops_ledger (run_id, processor, partition, status, input_hash, code_version,
                        started_at, finished_at, heartbeat_at, error, attempt, forced, note,
                        code_hash, pid, host, run_group)
SELECT v.r, v.p, v.k, v.st, v.h, v.cv, $t,
       CASE WHEN v.st = 'running' THEN NULL ELSE $t END,
       CASE WHEN v.st = 'running' THEN $t END,
       NULLIF(v.err, ''), NULLIF(v.a, 0), CASE WHEN v.st = 'running' THEN v.f END,
       NULLIF(v.n, ''), NULLIF(v.ch, ''), NULLIF(v.pid, 0), NULLIF(v.host, ''), NULLIF(v.g, '')
FROM (SELECT unnest($run_id) AS r, unnest($processor) AS p, unnest($partition) AS k,
             unnest($status) AS st, unnest($input_hash) AS h, unnest($code_version) AS cv,
             unnest($error) AS err, unnest($attempt) AS a, unnest($forced) AS f,
             unnest($note) AS n, unnest($code_hash) AS ch, unnest($pid) AS pid,
             unnest($host) AS host, unnest($run_group) AS g) v
"""
"""New rows of any status, one statement for a batch (running, skipped, failed to start).
Lists hold no NULL (BigQuery arrays cannot): '' / 0 stand for "none" and become NULL here."""
LEDGER_CLOSE = """
UPDATE ops_ledger SET status = v.status, rows_written = NULLIF(v.w, -1),
       rows_replaced = NULLIF(v.d, -1), checksum = NULLIF(v.c, ''), rows_in = NULLIF(v.i, -1),
       expected_zero = CASE WHEN v.status = 'success' THEN v.e END,
       suspicious = CASE WHEN v.status = 'success' THEN v.s END, error = NULLIF(v.err, ''),
       note = coalesce(NULLIF(v.n, ''), note), finished_at = $t
FROM (SELECT unnest($r) AS r, unnest($status) AS status, unnest($w) AS w, unnest($d) AS d,
             unnest($c) AS c, unnest($i) AS i, unnest($e) AS e, unnest($s) AS s,
             unnest($err) AS err, unnest($n) AS n) v
WHERE run_id = v.r
"""
"""Running rows closed as success (engine counts) or failed, one statement for a batch
(no NULL in the lists: -1 / '' stand for "none")."""
HEARTBEAT = "UPDATE ops_ledger SET heartbeat_at = $t WHERE run_id = $r AND status = 'running'"

STUCK = "SELECT count(*) FROM ops_ledger WHERE status = 'running' AND coalesce(heartbeat_at, started_at) < $c"
REAP_STUCK = (
    "UPDATE ops_ledger SET status = 'failed', finished_at = $t, "
    "error = 'reaped: no heartbeat for ' || $m || ' minutes (process died?)' "
    "WHERE status = 'running' AND coalesce(heartbeat_at, started_at) < $c"
)
RUNNING_ON_HOST = (
    "SELECT run_id, pid FROM ops_ledger WHERE status = 'running' AND host = $h AND pid IS NOT NULL"
)
REAP_DEAD = (
    "UPDATE ops_ledger SET status = 'failed', finished_at = $t, "
    "error = 'reaped: its process ' || CAST(pid AS VARCHAR) || ' on ' || host || ' is gone' "
    "WHERE status = 'running' AND list_contains($r, run_id)"
)

LATEST = """
WITH scoped AS (
    SELECT * FROM ops_ledger
    WHERE status IN ('success', 'failed')
      AND ($any_processor OR list_contains($processors, processor))
      AND ($any_partition OR list_contains($partitions, partition))
),
finished AS (
    SELECT *, row_number() OVER (PARTITION BY processor, partition
                                 ORDER BY started_at DESC, finished_at DESC) AS rn
    FROM scoped
),
last_success AS (
    SELECT processor, partition, max(started_at) AS at
    FROM scoped WHERE status = 'success' GROUP BY ALL
),
streak AS (  -- failed runs since the last success
    SELECT l.processor, l.partition, count(*) AS n
    FROM scoped l LEFT JOIN last_success s USING (processor, partition)
    WHERE l.status = 'failed' AND l.started_at >= coalesce(s.at, TIMESTAMPTZ '1900-01-01')
    GROUP BY ALL
)
SELECT f.processor, f.partition, f.run_id, f.status, f.input_hash, f.code_version,
       f.rows_written, coalesce(f.expected_zero, false), coalesce(s.n, 0)
FROM finished f LEFT JOIN streak s USING (processor, partition)
WHERE f.rn = 1
"""
"""The latest finished run of each (processor, partition) asked for, with its failure streak."""
RUNS = """
SELECT * FROM ops_ledger
WHERE ($partition IS NULL OR partition = $partition)
  AND ($status IS NULL OR status = $status)
  AND ($processor IS NULL OR processor = $processor)
  AND ($since IS NULL OR started_at >= $since)
  AND ($run_group IS NULL OR strpos(coalesce(run_group, ''), $run_group) > 0)
ORDER BY started_at DESC
LIMIT $limit
"""
SUMMARY = "SELECT processor, status, count(*), sum(rows_written) FROM ops_ledger GROUP BY ALL ORDER BY 1, 2"
PASSES = """
SELECT run_group, min(started_at) AS started_at, max(coalesce(finished_at, started_at)) AS finished_at,
       count(*) AS runs, sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS success,
       sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped,
       sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
       sum(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running,
       coalesce(sum(rows_written), 0) AS rows_written
FROM ops_ledger
WHERE run_group IS NOT NULL AND ($run_group IS NULL OR strpos(run_group, $run_group) > 0)
GROUP BY run_group
ORDER BY min(started_at) DESC
LIMIT $limit
"""
"""One row per labelled pass (`run_group`, e.g. ``night 2025-10-22 3f9a1c``), newest first."""
