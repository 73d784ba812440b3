"""Predictions for one date from the warehouse: inputs, targets, Arrow output.

Shared by the ``system_predictions`` processor and the coordinator
(``nbaprops predict``).  The systems read their features from the feature store
(``ml_feature_store``, the vector's `FEATURE_NAMES`): the date's rows are the players
predicted (the players ``player_daily_cache`` expects), and the store's rows of the three
years before the date, with their labels from ``player_game_summary``, are the history the
systems fit on.  A player with a line but no store row (no game for his team in the last
21 days) is not predicted.  Track record (for calibration and ensemble weights) is
``system_prediction_grades`` before the date, when that table exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from nbaprops.core.errors import DataError
from nbaprops.pipeline.predict.data import resolve_player_ids
from nbaprops.pipeline.predict.engine import OUTPUT_COLUMNS
from nbaprops.pipeline.predict.features import FEATURE_SET, STORED_FEATURES
from nbaprops.pipeline.predict.lines import consensus_lines
from nbaprops.storage.queries import feature_store as q
from nbaprops.storage.warehouse import Warehouse

__all__ = [
    "PREDICTION_SCHEMA",
    "DayInputs",
    "day_inputs",
    "store_features",
    "store_version",
    "to_arrow",
]

HISTORY_DAYS = 3 * 365 + 30
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


def store_version(wh: Warehouse, day: dt.date) -> str | None:
    """The feature set of the store's rows of `day` (None: no rows).

    Raises:
        DataError: the rows of the date hold more than one version.
    """
    if not wh.has_table("ml_feature_store"):
        return None
    found = sorted(str(r[0]) for r in wh.rows(q.STORE_VERSIONS, {"lo": day, "hi": day}))
    if len(found) > 1:
        raise DataError(
            f"ml_feature_store rows of {day} hold feature sets {found}: rebuild phase 4 for the date"
        )
    return found[0] if found else None


def store_features(wh: Warehouse, lo: dt.date, hi: dt.date) -> pd.DataFrame:
    """Store rows between two dates, one column per stored feature (by the stored names).

    Raises:
        DataError: a row was built for another feature set than the code's `FEATURE_SET`.
    """
    t = wh.query(q.STORE_ROWS, {"lo": lo, "hi": hi}).to_pandas()
    if t.empty:
        return t
    bad = t[t["feature_set"] != FEATURE_SET]
    if len(bad):
        r = bad.iloc[0]
        raise DataError(
            f"ml_feature_store row {r['game_code']} / {r['player_id']} ({r['game_date']}) has feature set "
            f"{r['feature_set']!r}, the systems' is {FEATURE_SET!r}: rebuild phase 4 (nbaprops run --phases 4 --force)"
        )
    names = list(t["feature_names"].iloc[0])
    values = np.array([np.asarray(v, dtype="float64") for v in t["features"]], dtype="float64")
    values = values.reshape(len(t), len(names))
    wanted = [n for n in STORED_FEATURES if n in names]
    feats = pd.DataFrame(values[:, [names.index(n) for n in wanted]], columns=wanted, index=t.index)
    meta = t[
        ["game_date", "season", "game_code", "player_id", "player_lookup", "player_name", "team", "opponent"]
    ]
    out = pd.concat([meta, feats], axis=1)
    out["game_date"] = pd.to_datetime(out["game_date"])
    return out


def day_inputs(wh: Warehouse, day: dt.date) -> DayInputs:
    """Read and shape one date's inputs (``games`` empty when none are scheduled)."""
    games = wh.query(
        "SELECT game_code, game_key, season, home_team, away_team, status FROM schedule WHERE game_date = $d",
        {"d": day},
    ).to_pandas()
    empty = pd.DataFrame()
    if games.empty or not wh.has_table("ml_feature_store"):
        return DayInputs(day, games, empty, empty, empty)
    lo = day - dt.timedelta(days=HISTORY_DAYS)
    store = store_features(wh, lo, day)
    if store.empty or not (store["game_date"] == pd.Timestamp(day)).any():
        return DayInputs(day, games, empty, empty, empty)
    labels = wh.query(q.STORE_HISTORY, {"lo": lo, "hi": day - dt.timedelta(days=1)}).to_pandas()
    labels["game_date"] = pd.to_datetime(labels["game_date"])
    keys = wh.query(q.STORE_GAME_KEYS, {"lo": lo, "hi": day}).to_pandas()
    store = store.merge(keys, on="game_code", how="left")
    is_target = store["game_date"] == pd.Timestamp(day)
    label_cols = ["game_date", "player_id", "minutes", "points", "reb", "ast", "fg3m", "stl", "blk"]
    hist = store[~is_target].merge(labels[label_cols], on=["game_date", "player_id"], how="inner")
    rows = store[is_target].assign(minutes=np.nan, points=np.nan)
    feats = pd.concat([hist.assign(is_target=False), rows.assign(is_target=True)], ignore_index=True)
    feats["line"] = np.nan
    props = pd.DataFrame()
    if wh.has_table("raw_prop_lines"):
        props = wh.query(
            "SELECT game_date, game_key, player_id, player_lookup AS player_name_norm, bookmaker, "
            "line, over_odds, under_odds, is_primary_line FROM raw_prop_lines "
            "WHERE game_date = $d AND market = 'player_points'",
            {"d": day},
        ).to_pandas()
    line_cols = ["line", "n_books", "over_odds", "over_book", "under_odds", "under_book", "market_p_over"]
    target_rows = feats[feats["is_target"]].drop(columns=["line"])
    if not props.empty:
        props["game_date"] = pd.to_datetime(props["game_date"])
        lines = resolve_player_ids(consensus_lines(props), labels)
        lines = lines.dropna(subset=["player_id"])
        lines["player_id"] = lines["player_id"].astype("int64")
        target_rows = target_rows.merge(
            lines.reindex(columns=["game_key", "player_id", *line_cols]),
            on=["game_key", "player_id"],
            how="left",
        )
    else:
        target_rows = target_rows.reindex(columns=[*target_rows.columns, *line_cols])
    graded = empty
    if wh.has_table(GRADES_TABLE):
        graded = wh.query(
            f"SELECT game_date, game_key, player_id, system, predicted_points, actual_points, "
            f"p_over_raw, went_over FROM {GRADES_TABLE} WHERE game_date < $d AND game_date >= $lo",
            {"d": day, "lo": day - dt.timedelta(days=120)},
        ).to_pandas()
    return DayInputs(day, games, feats, target_rows.reset_index(drop=True), graded)


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
