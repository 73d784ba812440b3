"""SQL of the alert notifier's delivery record (`ops/alerts.py`)."""

from __future__ import annotations

from typing import Final

ALERTS: Final = "ops_alerts"
"""The table: one row per (alert, channel) delivery."""

ALERTS_DDL: Final = """CREATE TABLE IF NOT EXISTS ops_alerts (
    alert_id VARCHAR,
    kind VARCHAR,
    processor VARCHAR,
    partition VARCHAR,
    channel VARCHAR,
    status VARCHAR,
    message VARCHAR,
    error VARCHAR,
    created_at TIMESTAMPTZ
)"""

RECENTLY_SENT: Final = """
SELECT count(*) FROM ops_alerts WHERE kind = $k AND partition = $p
AND processor IS NOT DISTINCT FROM $r AND channel = $c AND status = 'sent' AND created_at > $since
"""
"""Deliveries of the same alert to a channel within the dedupe window."""

RECORD_DELIVERY: Final = "INSERT INTO ops_alerts VALUES ($i, $k, $r, $p, $c, $s, $m, $e, $t)"
"""One delivery, whatever its status."""
