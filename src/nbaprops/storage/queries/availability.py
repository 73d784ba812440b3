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

GAMEBOOK_ROWS: Final = """
SELECT game_code, player_name, player_lookup, status, reason, fetched_at
FROM raw_nbac_gamebook
WHERE game_date = $d
ORDER BY game_code, player_lookup
"""
"""Every player a stored gamebook of the date lists as not playing (DNP, DND, NWT, inactive)."""

GAMEBOOK_COUNT = "SELECT count(*) FROM raw_nbac_gamebook WHERE game_date = $d"
"""How many gamebook rows the warehouse holds for one game date."""

GAMEBOOK_TEAMS: Final = """
SELECT game_code, player_lookup, any_value(team) AS team, any_value(nba_player_id) AS nba_player_id
FROM raw_nbac_team_boxscores
WHERE game_date = $d AND list_contains($names, player_lookup)
GROUP BY game_code, player_lookup
"""
"""The team (and NBA.com id) the game's NBA.com box score lists a gamebook name under."""

KNOWN_PLAYER_TEAMS: Final = """
SELECT player_lookup, arg_max(team, game_date) AS team
FROM raw_player_boxscores
WHERE game_date < $d AND list_contains($names, player_lookup)
GROUP BY player_lookup
"""
"""The team each name last played for before a date."""
