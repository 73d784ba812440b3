"""Frames of one market from the public data folder: box rows with every stat, the market's lines.

The box rows carry ``pts, reb, ast, fg3m, stl, blk`` (``points`` = ``pts``, as
`data.load_public` gives them); the lines of points come from ``props_points.parquet``,
every other market from ``props_other_markets.parquet`` (same schema, a ``market`` column).
A book's primary price whose de-vigged P(over) is more than `OFF_MARKET` from the median
of the books quoting the same line (3 or more) is dropped as **off-market**: in the archive
these are lines recorded against the wrong number (betrivers' threes at 1.5 priced +230 /
-335 while six books price the over at -135..-150: the price of another line).  They are 0
of the points rows, ~1% of the other markets' (betrivers and bovada threes, betrivers and
unibet PRA); taking the best price across books would otherwise bet them.

A market's lines whose player the archive left unmatched (every market but points, PRA and
threes is not joined there) get their id by the archive's own rule, vectorised: the same
normalised name in the box rows of that date, else the latest id of that name before it
(a player ruled out after his line was posted: his bet is void).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from nbaprops.core.errors import ConfigError
from nbaprops.pipeline.predict.data import PublicFrames
from nbaprops.pipeline.predict.markets import POINTS, STATS, Market
from nbaprops.sources.public_data import PublicData

__all__ = [
    "OFF_MARKET",
    "OTHER_MARKETS_FILE",
    "drop_off_market",
    "line_rows",
    "load_market",
    "props_file",
    "resolve_ids",
]

OFF_MARKET = 0.10
"""Largest distance of a book's de-vigged P(over) from the other books' median at the same line."""

OTHER_MARKETS_FILE = "props_other_markets.parquet"

_BOX_SQL = f"""
SELECT CAST(game_date AS DATE) AS game_date, season, player_id, team, opponent, is_home,
       minutes, pts AS points, game_key, player_name, player_name_norm, {", ".join(STATS)}
FROM read_parquet($p) WHERE season_type IN ('regular', 'playoffs')
"""
_PROPS_SQL = """
SELECT CAST(game_date AS DATE) AS game_date, game_key, matched_player_id AS player_id,
       player_name_norm, market, bookmaker, line, over_odds, under_odds, is_primary_line
FROM read_parquet($p) WHERE CAST(game_date AS DATE) BETWEEN $a AND $b AND market = $m
"""
_GAMES_SQL = """
SELECT CAST(game_date AS DATE) AS game_date, game_key, season, home_team, away_team, status
FROM read_parquet($p) WHERE CAST(game_date AS DATE) BETWEEN $a AND $b
"""


def props_file(root: Path, market: Market) -> str:
    """The file holding a market's lines.

    Raises:
        ConfigError: the folder has no such file (named).
    """
    pdata = PublicData(Path(root))
    if market.name == POINTS.name:
        return pdata.path("props_points")
    if not pdata.has("props_other_markets"):
        raise ConfigError(f"public data folder {root} has no {OTHER_MARKETS_FILE} (lines of {market.name})")
    return pdata.path("props_other_markets")


def load_market(root: Path, market: Market, start: dt.date, end: dt.date) -> PublicFrames:
    """Box rows of every season, the games and the market's raw lines of [start, end].

    Raises:
        ConfigError: the folder or a required file (named) is missing.
    """
    pdata = PublicData(Path(root))
    con = duckdb.connect()
    try:
        box = con.execute(_BOX_SQL, {"p": pdata.path("player_boxscores")}).df()
        props = con.execute(
            _PROPS_SQL, {"p": props_file(root, market), "a": start, "b": end, "m": market.name}
        ).df()
        games = con.execute(_GAMES_SQL, {"p": pdata.path("games"), "a": start, "b": end}).df()
    finally:
        con.close()
    for f in (box, props, games):
        f["game_date"] = pd.to_datetime(f["game_date"])
    props = resolve_ids(drop_off_market(props), box)
    return PublicFrames(box=box, games=games, props=props)


def drop_off_market(props: pd.DataFrame) -> pd.DataFrame:
    """`props` without the primary prices that are off-market (see the module docstring)."""
    from nbaprops.pipeline.predict.lines import implied_probability

    io, iu = implied_probability(props["over_odds"]), implied_probability(props["under_odds"])
    p = pd.Series(io / (io + iu), index=props.index)
    prim = props["is_primary_line"].fillna(False).astype(bool) & p.notna()
    key = [props["game_date"], props["game_key"], props["player_name_norm"], props["line"]]
    grouped = p.where(prim).groupby(key, dropna=False)
    median, books = grouped.transform("median"), grouped.transform("count")
    off = prim & (books >= 3) & ((p - median).abs() > OFF_MARKET)
    return props.loc[~off]


def resolve_ids(props: pd.DataFrame, box: pd.DataFrame) -> pd.DataFrame:
    """Fill the ``player_id`` of unmatched lines: same name that date, else the name's latest id before it."""
    missing = props["player_id"].isna()
    if not missing.any():
        return props
    out = props.copy()
    names = box[["game_date", "player_name_norm", "player_id"]].dropna()
    same = names.drop_duplicates(["game_date", "player_name_norm"], keep=False)  # unambiguous names only
    got = out.loc[missing, ["game_date", "player_name_norm"]].merge(
        same, on=["game_date", "player_name_norm"], how="left"
    )
    ids = pd.Series(got["player_id"].to_numpy(), index=out.index[missing], dtype="float64")
    still = ids.isna()
    if still.any():
        want = out.loc[ids.index[still], ["game_date", "player_name_norm"]].reset_index()
        want = want.sort_values("game_date", kind="stable")
        seen = names.sort_values("game_date", kind="stable")
        before = pd.merge_asof(
            want, seen, on="game_date", by="player_name_norm", allow_exact_matches=False, direction="backward"
        )
        ids.loc[before["index"].to_numpy()] = before["player_id"].to_numpy(dtype="float64")
    out.loc[missing, "player_id"] = ids.to_numpy()
    return out


def line_rows(root: Path, market: Market, day: str) -> tuple[str, int]:
    """(content hash, rows) of a market's raw lines on one date (ISO) of the folder's files."""
    import os

    path = props_file(root, market)
    st = os.stat(path)
    return _line_rows(path, st.st_size, st.st_mtime_ns, market.name).get(day, ("", 0))


@cache
def _line_rows(path: str, size: int, mtime_ns: int, market: str) -> dict[str, tuple[str, int]]:
    con = duckdb.connect()
    try:
        got = con.execute(
            "SELECT CAST(game_date AS DATE)::VARCHAR, coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR, count(*) "
            "FROM read_parquet($p) t WHERE market = $m GROUP BY 1",
            {"p": path, "m": market},
        ).fetchall()
    finally:
        con.close()
    return {k: (h, int(n)) for k, h, n in got}
