"""Processor ``raw_prop_lines``: sportsbook player-points lines for one date."""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.raw._public import (
    coverage_for,
    external_for,
    load_public,
    with_game_code,
    with_player_lookup,
)
from nbaprops.pipeline.raw.schemas import PROP_LINES_PUBLIC

__all__ = ["RAW_PROP_LINES"]


def build(ctx: Context) -> pa.Table:
    """One date's points lines from the public ``props_points.parquet``.

    ``player_id`` is the NBA.com id the public data matched the book's name to
    (NULL for the few names it could not match).
    """
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' lines at once (a backfill batch), checked against the contract.

    Raises:
        DataError: the rows break `PROP_LINES_PUBLIC` (nothing is written).
    """
    data = ctxs[0].public_data()
    t = data.read_dates("props_points", [c.date for c in ctxs])
    t = t.rename_columns(["player_id" if c == "matched_player_id" else c for c in t.column_names])
    return load_public(
        t,
        PROP_LINES_PUBLIC,
        data,
        "props_points",
        derive=lambda t: with_player_lookup(with_game_code(t)),
        derived=("game_code", "player_lookup"),
        file_key=("game_key", "player_name", "bookmaker", "line", "snapshot"),
    )


RAW_PROP_LINES = Processor(
    name="raw_prop_lines",
    phase=2,
    output="raw_prop_lines",
    partition="date",
    key=PROP_LINES_PUBLIC.key,
    description="Player points prop lines, every book and alternate (public data props_points.parquet).",
    inputs=(Input("schedule", "season"),),
    build=build,
    build_many=build_many,
    external=external_for("props_points"),
    source_coverage=coverage_for("props_points"),
)
