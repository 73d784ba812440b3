"""Processor ``team_defense_zone_analysis`` (Phase 4, SQL model)."""

from __future__ import annotations

from pathlib import Path

from nbaprops.pipeline.contract import Input, Processor

__all__ = ["TEAM_DEFENSE_ZONE_ANALYSIS"]

TEAM_DEFENSE_ZONE_ANALYSIS = Processor(
    name="team_defense_zone_analysis",
    phase=4,
    output="team_defense_zone_analysis",
    partition="date",
    key=("game_date", "team"),
    description="Each team's defence before each date: points allowed, rating, pace, by zone.",
    inputs=(
        Input("schedule", "season"),
        Input("team_defense_game_summary", "before"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
)
