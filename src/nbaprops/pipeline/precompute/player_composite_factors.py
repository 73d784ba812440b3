"""Processor ``player_composite_factors`` (Phase 4, SQL model)."""

from __future__ import annotations

from pathlib import Path

from nbaprops.pipeline.contract import Input, Processor

__all__ = ["PLAYER_COMPOSITE_FACTORS"]

PLAYER_COMPOSITE_FACTORS = Processor(
    name="player_composite_factors",
    phase=4,
    output="player_composite_factors",
    partition="date",
    key=("game_code", "player_id"),
    description="Fatigue, pace, matchup and usage-trend factors per player and game.",
    inputs=(
        Input("player_daily_cache", "partition"),
        Input("team_defense_zone_analysis", "partition"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
)
