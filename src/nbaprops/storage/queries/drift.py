"""Drift: which code produced each partition (the latest success of each)."""

from __future__ import annotations

PRODUCERS = """
SELECT processor, partition, code_version, code_hash
FROM ops_ledger WHERE status = 'success'
QUALIFY row_number() OVER (PARTITION BY processor, partition
                           ORDER BY started_at DESC, finished_at DESC) = 1
ORDER BY processor, partition
"""
PRODUCERS_WITHOUT_CODE_HASH = """
SELECT processor, partition, code_version, NULL::VARCHAR
FROM ops_ledger WHERE status = 'success'
QUALIFY row_number() OVER (PARTITION BY processor, partition
                           ORDER BY started_at DESC, finished_at DESC) = 1
ORDER BY processor, partition
"""
"""For ledgers from before ``code_hash`` was recorded (read without migrating them)."""
VERSIONS_FIRST_SEEN = (
    "SELECT code_version, min(started_at) FROM ops_ledger WHERE code_version IS NOT NULL GROUP BY 1"
)
