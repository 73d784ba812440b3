"""SQL of the shot-zone model's optional input (`pipeline/precompute/player_shot_zone_analysis.py`)."""

from __future__ import annotations

from typing import Final

NO_PLAY_BY_PLAY: Final = """
SELECT CAST(NULL AS VARCHAR) AS person_id, CAST(NULL AS DATE) AS game_date,
       CAST(NULL AS VARCHAR) AS area, CAST(NULL AS VARCHAR) AS shot_result
LIMIT 0
"""
"""Stands in for ``raw_nbac_play_by_play`` where no play-by-play was ever scraped: no located shots."""
