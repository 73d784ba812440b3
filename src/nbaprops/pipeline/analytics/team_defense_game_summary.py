"""Processor ``team_defense_game_summary`` (Phase 3, SQL model)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, Input, Processor

__all__ = ["POINTS_PER_POSSESSION", "TEAM_DEFENSE_GAME_SUMMARY"]

POINTS_PER_POSSESSION = 1.12
"""League points per possession used by the pace proxy when shooting counts are missing
(NBA regular seasons 2017-18 .. 2024-25 sit between 1.09 and 1.15)."""


def _params(ctx: Context) -> Mapping[str, Any]:
    return {"points_per_possession": POINTS_PER_POSSESSION}


TEAM_DEFENSE_GAME_SUMMARY = Processor(
    name="team_defense_game_summary",
    phase=3,
    output="team_defense_game_summary",
    partition="date",
    key=("game_code", "team"),
    description="One row per team per game: points allowed, opponent shooting by zone, pace, rating.",
    inputs=(Input("player_game_summary", "partition"), Input("schedule", "season")),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=_params,
    covers_every_game=True,
)
