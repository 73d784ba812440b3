"""Processor ``predictions``: the moving-average system (Phase 5)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, Input, Processor

__all__ = ["MIN_GAMES", "PREDICTIONS"]

MIN_GAMES = 3
"""Games of the season a player needs before the moving average is trusted."""


def _params(ctx: Context) -> Mapping[str, Any]:
    return {"edge": ctx.settings.edge, "min_games": MIN_GAMES}


PREDICTIONS = Processor(
    name="predictions",
    phase=5,
    output="predictions",
    partition="date",
    key=("game_code", "player_id", "system"),
    description="Moving average 0.5*L5 + 0.3*L10 + 0.2*season, consensus line, OVER/UNDER/PASS.",
    inputs=(
        Input("schedule", "season"),
        Input("player_game_summary", "before"),
        Input("raw_prop_lines", "partition"),
        Input("player_availability", "partition"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=_params,
)
