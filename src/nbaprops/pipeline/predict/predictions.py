"""Processor ``predictions``: the moving-average system in every market (Phase 5)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.predict.markets import MARKET_STATS_SQL, MARKETS, market_edge

__all__ = ["MIN_GAMES", "PREDICTIONS"]

MIN_GAMES = 3
"""Games of the season a player needs before the moving average is trusted."""


def _params(ctx: Context) -> Mapping[str, Any]:
    edges = [market_edge(m, ctx.settings.edge) for m in MARKETS.values()]
    return {"markets": list(MARKETS), "edges": edges, "min_games": MIN_GAMES}


PREDICTIONS = Processor(
    name="predictions",
    phase=5,
    output="predictions",
    partition="date",
    key=("market", "game_code", "player_id", "system"),
    description="Moving average 0.5*L5 + 0.3*L10 + 0.2*season per market, consensus line, OVER/UNDER/PASS.",
    inputs=(
        Input("schedule", "season"),
        Input("player_game_summary", "before"),
        Input("raw_prop_lines", "partition"),
        Input("player_availability", "partition"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=_params,
    sql_uses=(MARKET_STATS_SQL,),  # what each market counts
)
