"""Frames the prediction code reads: game rows, consensus lines, targets of a date.

Two sources give the same frames: the public data folder (walk-forward
evaluation, benchmark) and the warehouse (``predict --date``).  A folder
missing a required file is refused by `PublicData` with the file's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from nbaprops.pipeline.predict.features import GAME_COLUMNS
from nbaprops.pipeline.predict.lines import consensus_lines
from nbaprops.sources.public_data import PublicData

__all__ = ["PublicFrames", "attach_lines", "game_rows", "lines_for", "load_public", "resolve_player_ids"]

_BOX_SQL = """
SELECT CAST(game_date AS DATE) AS game_date, season, player_id, team, opponent, is_home,
       minutes, pts AS points, game_key, player_name, player_name_norm,
       reb, ast, fg3m, stl, blk, tov, fgm, fga, fg3a, ftm, fta, oreb, has_shooting_counts
FROM read_parquet($p) WHERE season_type IN ('regular', 'playoffs')
"""
_PROPS_SQL = """
SELECT CAST(game_date AS DATE) AS game_date, game_key, matched_player_id AS player_id,
       player_name_norm, bookmaker, line, over_odds, under_odds, is_primary_line,
       snapshot, game_time_utc
FROM read_parquet($p) WHERE CAST(game_date AS DATE) BETWEEN $a AND $b
"""
_GAMES_SQL = """
SELECT CAST(game_date AS DATE) AS game_date, game_key, season, home_team, away_team, status
FROM read_parquet($p) WHERE CAST(game_date AS DATE) BETWEEN $a AND $b
"""


@dataclass(frozen=True)
class PublicFrames:
    """Box-score game rows (all seasons), the games and raw lines of a date range."""

    box: pd.DataFrame
    games: pd.DataFrame
    props: pd.DataFrame


def load_public(root: Path, start: dt.date, end: dt.date) -> PublicFrames:
    """Read the public folder.

    Raises:
        ConfigError: the folder or a required file (named) is missing.
    """
    pdata = PublicData(Path(root))
    con = duckdb.connect()
    try:
        box = con.execute(_BOX_SQL, {"p": pdata.path("player_boxscores")}).df()
        props = con.execute(_PROPS_SQL, {"p": pdata.path("props_points"), "a": start, "b": end}).df()
        games = con.execute(_GAMES_SQL, {"p": pdata.path("games"), "a": start, "b": end}).df()
    finally:
        con.close()
    for f in (box, props, games):
        f["game_date"] = pd.to_datetime(f["game_date"])
    return PublicFrames(box=box, games=games, props=props)


def resolve_player_ids(lines: pd.DataFrame, box: pd.DataFrame) -> pd.DataFrame:
    """Fill ``player_id`` of lines the source left unmatched from names seen before the date.

    A player ruled out after the line was posted has no box row that day, so the
    source could not match him; his name's latest id from earlier games is used.
    """
    missing = lines["player_id"].isna()
    if not missing.any():
        return lines
    names = box[["player_name_norm", "game_date", "player_id"]].sort_values("game_date")
    out = lines.copy()
    for i in out.index[missing]:
        seen = names[(names["player_name_norm"] == out.at[i, "player_name_norm"])]
        seen = seen[seen["game_date"] < out.at[i, "game_date"]]
        if len(seen):
            out.at[i, "player_id"] = seen["player_id"].iloc[-1]
    return out


def attach_lines(rows: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Feature rows of a date joined to their consensus lines (inner join on game and player)."""
    cols = [
        "game_key",
        "player_id",
        "line",
        "n_books",
        "over_odds",
        "over_book",
        "under_odds",
        "under_book",
        "market_p_over",
    ]
    base = rows.drop(columns=[c for c in cols[2:] if c in rows.columns])
    return base.merge(lines[cols], on=["game_key", "player_id"], how="inner")


STAT_COLUMNS: tuple[str, ...] = (
    "reb", "ast", "fg3m", "stl", "blk", "tov", "fgm", "fga", "fg3a", "ftm", "fta", "oreb", "has_shooting_counts",
)  # fmt: skip
"""Box-score columns the minutes-first features read where present (named by stat)."""


def game_rows(box: pd.DataFrame) -> pd.DataFrame:
    """The columns `features.build_features` needs, plus names, game keys and stat columns."""
    stats = [c for c in STAT_COLUMNS if c in box.columns]
    return box.loc[:, [*GAME_COLUMNS, "game_key", "player_name", *stats]]


def lines_for(props: pd.DataFrame, box: pd.DataFrame) -> pd.DataFrame:
    """Consensus lines with player ids resolved (rows with no resolvable id dropped)."""
    lines = resolve_player_ids(consensus_lines(props), box)
    lines = lines.dropna(subset=["player_id"])
    lines["player_id"] = lines["player_id"].astype("int64")
    return lines
