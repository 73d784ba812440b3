"""Predictions for one date from the warehouse: inputs, targets, Arrow output.

Shared by the ``system_predictions`` processor and the coordinator
(``nbaprops predict``).  History is ``player_game_summary`` strictly before
the date; the players predicted are those with a line that day plus those
seen for a team playing that day in the last 21 days.  Track record (for
calibration and ensemble weights) is ``system_prediction_grades`` before the
date, when that table exists.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from nbaprops.pipeline.predict.data import resolve_player_ids
from nbaprops.pipeline.predict.engine import OUTPUT_COLUMNS
from nbaprops.pipeline.predict.features import build_features
from nbaprops.pipeline.predict.lines import consensus_lines
from nbaprops.storage.warehouse import Warehouse

__all__ = [
    "PREDICTION_SCHEMA",
    "DayInputs",
    "day_inputs",
    "to_arrow",
]

HISTORY_DAYS = 3 * 365 + 30
EXPECTED_DAYS = 21
GRADES_TABLE = "system_prediction_grades"

PREDICTION_SCHEMA = pa.schema(
    [
        ("game_date", pa.date32()),
        ("market", pa.string()),
        ("game_code", pa.string()),
        ("game_key", pa.string()),
        ("player_id", pa.int64()),
        ("player_lookup", pa.string()),
        ("player_name", pa.string()),
        ("team", pa.string()),
        ("opponent", pa.string()),
        ("system", pa.string()),
        ("system_version", pa.string()),
        ("feature_set", pa.string()),
        ("history_games", pa.float64()),
        ("predicted_points", pa.float64()),
        ("predicted_sd", pa.float64()),
        ("line", pa.float64()),
        ("n_books", pa.float64()),
        ("line_book", pa.string()),
        ("over_odds", pa.float64()),
        ("under_odds", pa.float64()),
        ("market_p_over", pa.float64()),
        ("p_over_raw", pa.float64()),
        ("p_over", pa.float64()),
        ("p_over_normal_raw", pa.float64()),
        ("p_over_normal", pa.float64()),
        ("edge", pa.float64()),
        ("ev", pa.float64()),
        ("recommendation", pa.string()),
        ("reason", pa.string()),
    ]
)
"""Columns of ``system_predictions`` (one partition per game date)."""


@dataclass
class DayInputs:
    """Everything one date's predictions read."""

    day: dt.date
    games: pd.DataFrame
    features: pd.DataFrame
    """History and target rows with features (`features.build_features`)."""
    rows: pd.DataFrame
    """The target rows of the date with their line columns (NaN where no line)."""
    graded: pd.DataFrame
    """Graded predictions before the date (may be empty)."""


def _pseudo_id(name: str) -> int:
    """A stable negative id for a name no box score has matched (never collides with NBA ids)."""
    return -int(zlib.crc32(name.encode()) or 1)


