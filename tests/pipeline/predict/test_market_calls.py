"""Market-aware calls over a real walk-forward: graded at a real quote, blend fitted on the past only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nbaprops.core.config import StakingSettings
from nbaprops.pipeline.predict.data import PublicFrames
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.market_calls import market_calls, summarise_market
from nbaprops.pipeline.predict.pricing import MarketBlend, american_decimal
from nbaprops.pipeline.predict.systems import LastTen, MovingAverage
from nbaprops.pipeline.predict.walk_forward import run_walk_forward


@pytest.fixture(scope="module")
def graded(public: PublicFrames) -> pd.DataFrame:
    days = sorted({d.date() for d in public.props["game_date"]})
    g, _ = run_walk_forward(
        public.box, public.props, days, predictor=DayPredictor(systems=[LastTen(), MovingAverage()])
    )
    return g


@pytest.fixture(scope="module")
def calls(graded: pd.DataFrame, public: PublicFrames) -> pd.DataFrame:
    return market_calls(graded, public.props, edge=2.0, blend=MarketBlend(min_rows=100))


def test_every_call_is_graded_at_a_real_quote_of_the_chosen_book(
    calls: pd.DataFrame, public: PublicFrames
) -> None:
    bets = calls[calls["recommendation"] != "PASS"]
    assert len(bets) > 50 and bets["bookmaker"].nunique() >= 3
    q = public.props.dropna(subset=["player_id"]).astype({"player_id": "int64"})
    q = q[q["is_primary_line"]]
    m = bets.merge(q, on=["game_key", "player_id", "bookmaker", "line"], suffixes=("", "_q"))
    assert len(m) == len(bets)  # the (book, line) was on offer
    offered = np.where(m["recommendation"] == "OVER", m["over_odds"], m["under_odds"])
    assert (m["odds"].to_numpy() == offered).all()  # at that book's price for the side
    assert (bets["ev"] > 0).all() and not (calls.loc[calls["recommendation"] == "PASS", "ev"] > 0).any()


def test_results_and_profit_follow_the_chosen_line_and_price(
    calls: pd.DataFrame, graded: pd.DataFrame
) -> None:
    bets = calls[calls["result"].isin(["WIN", "LOSS"])]
    actual = graded.drop_duplicates(["game_key", "player_id"]).set_index(["game_key", "player_id"])[
        "actual_points"
    ]
    a = actual.reindex(pd.MultiIndex.from_frame(bets[["game_key", "player_id"]])).to_numpy()
    won = np.where(bets["recommendation"] == "OVER", a > bets["line"], a < bets["line"])
    assert ((bets["result"] == "WIN").to_numpy() == won).all()
    profit = np.where(won, american_decimal(bets["odds"]) - 1.0, -1.0)
    np.testing.assert_allclose(bets["profit"].to_numpy(float), profit)


def test_later_outcomes_change_no_earlier_call(graded: pd.DataFrame, public: PublicFrames) -> None:
    last = graded["game_date"].max()
    flipped = graded.assign(
        went_over=np.where(graded["game_date"] == last, 1.0 - graded["went_over"], graded["went_over"])
    )
    a = market_calls(graded, public.props, edge=2.0, blend=MarketBlend(min_rows=100))
    b = market_calls(flipped, public.props, edge=2.0, blend=MarketBlend(min_rows=100))
    before = pd.to_datetime(a["game_date"]) < pd.Timestamp(last)
    cols = ["system", "game_key", "player_id", "p_blend", "bookmaker", "line", "odds", "recommendation"]
    pd.testing.assert_frame_equal(
        a.loc[before, cols].reset_index(drop=True), b.loc[before, cols].reset_index(drop=True)
    )


def test_summary_has_brier_on_the_same_rows_and_both_bankrolls(calls: pd.DataFrame) -> None:
    s = summarise_market(calls, StakingSettings())
    assert set(s) == {"l10", "moving_average", "ensemble"}  # the line system has nothing to add
    for v in s.values():
        assert v["n_brier"] > 0 and all(
            v[k] is not None for k in ("brier_model", "brier_market", "brier_blend")
        )
        assert v["bankroll"]["flat"]["n_bets"] >= v["n_bets"]  # voids are staked too (and handed back)
        assert v["bankroll"]["kelly"]["n_bets"] <= v["n_bets"]
        assert v["clv"]["n_clv"] == 0  # one snapshot a day: no CLV in the public archive
