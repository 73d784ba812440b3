"""Processor ``team_offense_game_summary`` (Phase 3, SQL model)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.analytics.team_defense_game_summary import POINTS_PER_POSSESSION
from nbaprops.pipeline.contract import Context, Input, Processor

__all__ = ["TEAM_OFFENSE_GAME_SUMMARY"]


def _params(ctx: Context) -> Mapping[str, Any]:
    return {"points_per_possession": POINTS_PER_POSSESSION}


TEAM_OFFENSE_GAME_SUMMARY = Processor(
    name="team_offense_game_summary",
    phase=3,
    output="team_offense_game_summary",
    partition="date",
    key=("game_code", "team"),
    description="One row per team per game: points, possessions, pace, offensive/defensive rating.",
    inputs=(Input("player_game_summary", "partition"), Input("schedule", "season")),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=_params,
    covers_every_game=True,
)
