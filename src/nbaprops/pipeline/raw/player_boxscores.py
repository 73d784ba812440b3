"""Processor ``raw_player_boxscores``: the canonical player box scores (see `canonical`).

One row per player per game: NBA.com, balldontlie, then the public archive, by declared
priority per game.  The archive's rows are checked against its contract as they are read
(`PLAYER_BOXSCORES_ARCHIVE`); the merged rows against the table's (`PLAYER_BOXSCORES_PUBLIC`,
the same columns plus ``source``), so a bad file or a bad scraped row is refused before
anything is written.
"""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw._public import external_for, load_public, with_game_code, with_player_lookup
from nbaprops.pipeline.raw.canonical import BOX_SOURCES, merge_boxscores, with_scraped_rows
from nbaprops.pipeline.raw.contracts import Where, conform
from nbaprops.pipeline.raw.schemas import PLAYER_BOXSCORES_ARCHIVE, PLAYER_BOXSCORES_PUBLIC

__all__ = ["RAW_PLAYER_BOXSCORES"]


def build(ctx: Context) -> pa.Table:
    """One date's player box scores."""
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' player box scores at once (a backfill batch), checked against the contracts.

    Raises:
        DataError: the archive's or the merged rows break their contract (nothing is written).
    """
    days = [c.date for c in ctxs]
    data = ctxs[0].public_data()
    archive = load_public(
        data.read_dates("player_boxscores", days),
        PLAYER_BOXSCORES_ARCHIVE,
        data,
        "player_boxscores",
        derive=lambda t: with_player_lookup(with_game_code(t)),
        derived=("game_code", "player_lookup"),
        file_key=("game_key", "player_id"),
    )
    merged = merge_boxscores(ctxs[0], days, archive)
    span = f"{min(days)}..{max(days)}" if len(days) > 1 else str(days[0])
    return conform(merged, PLAYER_BOXSCORES_PUBLIC, Where(f"the merged box scores of {span}"))


_archive = external_for("player_boxscores")


def _external(ctx: Context) -> ExternalFingerprint:
    return with_scraped_rows(_archive(ctx), ctx)


RAW_PLAYER_BOXSCORES = Processor(
    name="raw_player_boxscores",
    phase=2,
    output="raw_player_boxscores",
    partition="date",
    key=PLAYER_BOXSCORES_PUBLIC.key,
    description="Canonical player box scores: NBA.com, balldontlie, then the public archive, per game.",
    inputs=(
        Input("schedule", "season"),
        *(Input(s.table, optional=True) for s in BOX_SOURCES if s.table is not None),
    ),
    build=build,
    build_many=build_many,
    external=_external,
    covers_every_game=True,
    merges_sources=tuple(s.name for s in BOX_SOURCES),
)
