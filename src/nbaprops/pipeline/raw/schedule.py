"""Processor ``schedule``: every game of a season with its status and score."""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, Processor
from nbaprops.pipeline.raw._public import as_date, external_for, with_game_code

__all__ = ["SCHEDULE"]

COLUMNS = [
    "game_id",
    "game_code",
    "game_key",
    "game_date",
    "season",
    "season_type",
    "home_team",
    "away_team",
    "home_pts",
    "away_pts",
    "status",
    "home_away_ambiguous",
]


def build(ctx: Context) -> pa.Table:
    """One season's games from the public ``games.parquet``."""
    t = ctx.public_data().read_season("games", ctx.season)
    return with_game_code(as_date(t)).select(COLUMNS)


SCHEDULE = Processor(
    name="schedule",
    phase=2,
    output="schedule",
    partition="season",
    key=("game_code",),
    description="Schedule and final scores, one row per game (public data games.parquet).",
    build=build,
    external=external_for("games"),
    per_game=False,
    calendar_source=True,
)
