"""Processor ``schedule``: every game of a season with its status and score."""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, Processor
from nbaprops.pipeline.raw._public import external_for, load_public, with_game_code
from nbaprops.pipeline.raw.schemas import SCHEDULE_CONTRACT

__all__ = ["SCHEDULE"]


def build(ctx: Context) -> pa.Table:
    """One season's games from the public ``games.parquet``, checked against the contract.

    Raises:
        DataError: the rows break `SCHEDULE_CONTRACT` (nothing is written).
    """
    data = ctx.public_data()
    return load_public(
        data.read_season("games", ctx.season),
        SCHEDULE_CONTRACT,
        data,
        "games",
        derive=with_game_code,
        derived=("game_code",),
        file_key=("game_key",),
    )


SCHEDULE = Processor(
    name="schedule",
    phase=2,
    output="schedule",
    partition="season",
    key=SCHEDULE_CONTRACT.key,
    description="Schedule and final scores, one row per game (public data games.parquet).",
    build=build,
    external=external_for("games"),
    per_game=False,
    calendar_source=True,
)
