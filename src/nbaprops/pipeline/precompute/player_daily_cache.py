"""Processor ``player_daily_cache`` (Phase 4, SQL model)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, Input, Processor

__all__ = ["PLAYER_DAILY_CACHE"]


def _params(ctx: Context) -> Mapping[str, Any]:
    return {"coverage_gate": ctx.settings.coverage_gate, "bootstrap_days": ctx.settings.bootstrap_days}


PLAYER_DAILY_CACHE = Processor(
    name="player_daily_cache",
    phase=4,
    output="player_daily_cache",
    partition="date",
    key=("game_date", "player_id"),
    description="Rolling L5/L10/L20/season aggregates per player as of each date (strictly before).",
    inputs=(
        Input("player_game_summary", "through"),
        Input("upcoming_player_game_context", "partition"),
        Input("schedule", "season"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=_params,
)
