"""Processor ``player_shot_zone_analysis`` (Phase 4, SQL model)."""

from __future__ import annotations

from pathlib import Path

from nbaprops.pipeline.contract import Input, Processor

__all__ = ["PLAYER_SHOT_ZONE_ANALYSIS"]

PLAYER_SHOT_ZONE_ANALYSIS = Processor(
    name="player_shot_zone_analysis",
    phase=4,
    output="player_shot_zone_analysis",
    partition="date",
    key=("game_date", "player_id"),
    description="Share of points from 2s, 3s and free throws before each date (where counts exist).",
    inputs=(
        Input("player_daily_cache", "partition"),
        Input("player_game_summary", "before"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
)
