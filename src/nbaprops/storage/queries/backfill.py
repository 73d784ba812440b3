"""Backfill resume: the running rows a dead backfill process left behind."""

from __future__ import annotations

RUNNING_SINCE = "SELECT count(*) FROM ops_ledger WHERE status = 'running' AND started_at >= $s"
REAP_RUNNING_SINCE = (
    "UPDATE ops_ledger SET status = 'failed', finished_at = now(), "
    "error = 'reaped: the backfill process died (resumed)' "
    "WHERE status = 'running' AND started_at >= $s"
)
