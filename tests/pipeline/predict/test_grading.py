"""Grading on real data: push, void, ROI at real odds, hit-rate totals by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nbaprops.pipeline.predict.data import PublicFrames, lines_for
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.grading import grade
from nbaprops.pipeline.predict.lines import american_payout, consensus_lines
from nbaprops.pipeline.predict.metrics import summarise, wilson
from nbaprops.pipeline.predict.systems import LastTen, MovingAverage
from nbaprops.pipeline.predict.walk_forward import run_walk_forward


def _one(box: pd.DataFrame, day: str, name: str) -> pd.Series:
    r = box[(box["game_date"] == pd.Timestamp(day)) & (box["player_name"] == name)]
    assert len(r) == 1
    return r.iloc[0]


def _pred(row: pd.Series, *, line: float, rec: str, over: float = -110, under: float = -110) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "game_key": [row["game_key"]],
            "player_id": [row["player_id"]],
            "predicted_points": [float(row["points"]) + 3],
            "line": [line],
            "recommendation": [rec],
            "over_odds": [over],
            "under_odds": [under],
        }
    )


def test_actual_equal_to_the_line_is_a_push(box: pd.DataFrame) -> None:
    # real lines are all x.5, so the push is a real player-game graded against a whole-number line
    row = _one(box, "2025-11-04", "Stephen Curry")
    g = grade(_pred(row, line=float(row["points"]), rec="OVER"), box[box["game_date"] == "2025-11-04"])
    assert g["result"].tolist() == ["PUSH"]
    assert g["profit"].tolist() == [0.0]
    assert np.isnan(g["went_over"].iloc[0])


def test_player_with_a_line_but_no_box_row_is_void(public: PublicFrames) -> None:
    lines = lines_for(public.props, public.box)
    played = public.box.set_index(["game_key", "player_id"]).index
    dnp = lines[~lines.set_index(["game_key", "player_id"]).index.isin(played)]
    assert len(dnp) > 0, "the slice has players ruled out after their line was posted"
    preds = dnp.assign(predicted_points=dnp["line"] + 5, recommendation="OVER")
    g = grade(preds, public.box[public.box["game_date"].isin(dnp["game_date"])])
    assert set(g["result"]) == {"VOID"}
    assert (g["profit"] == 0).all()
    assert g["actual_points"].isna().all()


def test_roi_at_the_real_odds_of_a_known_line(public: PublicFrames) -> None:
    # the first matched consensus line of a real date, priced by its real books
    lines = consensus_lines(public.props[public.props["game_date"] == pd.Timestamp("2025-11-04")])
    row = lines.dropna(subset=["player_id"]).iloc[0]
    actual = public.box[
        (public.box["game_key"] == row["game_key"]) & (public.box["player_id"] == row["player_id"])
    ]
    assert len(actual) == 1
    pts = float(actual["points"].iloc[0])
    for rec, odds in (("OVER", row["over_odds"]), ("UNDER", row["under_odds"])):
        p = pd.DataFrame(
            {
                "game_key": [row["game_key"]],
                "player_id": [int(row["player_id"])],
                "predicted_points": [row["line"]],
                "line": [row["line"]],
                "recommendation": [rec],
                "over_odds": [row["over_odds"]],
                "under_odds": [row["under_odds"]],
            }
        )
        g = grade(p, actual).iloc[0]
        won = (pts > row["line"]) if rec == "OVER" else (pts < row["line"])
        want = (odds / 100 if odds > 0 else 100 / -odds) if won else -1.0
        assert g["result"] == ("WIN" if won else "LOSS")
        assert g["profit"] == pytest.approx(want)
        assert g["odds"] == odds


def test_known_line_prices() -> None:
    # real book prices: -130 pays 100/130, +100 pays 1, -112 pays 100/112
    np.testing.assert_allclose(american_payout(np.array([-130, 100, -112])), [100 / 130, 1.0, 100 / 112])


def test_hit_rate_totals_match_a_hand_count(public: PublicFrames) -> None:
    day = dt.date(2025, 11, 5)
    graded, _ = run_walk_forward(
        public.box, public.props, [day], predictor=DayPredictor(systems=[LastTen(), MovingAverage()])
    )
    g = graded[graded["system"] == "l10"]
    s = summarise(g)
    # hand count: rows with |l10 - line| >= 3 whose side (over if l10 > line) came true
    hits = total = 0
    bets = wins = 0
    profit = 0.0
    for r in g.itertuples():
        if np.isnan(r.actual_points) or np.isnan(r.predicted_points):
            continue
        if abs(r.predicted_points - r.line) >= 3 and r.actual_points != r.line:
            total += 1
            hits += (r.predicted_points > r.line) == (r.actual_points > r.line)
        if r.recommendation in ("OVER", "UNDER"):
            bets += 1
            won = (r.recommendation == "OVER") == (r.actual_points > r.line)
            wins += won
            odds = r.over_odds if r.recommendation == "OVER" else r.under_odds
            profit += (odds / 100 if odds > 0 else 100 / -odds) if won else -1.0
    assert total > 10
    assert s["n_edge3"] == total
    assert s["hit_rate_edge3"] == pytest.approx(hits / total, abs=1e-4)
    lo, hi = wilson(hits, total)  # type: ignore[misc]
    assert s["hit_rate_edge3_ci"] == [pytest.approx(lo, abs=1e-4), pytest.approx(hi, abs=1e-4)]
    assert s["n_bets"] == bets
    assert s["bet_wins"] == wins
    if bets:
        assert s["roi"] == pytest.approx(profit / bets, abs=1e-4)


def test_wilson_interval_known_values() -> None:
    lo, hi = wilson(55, 100)  # type: ignore[misc]
    assert lo == pytest.approx(0.4524, abs=1e-3)
    assert hi == pytest.approx(0.6438, abs=1e-3)
    assert wilson(0, 0) is None
