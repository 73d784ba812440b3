"""SQL of the canonical raw layer (`pipeline/raw/canonical.py`)."""

from __future__ import annotations

from typing import Final

SCRAPED_BOX_ROWS: Final = """
SELECT
    b.source,
    b.game_date,
    s.season,
    s.season_type,
    b.game_code,
    strftime(b.game_date, '%Y-%m-%d') || '_' || s.away_team || '@' || s.home_team AS game_key,
    coalesce(b.game_id, s.game_id)                                   AS game_id,
    TRY_CAST(b.nba_player_id AS BIGINT)                              AS player_id,
    b.player_name,
    b.player_lookup,
    b.team,
    CASE WHEN b.team = s.home_team THEN s.away_team ELSE s.home_team END AS opponent,
    b.team = s.home_team                                             AS is_home,
    CASE WHEN b.team = s.home_team THEN 'home' ELSE 'away' END       AS home_away,
    CASE WHEN s.home_pts IS NULL OR s.away_pts IS NULL THEN NULL
         WHEN (b.team = s.home_team) = (s.home_pts > s.away_pts) THEN 'W' ELSE 'L' END AS team_result,
    b.minutes, b.pts, b.reb, b.ast, b.stl, b.blk, b.tov, b.pf,
    b.fgm, b.fga, b.fg3m, b.fg3a, b.ftm, b.fta
FROM {table} b
JOIN schedule s ON s.game_code = b.game_code
WHERE b.game_date BETWEEN $lo AND $hi AND list_contains($days, b.game_date)
  AND b.dnp_reason IS NULL AND coalesce(b.minutes, 0) > 0
"""
"""A scraped source's played rows for some dates, in the canonical shape (the schedule gives
season, type, opponent and result); DNP rows are left out, as the archive has none."""

SCRAPED_BOX_COUNT: Final = """
SELECT count(*) FROM {table}
WHERE game_date BETWEEN $lo AND $hi AND list_contains($days, game_date)
  AND dnp_reason IS NULL AND coalesce(minutes, 0) > 0
"""
"""How many played rows a scraped source holds for some dates."""

PER_GAME_SCOREBOARDS: Final = """
SELECT path FROM {table}
WHERE game_date = $d AND kind = 'nbac_scoreboard_v2'
ORDER BY fetched_at, path
"""
"""The scoreboard payload(s) a per-game kind's manifest lists for a date (its first step)."""

PER_GAME_PAYLOAD: Final = "SELECT endpoint, fetched_at FROM {table} WHERE game_date = $d AND path = $path"
"""Where and when one per-game payload was fetched (its manifest row)."""