def day_inputs(wh: Warehouse, day: dt.date) -> DayInputs:
    """Read and shape one date's inputs (``games`` empty when none are scheduled)."""
    games = wh.query(
        "SELECT game_code, game_key, season, home_team, away_team, status FROM schedule WHERE game_date = $d",
        {"d": day},
    ).to_pandas()
    empty = pd.DataFrame()
    if games.empty:
        return DayInputs(day, games, empty, empty, empty)
    hist = wh.query(
        "SELECT game_date, season, player_id, team, opponent, is_home, minutes, points, game_key, "
        "player_name, player_lookup AS player_name_norm FROM player_game_summary "
        "WHERE game_date < $d AND game_date >= $lo",
        {"d": day, "lo": day - dt.timedelta(days=HISTORY_DAYS)},
    ).to_pandas()
    hist["game_date"] = pd.to_datetime(hist["game_date"])
    props = pd.DataFrame()
    if wh.has_table("raw_prop_lines"):
        props = wh.query(
            "SELECT game_date, game_key, player_id, player_lookup AS player_name_norm, bookmaker, "
            "line, over_odds, under_odds, is_primary_line FROM raw_prop_lines "
            "WHERE game_date = $d AND market = 'player_points'",
            {"d": day},
        ).to_pandas()
    if not props.empty:
        props["game_date"] = pd.to_datetime(props["game_date"])
        lines = resolve_player_ids(consensus_lines(props), hist)
        unknown = lines["player_id"].isna()
        if unknown.any():
            fill = [_pseudo_id(str(n)) for n in lines.loc[unknown, "player_name_norm"]]
            lines["player_id"] = lines["player_id"].astype("float64")
            lines.loc[unknown, "player_id"] = np.array(fill, dtype="float64")
        lines["player_id"] = lines["player_id"].astype("int64")
    else:
        lines = pd.DataFrame(columns=["game_key", "player_id", "player_name_norm", "line"])
    targets = _targets(games, hist, lines, day)
    if targets.empty:  # nobody expected and no lines (e.g. a date past the last box scores)
        return DayInputs(day, games, empty, empty, empty)
    feats = build_features(
        hist.drop(columns=["player_name_norm"]), targets.drop(columns=["player_name_norm"])
    )
    rows = feats[feats["is_target"]].copy()
    names = targets.set_index("player_id")["player_name_norm"]
    rows["player_lookup"] = rows["player_id"].map(names)
    line_cols = ["line", "n_books", "over_odds", "over_book", "under_odds", "under_book", "market_p_over"]
    rows = rows.drop(columns=["line"]).merge(
        lines.reindex(columns=["game_key", "player_id", *line_cols]), on=["game_key", "player_id"], how="left"
    )
    rows = rows.merge(games[["game_key", "game_code"]], on="game_key", how="left")
    graded = empty
    if wh.has_table(GRADES_TABLE):
        graded = wh.query(
            f"SELECT game_date, game_key, player_id, system, predicted_points, actual_points, "
            f"p_over_raw, went_over FROM {GRADES_TABLE} WHERE game_date < $d AND game_date >= $lo",
            {"d": day, "lo": day - dt.timedelta(days=120)},
        ).to_pandas()
    return DayInputs(day, games, feats, rows.reset_index(drop=True), graded)


def _targets(games: pd.DataFrame, hist: pd.DataFrame, lines: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    sides = pd.concat(
        [
            games.assign(team=games["home_team"], opponent=games["away_team"], is_home=True),
            games.assign(team=games["away_team"], opponent=games["home_team"], is_home=False),
        ]
    )[["game_key", "season", "team", "opponent", "is_home"]]
    last = hist.sort_values("game_date").groupby("player_id").tail(1)
    recent = last[last["game_date"] >= pd.Timestamp(day - dt.timedelta(days=EXPECTED_DAYS))]
    expected = recent[["player_id", "team", "player_name", "player_name_norm"]].merge(sides, on="team")
    extra = lines[~lines["player_id"].isin(expected["player_id"])]
    if len(extra):
        known = last.set_index("player_id")
        rows = []
        for r in extra.itertuples():
            g = games[games["game_key"] == r.game_key]
            if g.empty:
                continue
            home, away = g["home_team"].iloc[0], g["away_team"].iloc[0]
            team = known["team"].get(r.player_id)
            name = known["player_name"].get(r.player_id, r.player_name_norm)
            is_home = team == home
            if team not in (home, away):
                team, is_home = None, None  # no history with either team: no team features
            rows.append(
                {
                    "player_id": r.player_id,
                    "team": team,
                    "player_name": name,
                    "player_name_norm": r.player_name_norm,
                    "game_key": r.game_key,
                    "season": g["season"].iloc[0],
                    "opponent": (away if is_home else home) if team else None,
                    "is_home": is_home,
                }
            )
        if rows:
            expected = pd.concat([expected, pd.DataFrame(rows)], ignore_index=True)
    expected = expected.drop_duplicates(["player_id"])
    return expected.assign(game_date=pd.Timestamp(day), minutes=np.nan, points=np.nan)


def to_arrow(frame: pd.DataFrame, rows: pd.DataFrame) -> pa.Table:
    """Prediction frame (engine output) -> Arrow rows of ``system_predictions``."""
    ids = rows[["game_key", "player_id", "game_code", "player_lookup"]].drop_duplicates(
        ["game_key", "player_id"]
    )
    f = frame.merge(ids, on=["game_key", "player_id"], how="left")
    f = f.loc[:, [c.name for c in PREDICTION_SCHEMA]]
    assert set(OUTPUT_COLUMNS) <= set(f.columns)
    f["player_id"] = f["player_id"].astype("int64")
    f["game_date"] = pd.to_datetime(f["game_date"]).dt.date
    return pa.Table.from_pandas(f, schema=PREDICTION_SCHEMA, preserve_index=False)
