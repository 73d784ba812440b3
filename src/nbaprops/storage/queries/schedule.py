"""SQL of the canonical schedule (`pipeline/raw/schedule.py`) and of the cross-source checks
(`pipeline/raw/disagreements.py`)."""

from __future__ import annotations

from typing import Final

SCRAPED_GAMES: Final = "SELECT * FROM {table} WHERE season = $season ORDER BY game_date, game_code"
"""A scraped games table's rows of one season (a table written before the parsers kept
``season_type`` has no such column: the reader takes it as NULL)."""

SCRAPED_GAMES_COUNT: Final = "SELECT count(*) FROM {table} WHERE season = $season"
"""How many rows a scraped games table holds for a season (part of the schedule's fingerprint)."""

GAMES_OF_DATES: Final = """
SELECT source, game_code, game_date, home_team, away_team,
       CAST(home_pts AS BIGINT) AS home_pts, CAST(away_pts AS BIGINT) AS away_pts, status
FROM {table}
WHERE game_date BETWEEN $lo AND $hi AND list_contains($days, game_date)
"""
"""A scraped games table's rows of some dates."""

BOX_OF_DATES: Final = """
SELECT source, game_code, game_date, team, player_name, player_lookup,
       TRY_CAST(nba_player_id AS BIGINT) AS player_id, pts
FROM {table}
WHERE game_date BETWEEN $lo AND $hi AND list_contains($days, game_date)
  AND game_code IS NOT NULL AND pts IS NOT NULL AND dnp_reason IS NULL
"""
"""A scraped box-score table's played rows of some dates."""

SCHEDULE_OF_DATES: Final = """
SELECT source, game_code, game_date, home_team, away_team, home_pts, away_pts, status
FROM schedule
WHERE game_date BETWEEN $lo AND $hi AND list_contains($days, game_date)
"""
"""The canonical schedule's rows of some dates (the reference every check compares with)."""

PARTITIONS_WITH_ROWS: Final = """
SELECT count(*) FROM ops_partitions
WHERE list_contains($tables, table_name) AND list_contains($keys, partition) AND rows > 0
"""
"""How many of the tables' partitions of some dates hold rows (the catalog: one query, absent
tables included)."""

SEASON_SCHEDULE_PAYLOADS: Final = """
SELECT path, sha256, params, empty FROM {table}
WHERE kind = $kind
ORDER BY fetched_at DESC, path DESC
"""
"""The stored season-schedule payloads, newest first (the reader keeps the newest of a season)."""
