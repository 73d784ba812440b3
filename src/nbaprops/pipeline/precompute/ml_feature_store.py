"""Processor ``ml_feature_store`` (Phase 4): the versioned feature vector the systems read.

One row per player and game (the players of ``player_daily_cache``).  The vector is
`feature_set.FEATURE_NAMES`: the SQL part (``ml_feature_store.sql``, season-scoped Phase-4
tables) followed by the prediction systems' as-of features, computed by
`predict.features.build_features` (the one definition, also used by the walk-forward on the
public files) from every ``player_game_summary`` row up to the date (the date's own rows only
list who played) and ``upcoming_team_game_context`` (who is out, rest, the game's lines).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.precompute.feature_set import (
    FEATURE_NAMES,
    FEATURE_SET,
    SQL_FEATURE_NAMES,
    SYSTEM_FEATURES,
    check_sql,
)
from nbaprops.storage.queries import feature_store as q

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ML_FEATURE_STORE", "SQL_MODEL", "build_many"]

_SQL = Path(__file__).with_suffix(".sql")
SQL_MODEL = _SQL
"""The SQL part of the vector (`feature_set.SQL_FEATURE_NAMES`)."""
check_sql(_SQL.read_text())  # the vector in the SQL must match SQL_FEATURE_NAMES

EARLIEST = dt.date(1900, 1, 1)
"""The systems' features read every earlier game row (career games, last games of any season):
a bounded look-back would make a row depend on where its batch starts."""

SCHEMA = pa.schema(
    [
        ("game_date", pa.date32()),
        ("season", pa.string()),
        ("game_code", pa.string()),
        ("player_id", pa.int64()),
        ("player_lookup", pa.string()),
        ("player_name", pa.string()),
        ("team", pa.string()),
        ("opponent", pa.string()),
        ("is_home", pa.bool_()),
        ("context_source", pa.string()),
        ("bootstrap", pa.bool_()),
        ("games_played", pa.int64()),
        ("feature_set", pa.string()),
        ("feature_names", pa.list_(pa.string())),
        ("features", pa.list_(pa.float64())),
    ]
)


def build(ctx: Context) -> pa.Table:
    """One date (a batch of one)."""
    return build_many([ctx])


def system_rows(
    hist: pd.DataFrame, targets: pd.DataFrame, context: pd.DataFrame, days: list[dt.date]
) -> pd.DataFrame:
    """The systems' features of the rows dated `days` (history, targets and context given)."""
    import pandas as pd

    from nbaprops.pipeline.predict.features import build_features

    hist = hist.assign(game_date=pd.to_datetime(hist["game_date"]))
    tg = targets.assign(game_date=pd.to_datetime(targets["game_date"])) if len(targets) else None
    ctx = context.assign(game_date=pd.to_datetime(context["game_date"]))
    feats = build_features(hist.drop(columns=["player_name_norm"], errors="ignore"), tg, context=ctx)
    want = feats["game_date"].isin(pd.to_datetime(pd.Series(days)))
    return feats.loc[want]


def build_many(ctxs: list[Context]) -> pa.Table:
    """The store rows of every date of `ctxs`: the SQL vector plus the systems' features."""
    import pandas as pd

    wh = ctxs[0].warehouse
    days = sorted({c.date for c in ctxs})
    hi = days[-1]
    params = {"game_dates": days, "feature_set": FEATURE_SET, "feature_names": list(SQL_FEATURE_NAMES)}
    base = wh.query(_SQL.read_text(), params).to_pandas()
    if base.empty:
        return SCHEMA.empty_table()
    keys = wh.query(q.STORE_GAME_KEYS, {"lo": days[0], "hi": hi}).to_pandas()
    base = base.merge(keys, on="game_code", how="left")
    hist = wh.query(q.STORE_HISTORY, {"lo": EARLIEST, "hi": hi}).to_pandas()
    context = wh.query(
        q.STORE_CONTEXT, {"lo": days[0], "hi": hi}
    ).to_pandas()  # only the dates' rows are kept
    base["game_date"] = pd.to_datetime(base["game_date"])
    hist["game_date"] = pd.to_datetime(hist["game_date"])
    played = hist[["game_date", "player_id"]].assign(_played=True)
    missing = base.merge(played, on=["game_date", "player_id"], how="left")
    missing = missing[missing["_played"].isna()]
    targets = pd.DataFrame(
        {
            "game_date": missing["game_date"],
            "season": missing["season"],
            "player_id": missing["player_id"],
            "team": missing["team"],
            "opponent": missing["opponent"],
            "is_home": missing["is_home"].astype(float),
            "minutes": np.nan,
            "points": np.nan,
            "game_key": missing["game_key"],
            "player_name": missing["player_name"],
        }
    )
    sys_rows = system_rows(hist, targets, context, days)
    names = [f.name for f in SYSTEM_FEATURES]
    sys_rows = sys_rows[["game_date", "player_id", *names]].drop_duplicates(["game_date", "player_id"])
    sys_rows = sys_rows.rename(columns={n: f"sys__{n}" for n in names})
    out = base.merge(sys_rows, on=["game_date", "player_id"], how="left")
    sql_part = np.array([np.asarray(v, dtype="float64") for v in out["features"]]).reshape(len(out), -1)
    sys_part = out[[f"sys__{n}" for n in names]].to_numpy(dtype="float64", na_value=np.nan)
    vec = np.hstack([sql_part, sys_part])
    vectors = [[None if np.isnan(x) else float(x) for x in row] for row in vec]
    out["game_date"] = out["game_date"].dt.date
    table = pa.Table.from_pandas(out[[f.name for f in SCHEMA if f.name not in ("feature_names", "features")]],
                                 preserve_index=False)  # fmt: skip
    table = table.append_column(
        "feature_names", pa.array([list(FEATURE_NAMES)] * len(out), pa.list_(pa.string()))
    )
    table = table.append_column("features", pa.array(vectors, pa.list_(pa.float64())))
    return table.cast(SCHEMA)


_PIPELINE = Path(__file__).resolve().parents[1]
DEFINITION_FILES: tuple[Path, ...] = (
    _SQL,
    _PIPELINE / "predict" / "features.py",
    _PIPELINE / "predict" / "minutes.py",
    _PIPELINE / "analytics" / "team_offense_game_summary.sql",
    _PIPELINE / "analytics" / "upcoming_team_game_context.sql",
)
"""Every file that defines the vector: part of the processor's code hash, so changing a
definition re-runs the store (and `FEATURE_SET` says so to models)."""


@dataclasses.dataclass(frozen=True)
class _StoreProcessor(Processor):
    def code_text(self) -> str:
        return "\n".join([super().code_text(), *(f.read_text() for f in DEFINITION_FILES)])


ML_FEATURE_STORE = _StoreProcessor(
    name="ml_feature_store",
    phase=4,
    output="ml_feature_store",
    partition="date",
    key=("game_code", "player_id"),
    description="One row per player and game: the versioned feature vector the systems read.",
    inputs=(
        Input("player_daily_cache", "partition"),
        Input("player_shot_zone_analysis", "partition"),
        Input("player_composite_factors", "partition"),
        Input("player_game_summary", "through"),
        Input("upcoming_team_game_context", "through"),
        Input("schedule", "season"),
    ),
    build=build,
    build_many=build_many,
)
