"""SQL of the canonical player-availability table (`pipeline/raw/player_availability.py`)."""

from __future__ import annotations

from typing import Final

INJURY_REPORT_ROWS: Final = """
SELECT report_label, game_date, matchup, team, player_name, player_lookup, status, reason
FROM raw_nbac_injury_report
WHERE game_date = $d
ORDER BY report_label, matchup, team, player_lookup
"""
"""Every injury-report row listed for one game date, across every stored report (snapshot)."""

INJURY_REPORT_COUNT = "SELECT count(*) FROM raw_nbac_injury_report WHERE game_date = $d"
"""How many injury-report rows the warehouse holds for one game date."""

KNOWN_PLAYER_IDS = """
SELECT player_lookup, arg_max(player_id, game_date) AS player_id
FROM raw_player_boxscores
WHERE game_date < $d AND list_contains($names, player_lookup)
GROUP BY player_lookup
"""
"""The NBA.com id each name last played under before a date (names no registry entry resolves)."""
