"""SQL of ``ops/validate.py``: the ledger's view of each partition and the warehouse's own.

``{table}`` is a checked table name (for `LATEST_RUNS`: the ledger table); ``{column}`` a
checked partition column.
"""

from __future__ import annotations

__all__ = ["DISAGREEMENT_ROWS", "GAMES_COVERED", "LATEST_RUNS", "PARTITION_CONTENT", "SERVED_BY"]

LATEST_RUNS = """
WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY processor, partition ORDER BY started_at DESC) AS rn
    FROM {table} WHERE status <> 'skipped'
),
ok AS (
    SELECT processor, partition, arg_max(rows_written, started_at) AS rows
    FROM {table} WHERE status = 'success' GROUP BY processor, partition
),
stuck AS (
    SELECT DISTINCT processor, partition FROM {table}
    WHERE status = 'running' AND coalesce(heartbeat_at, started_at) < $cutoff
)
SELECT r.processor, r.partition, r.status, r.rows_written, r.error,
       st.processor IS NOT NULL AS stale, ok.rows
FROM ranked r LEFT JOIN ok USING (processor, partition)
LEFT JOIN stuck st USING (processor, partition) WHERE r.rn = 1
"""
"""Per (processor, partition): the latest non-skipped run, whether a run is stuck in
``running`` past ``$cutoff``, and the rows of the latest successful run."""

PARTITION_CONTENT = """
SELECT {column}, count(*), coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR || ':' || count(*)
FROM {table} t GROUP BY {column}
"""
"""(rows, content checksum) of every partition of a table, in one grouped scan.  The checksum
is the one the warehouse records in its partition catalog at write time
(``<sum of row hashes>:<rows>``, order-independent), so the two compare directly."""

GAMES_COVERED = "SELECT game_date, count(DISTINCT game_code) FROM {table} GROUP BY game_date"
"""Distinct games per date of a per-game table."""

DISAGREEMENT_ROWS = """
SELECT game_date, game_code, "check", subject, source, value, reference_source, reference_value
FROM {table}
WHERE game_date BETWEEN $lo AND $hi
ORDER BY game_date, game_code, "check", subject, source
"""
"""The rows of a disagreements table (`Processor.reports_disagreements`) over a range of dates."""

SERVED_BY = """
SELECT source, count(DISTINCT game_code), min(game_date), max(game_date)
FROM {table}
WHERE game_date BETWEEN $lo AND $hi
GROUP BY source ORDER BY source
"""
"""Games each source served in a canonical table (`Processor.merges_sources`) over a range."""
