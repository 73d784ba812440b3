"""Processor ``raw_player_boxscores``: one row per player per game, as published."""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.raw._public import as_date, external_for, with_game_code, with_player_lookup

__all__ = ["RAW_PLAYER_BOXSCORES"]


def build(ctx: Context) -> pa.Table:
    """One date's player box scores from the public ``player_boxscores.parquet``."""
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' player box scores at once (a backfill batch)."""
    t = ctxs[0].public_data().read_dates("player_boxscores", [c.date for c in ctxs])
    return with_player_lookup(with_game_code(as_date(t)))


RAW_PLAYER_BOXSCORES = Processor(
    name="raw_player_boxscores",
    phase=2,
    output="raw_player_boxscores",
    partition="date",
    key=("game_code", "player_id"),
    description="Player box scores for one date (public data player_boxscores.parquet).",
    inputs=(Input("schedule", "season"),),
    build=build,
    build_many=build_many,
    external=external_for("player_boxscores"),
)
