"""Processor ``raw_game_lines``: the archive's pre-game spread, total and moneylines per game.

Read from the optional public ``game_lines.parquet`` (2007-08 .. 2023-24 and 2024-25 up to
2024-11-15 in ``../shared/data/nba``).  A folder without the file, or a date it does not
cover, gives zero rows: "no line known", never a line of 0.  The file's result columns
(``src_points_total``, ``src_win_margin``) are the game's outcome and are never loaded.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from nbaprops.core.errors import ConfigError
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw._public import load_public, public_span, with_game_code
from nbaprops.pipeline.raw.schemas import GAME_LINES_PUBLIC

__all__ = ["RAW_GAME_LINES"]

FILE = "game_lines"


def _has_file(ctx: Context) -> bool:
    try:
        ctx.public_data().path(FILE)
    except ConfigError:
        return False
    return True


def build(ctx: Context) -> pa.Table:
    """One date's game lines."""
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' game lines at once, checked against `GAME_LINES_PUBLIC`.

    Raises:
        DataError: the rows break the contract (nothing is written).
    """
    if not _has_file(ctxs[0]):
        return GAME_LINES_PUBLIC.schema.empty_table()
    data = ctxs[0].public_data()
    t = data.read_dates(FILE, [c.date for c in ctxs])
    return load_public(
        t,
        GAME_LINES_PUBLIC,
        data,
        FILE,
        derive=with_game_code,
        derived=("game_code",),
        file_key=("game_key",),
    )


def _external(ctx: Context) -> ExternalFingerprint:
    if not _has_file(ctx):
        return ExternalFingerprint(f"{FILE}:absent", 0)
    digest, rows = ctx.public_data().fingerprint(FILE, ctx.partition.column, ctx.partition.key)
    return ExternalFingerprint(f"{FILE}:{digest}", rows)


def _coverage(ctx: Context) -> tuple[dt.date, dt.date] | None:
    if not _has_file(ctx):  # no file: no date is covered (an empty span)
        return dt.date.max, dt.date.min
    return public_span(ctx.public_data(), FILE)


RAW_GAME_LINES = Processor(
    name="raw_game_lines",
    phase=2,
    output="raw_game_lines",
    partition="date",
    key=GAME_LINES_PUBLIC.key,
    description="Game spread, total and moneylines per game (public data game_lines.parquet).",
    inputs=(Input("schedule", "season"),),
    build=build,
    build_many=build_many,
    external=_external,
    per_game=False,  # the archive stops on 2024-11-15 and skips a few games
    source_coverage=_coverage,
)
