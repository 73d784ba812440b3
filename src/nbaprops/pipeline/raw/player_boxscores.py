"""Processor ``raw_player_boxscores``: the canonical player box scores, one row per player per game.

Built from every source by declared priority with a fallback per game
(`pipeline/raw/canonical.py`): the scraped NBA.com and balldontlie box scores, and the public
archive (``player_boxscores.parquet``) for history.  ``source`` names the source of each row.
"""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw._public import as_date, external_for, with_game_code, with_player_lookup
from nbaprops.pipeline.raw.canonical import BOX_SOURCES, merge_boxscores, with_scraped_rows

__all__ = ["RAW_PLAYER_BOXSCORES"]


def build(ctx: Context) -> pa.Table:
    """One date's player box scores from the public ``player_boxscores.parquet``."""
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' player box scores at once (a backfill batch)."""
    days = [c.date for c in ctxs]
    t = ctxs[0].public_data().read_dates("player_boxscores", days)
    return merge_boxscores(ctxs[0], days, with_player_lookup(with_game_code(as_date(t))))


_archive = external_for("player_boxscores")


def _external(ctx: Context) -> ExternalFingerprint:
    return with_scraped_rows(_archive(ctx), ctx)


RAW_PLAYER_BOXSCORES = Processor(
    name="raw_player_boxscores",
    phase=2,
    output="raw_player_boxscores",
    partition="date",
    key=("game_code", "player_id"),
    description="Canonical player box scores: NBA.com, balldontlie, then the public archive, per game.",
    inputs=(
        Input("schedule", "season"),
        *(Input(s.table, optional=True) for s in BOX_SOURCES if s.table is not None),
    ),
    build=build,
    build_many=build_many,
    external=_external,
)
