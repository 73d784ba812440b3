"""Processor ``raw_prop_lines``: sportsbook player-points lines for one date."""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.raw._public import as_date, external_for, with_game_code, with_player_lookup

__all__ = ["RAW_PROP_LINES"]

COLUMNS = [
    "game_date",
    "game_code",
    "game_key",
    "event_id",
    "game_time_utc",
    "player_name",
    "player_lookup",
    "player_id",
    "market",
    "bookmaker",
    "line",
    "over_odds",
    "under_odds",
    "snapshot",
    "is_primary_line",
]


def build(ctx: Context) -> pa.Table:
    """One date's points lines from the public ``props_points.parquet``.

    ``player_id`` is the NBA.com id the public data matched the book's name to
    (NULL for the few names it could not match).
    """
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' lines at once (a backfill batch)."""
    t = ctxs[0].public_data().read_dates("props_points", [c.date for c in ctxs])
    t = t.rename_columns(["player_id" if c == "matched_player_id" else c for c in t.column_names])
    return with_player_lookup(with_game_code(as_date(t))).select(COLUMNS)


RAW_PROP_LINES = Processor(
    name="raw_prop_lines",
    phase=2,
    output="raw_prop_lines",
    partition="date",
    key=("game_code", "player_name", "bookmaker", "line", "snapshot"),
    description="Player points prop lines, every book and alternate (public data props_points.parquet).",
    inputs=(Input("schedule", "season"),),
    build=build,
    build_many=build_many,
    external=external_for("props_points"),
)
