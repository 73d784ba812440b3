"""The coverage gate: games a per-game table covers on each date."""

from __future__ import annotations

GAMES_COVERED = (
    "SELECT game_date, count(DISTINCT game_code) FROM {table} "
    "WHERE game_date BETWEEN $d_lo AND $d_hi AND list_contains($d, game_date) GROUP BY game_date"
)
