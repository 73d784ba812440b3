"""Processor ``player_shot_zone_analysis`` (Phase 4, SQL model).

The model reads NBA.com play-by-play (``raw_nbac_play_by_play``) for shot zones where it was
scraped; a warehouse that never scraped any has no such table, and the model reads it as no
located shots (`NO_PLAY_BY_PLAY`): the scoring-kind columns are the same either way.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.storage.queries.shot_zones import NO_PLAY_BY_PLAY
from nbaprops.storage.warehouse import Query

__all__ = ["PLAYER_SHOT_ZONE_ANALYSIS", "PLAY_BY_PLAY"]

PLAY_BY_PLAY = "raw_nbac_play_by_play"
_SQL = Path(__file__).with_suffix(".sql")
_FROM_PBP = re.compile(rf"\bFROM\s+{PLAY_BY_PLAY}\b")


def build_many(ctxs: list[Context]) -> Query:
    """The model over a batch of dates, the play-by-play stood in for when it does not exist."""
    sql = _SQL.read_text()
    if not ctxs[0].warehouse.has_table(PLAY_BY_PLAY):
        sql = _FROM_PBP.sub(lambda _m: f"FROM ({NO_PLAY_BY_PLAY.strip()})", sql)  # the model's alias follows
    return Query(sql, {"game_dates": [c.date for c in ctxs]})


PLAYER_SHOT_ZONE_ANALYSIS = Processor(
    name="player_shot_zone_analysis",
    phase=4,
    output="player_shot_zone_analysis",
    partition="date",
    key=("game_date", "player_id"),
    description="Share of points from 2s, 3s and free throws before each date; shot zones from play-by-play.",
    inputs=(
        Input("player_daily_cache", "partition"),
        Input("player_game_summary", "before"),
        Input(PLAY_BY_PLAY, "before", optional=True),
    ),
    sql=_SQL,
    build_many=build_many,
)
