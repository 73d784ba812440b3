"""The warehouse side of every market: the SQL counts, the baseline's predictions and their grades."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from nbaprops.ops.runner import Runner
from nbaprops.pipeline.predict.markets import MARKET_STATS_SQL, MARKETS, WAREHOUSE_STATS, stat_values

from .conftest import DATA

DAY = dt.date(2025, 11, 4)


def test_the_sql_counts_equal_the_python_counts_on_real_box_scores() -> None:
    box = pd.read_parquet(DATA / "player_boxscores.parquet")
    box = box[box["season"] == "2024-25"].reset_index(drop=True)
    pgs = box.rename(columns=WAREHOUSE_STATS).assign(row=np.arange(len(box)))
    con = duckdb.connect()
    con.register("player_game_summary", pgs[["row", *WAREHOUSE_STATS.values()]])
    got = con.execute(
        f"SELECT row, market, value FROM ({MARKET_STATS_SQL.read_text()})", {"markets": list(MARKETS)}
    ).df()
    con.close()
    for name, m in MARKETS.items():
        sql = got[got["market"] == name].set_index("row")["value"].sort_index().astype("float64")
        py = stat_values(box, m)
        pd.testing.assert_series_equal(sql.rename(None), py.rename(None), check_index=False)
        assert py.notna().sum() > 20_000
    assert got.loc[got["market"] == "player_double_double", "value"].sum() > 500  # real double-doubles


def test_the_baseline_predicts_and_grades_every_market_with_lines(built: Runner) -> None:
    wh = built.wh
    preds = wh.query("SELECT * FROM predictions WHERE game_date = $d", {"d": DAY}).to_pandas()
    with_lines = preds.dropna(subset=["line"])
    assert set(with_lines["market"]) >= {
        "player_points",
        "player_rebounds",
        "player_assists",
        "player_threes",
        "player_points_rebounds_assists",
        "player_steals",
        "player_blocks",
    }
    assert preds.duplicated(["market", "game_code", "player_id", "system"]).sum() == 0
    box = pd.read_parquet(DATA / "player_boxscores.parquet")
    box["game_date"] = pd.to_datetime(box["game_date"])
    season = box[(box["season"] == "2025-26") & (box["game_date"] < pd.Timestamp(DAY))]
    # a PRA row: the moving average of the player's PRA in this season's games before the date
    pra = with_lines[
        (with_lines["market"] == "player_points_rebounds_assists") & with_lines["predicted_points"].notna()
    ]
    row = pra.iloc[0]
    games = season[season["player_id"] == row["player_id"]].sort_values("game_date", ascending=False)
    v = (games["pts"] + games["reb"] + games["ast"]).to_numpy(float)
    expect = 0.5 * v[:5].mean() + 0.3 * v[:10].mean() + 0.2 * v.mean()
    assert row["predicted_points"] == pytest.approx(expect, abs=1e-3)
    # the edge of a call is in the market's units: threes need 0.5, points Settings.edge
    called = with_lines[with_lines["recommendation"].isin(["OVER", "UNDER"])]
    threes = called[called["market"] == "player_threes"]
    assert len(threes) and (threes["edge"].abs() >= 0.5).all()
    assert (called.loc[called["market"] == "player_points", "edge"].abs() >= built.settings.edge).all()

    built.run([built.registry.by_name["prediction_grades"]], [DAY])
    grades = wh.query("SELECT * FROM prediction_grades WHERE game_date = $d", {"d": DAY}).to_pandas()
    day_box = box[box["game_date"] == pd.Timestamp(DAY)].set_index("player_id")
    for market, col in (("player_rebounds", "reb"), ("player_threes", "fg3m"), ("player_blocks", "blk")):
        g = grades[(grades["market"] == market) & grades["actual_points"].notna()]
        assert len(g) > 20, market
        np.testing.assert_array_equal(
            g["actual_points"].to_numpy(float), day_box.loc[g["player_id"], col].to_numpy(float)
        )
    void = grades[grades["result"] == "VOID"]
    assert len(void) and not void["player_id"].isin(day_box.index).any()  # VOID: no box row that day
