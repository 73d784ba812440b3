"""Recommendations: edge, expected value, and every PASS reason."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.features import build_features
from nbaprops.pipeline.predict.recommend import expected_value, recommend
from nbaprops.pipeline.predict.systems import LastTen, Matchup, MovingAverage


def _call(pred: float, line: float, p: float, *, over: float = -110, under: float = -110, games: float = 50):
    return recommend(
        np.array([pred]),
        np.array([line]),
        np.array([p]),
        np.array([over]),
        np.array([under]),
        edge=2.0,
        history_games=np.array([games]),
    )


def test_over_with_edge_and_positive_ev() -> None:
    c = _call(25.0, 21.5, 0.62)
    assert c.recommendation.tolist() == ["OVER"]
    assert c.reason.tolist() == [None]
    assert c.ev[0] == expected_value(np.array([0.62]), np.array([-110.0]))[0] > 0


def test_under_with_edge_and_positive_ev() -> None:
    c = _call(17.0, 21.5, 0.35, under=+105)
    assert c.recommendation.tolist() == ["UNDER"]


def test_small_edge_passes() -> None:
    assert _call(22.5, 21.5, 0.6).reason.tolist() == ["small edge"]


def test_negative_ev_passes() -> None:
    # edge is there, but the calibrated probability does not beat -110
    c = _call(25.0, 21.5, 0.51)
    assert c.recommendation.tolist() == ["PASS"]
    assert c.reason.tolist() == ["negative EV"]


def test_no_line_passes() -> None:
    assert _call(25.0, float("nan"), float("nan")).reason.tolist() == ["no line"]


def test_systems_disagree_passes() -> None:
    c = recommend(
        np.array([25.0]),
        np.array([21.5]),
        np.array([0.7]),
        np.array([-110.0]),
        np.array([-110.0]),
        edge=2.0,
        history_games=np.array([50.0]),
        disagree=np.array([True]),
    )
    assert c.reason.tolist() == ["systems disagree"]


def test_player_with_no_history_gets_pass_insufficient_history(box: pd.DataFrame) -> None:
    day = dt.date(2025, 11, 4)
    hist = box[box["game_date"] < pd.Timestamp(day)]
    cols = ["game_date", "season", "player_id", "team", "opponent", "is_home", "minutes", "points"]
    hist = hist.loc[:, [*cols, "game_key", "player_name"]]  # real game keys: team context joins on them
    target = pd.DataFrame(
        {
            "game_date": [pd.Timestamp(day)],
            "season": ["2025-26"],
            "player_id": [-42],  # nobody has ever seen him play
            "team": ["BOS"],
            "opponent": ["NYK"],
            "is_home": [True],
            "minutes": [np.nan],
            "points": [np.nan],
            "game_key": ["2025-11-04_NYK@BOS"],
            "player_name": ["Brand New"],
        }
    )
    feats = build_features(hist, target)
    rows = feats[feats["is_target"]].assign(
        line=12.5,
        n_books=3,
        over_odds=-110.0,
        under_odds=-110.0,
        over_book="x",
        under_book="y",
        market_p_over=0.5,
    )
    predictor = DayPredictor(systems=[MovingAverage(), Matchup(), LastTen()])
    predictor.fit(feats, pd.DataFrame(), day)
    out = predictor.predict(rows, day)
    assert len(out) == 4  # three systems and the ensemble
    assert set(out["recommendation"]) == {"PASS"}
    assert set(out["reason"]) == {"insufficient history"}
