"""SQL of ``ops/monitor.py``.  ``{table}`` is the ledger table."""

from __future__ import annotations

__all__ = ["FLAGGED_RUNS"]

FLAGGED_RUNS = """
SELECT started_at, processor, partition, status, rows_written, error, coalesce(expected_zero, false)
FROM {table}
WHERE started_at >= $c AND (status = 'failed' OR (status = 'success' AND rows_written = 0))
ORDER BY started_at DESC
"""
"""Failed and zero-row runs started since ``$c``, newest first."""
