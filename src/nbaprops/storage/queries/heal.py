"""SQL of ``ops/heal.py``.  ``{table}`` is the ledger table."""

from __future__ import annotations

__all__ = ["PROCESSORS_IN_RANGE"]

PROCESSORS_IN_RANGE = """
SELECT DISTINCT processor FROM {table}
WHERE status <> 'skipped' AND list_contains($partitions, partition)
"""
"""Processors the ledger has a run of on any of ``$partitions`` (date and season keys)."""
