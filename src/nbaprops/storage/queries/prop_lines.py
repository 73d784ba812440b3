"""SQL of the canonical ``raw_prop_lines``: the scraped quotes of some dates (all reads, all bound).

``{table}`` is filled only with a raw prop-line table named in
``nbaprops.pipeline.raw.line_sources.SCRAPED`` (checked identifiers).
"""

from __future__ import annotations

__all__ = ["SCRAPED_COUNT", "SCRAPED_QUOTES"]

SCRAPED_QUOTES = """
SELECT game_date, game_code, event_id, commence_time, player_name, player_lookup, nba_player_id, market,
       bookmaker, line, over_price, under_price, snapshot_time, source
FROM {table}
WHERE game_date >= $lo AND game_date <= $hi AND flag IS NULL
"""
"""Usable quotes (no ``flag``) of the dates from ``$lo`` to ``$hi`` of one scraped table."""

SCRAPED_COUNT = "SELECT count(*) FROM {table} WHERE game_date = $d AND flag IS NULL"
"""Usable quotes of one date in one scraped table (the rows that source holds for the partition)."""
