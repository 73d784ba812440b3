"""Every market on real lines: grading against the box, voids, count distributions, PRA vs its parts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nbinom, norm, poisson

from nbaprops.core.errors import InputError
from nbaprops.pipeline.predict.data import PublicFrames, lines_for
from nbaprops.pipeline.predict.distributions import count_sf, p_over, part_inflation
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.grading import grade
from nbaprops.pipeline.predict.market_data import load_market
from nbaprops.pipeline.predict.markets import MARKETS, get_market, stat_values, with_stat
from nbaprops.pipeline.predict.systems import LastTen, LineSystem, Matchup, MovingAverage, SeasonAverage
from nbaprops.pipeline.predict.systems.base import Prediction
from nbaprops.pipeline.predict.walk_forward import run_walk_forward, summarise_systems

REPO = Path(__file__).resolve().parents[3]
DATA = REPO.parent / "shared" / "data" / "nba"
PRA = "player_points_rebounds_assists"
D = dt.date(2025, 11, 4)
"""A date with lines in every priced market (points, rebounds, assists, threes, PRA, steals, blocks)."""
RECENT = pd.Timestamp("2024-06-01")
"""Box rows from here on are enough history for the quick systems (keeps the tests fast)."""


def _quick(market: str) -> DayPredictor:
    m = get_market(market)
    return DayPredictor(
        systems=[LineSystem(), SeasonAverage(), LastTen(), MovingAverage(), Matchup()],  # type: ignore[list-item]
        market=m,
        edge=m.edge,
    )


def _frames(market: str, start: dt.date, end: dt.date) -> PublicFrames:
    f = load_market(DATA, get_market(market), start, end)
    return PublicFrames(
        box=f.box[f.box["game_date"] >= RECENT].reset_index(drop=True), games=f.games, props=f.props
    )


@pytest.fixture(scope="module")
def threes() -> PublicFrames:
    return _frames("player_threes", dt.date(2024, 12, 2), dt.date(2024, 12, 4))


@pytest.fixture(scope="module")
def pra() -> PublicFrames:
    return _frames(PRA, D, D)


@pytest.fixture(scope="module")
def pra_walk(pra: PublicFrames) -> tuple[pd.DataFrame, int, DayPredictor]:
    predictor = _quick(PRA)
    graded, voids = run_walk_forward(pra.box, pra.props, [D], predictor=predictor)
    return graded, voids, predictor


def _days(f: PublicFrames) -> list[dt.date]:
    return sorted({d.date() for d in f.props["game_date"]})


def _box_value(box: pd.DataFrame, game_key: str, player_id: int, cols: tuple[str, ...]) -> float:
    r = box[(box["game_key"] == game_key) & (box["player_id"] == player_id)]
    assert len(r) == 1
    return float(sum(float(r[c].iloc[0]) for c in cols))


@pytest.mark.parametrize(("market", "cols"), [("player_threes", ("fg3m",)), (PRA, ("pts", "reb", "ast"))])
def test_a_markets_walk_forward_is_graded_against_the_box(
    market: str,
    cols: tuple[str, ...],
    threes: PublicFrames,
    pra: PublicFrames,
    pra_walk: tuple[pd.DataFrame, int, DayPredictor],
) -> None:
    if market == PRA:
        f, (graded, voids, _) = pra, pra_walk
    else:
        f = threes
        graded, voids = run_walk_forward(f.box, f.props, _days(f), predictor=_quick(market))
    assert len(graded) > 300
    assert set(graded["market"]) == {market}
    rows = graded[graded["system"] == "l10"]
    for r in rows.head(40).itertuples():
        actual = _box_value(f.box, str(r.game_key), int(r.player_id), cols)
        assert r.actual_points == actual
        if r.recommendation in ("OVER", "UNDER"):
            over = actual > r.line
            assert r.result == ("WIN" if over == (r.recommendation == "OVER") else "LOSS")
    assert graded["actual_points"].notna().all()  # a stat the box does not hold is not graded
    assert voids > 0  # lines of players who did not play are counted, never graded
    bets = graded[graded["result"].isin(["WIN", "LOSS"])]
    assert len(bets) > 0
    assert set(graded.loc[graded["recommendation"] == "PASS", "result"]) == {"PASS"}


def test_a_line_of_a_player_without_a_box_row_is_void(pra: PublicFrames) -> None:
    m = get_market(PRA)
    lines = lines_for(pra.props, pra.box)
    played = pra.box.set_index(["game_key", "player_id"]).index
    dnp = lines[~lines.set_index(["game_key", "player_id"]).index.isin(played)]
    assert len(dnp) > 0, "the date has PRA lines of players ruled out after they were posted"
    calls = dnp.assign(predicted_points=dnp["line"] + 5, recommendation="OVER")
    g = grade(calls, with_stat(pra.box[pra.box["game_date"] == pd.Timestamp(D)], m))
    assert set(g["result"]) == {"VOID"}
    assert (g["profit"] == 0).all()


def test_stat_values_follow_the_box() -> None:
    box = pd.DataFrame(
        {
            "pts": [30.0, 12.0, 10.0, 5.0],
            "reb": [12.0, 11.0, 10.0, 2.0],
            "ast": [11.0, 3.0, 10.0, 1.0],
            "stl": [1.0, 0.0, 0.0, 0.0],
            "blk": [0.0, 10.0, 0.0, 0.0],
            "fg3m": [4.0, np.nan, 0.0, 1.0],
        }
    )
    assert stat_values(box, MARKETS[PRA]).tolist() == [53.0, 26.0, 30.0, 8.0]
    assert stat_values(box, MARKETS["player_double_double"]).tolist() == [1.0, 1.0, 1.0, 0.0]
    assert stat_values(box, MARKETS["player_triple_double"]).tolist() == [1.0, 1.0, 1.0, 0.0]
    assert stat_values(box, MARKETS["player_threes"]).isna().tolist() == [False, True, False, False]


def test_count_distribution_matches_scipy_and_stays_inside_zero_one() -> None:
    mean = np.array([0.4, 1.9, 2.0, 24.0, 31.5, np.nan])
    var = np.array([0.4, 3.0, 1.5, 120.0, 80.0, 1.0])
    line = np.array([0.5, 1.5, 2.5, 22.5, 30.5, 1.5])
    got = count_sf(line, mean, var)
    assert np.isnan(got[-1])
    assert got[0] == pytest.approx(poisson.sf(0, 0.4))  # var == mean: Poisson
    assert got[2] == pytest.approx(poisson.sf(2, 2.0))  # var < mean: Poisson too
    phi = var[1] / mean[1]
    assert got[1] == pytest.approx(nbinom.sf(1, mean[1] / (phi - 1), 1 / phi))
    assert ((got[:-1] > 0) & (got[:-1] < 1)).all()
    # same mean and variance: the Normal is a different number at a low line
    pred = Prediction(np.array([1.9]), np.sqrt(np.array([3.0 * 1.9 / 1.9])))
    count = p_over(pred, np.array([1.5]), distribution="count")
    normal = p_over(pred, np.array([1.5]), distribution="normal")
    assert normal[0] == pytest.approx(norm.sf(1.5, 1.9, pred.sd[0]))
    assert abs(count[0] - normal[0]) > 0.02


def test_pra_is_the_sum_of_its_parts_and_its_p_over_comes_from_that_distribution(
    pra: PublicFrames, pra_walk: tuple[pd.DataFrame, int, DayPredictor]
) -> None:
    got, _, predictor = pra_walk
    parts = {}
    for market in ("player_points", "player_rebounds", "player_assists"):
        f = _frames(market, D, D)
        # each part predicted for the PRA players: the PRA lines stand in for the part's
        g, _ = run_walk_forward(f.box, pra.props.assign(market=market), [D], predictor=_quick(market))
        parts[market] = g.set_index(["game_key", "player_id", "system"])["predicted_points"]
    models = got[~got["system"].isin(["line", "ensemble"])].set_index(["game_key", "player_id", "system"])
    total = parts["player_points"] + parts["player_rebounds"] + parts["player_assists"]
    both = models["predicted_points"].dropna().index.intersection(total.dropna().index)
    assert len(both) > 200
    np.testing.assert_allclose(models.loc[both, "predicted_points"], total.loc[both], rtol=1e-9)
    p = models["p_over_raw"].dropna()
    assert ((p > 0) & (p < 1)).all()
    # P(over) is the NB1 of that mean and variance (scipy, not the module's own code)
    r = models.loc[both].iloc[:50]
    mu, var = r["predicted_points"].to_numpy(), r["predicted_sd"].to_numpy() ** 2
    phi = var / np.maximum(mu, 1.0)
    expect = nbinom.sf(np.floor(r["line"].to_numpy()), mu / (phi - 1), 1 / phi)
    np.testing.assert_allclose(r["p_over_raw"].to_numpy(), expect, rtol=1e-9)
    # the parts move together before the date (more minutes, more of each): PRA's variance
    # is more than the sum of the parts' (the factor fitted on the year before the date)
    assert 1.0 < predictor.inflation < 2.0
    single = Prediction(np.array([10.0]), np.array([3.0]))
    assert part_inflation([], D) == 1.0
    assert p_over(single, np.array([9.5]), distribution="count")[0] == pytest.approx(
        count_sf(np.array([9.5]), np.array([10.0]), np.array([9.0]))[0]
    )


def test_summary_scores_p_over_beside_the_market_on_the_same_rows(threes: PublicFrames) -> None:
    graded, _ = run_walk_forward(threes.box, threes.props, _days(threes), predictor=_quick("player_threes"))
    s = summarise_systems(graded)
    line, l10 = s["line"], s["l10"]
    assert line["brier_same_rows"] == line["brier_market"]  # the line's P(over) is the market's
    g = graded[(graded["system"] == "l10")].dropna(subset=["p_over", "market_p_over", "went_over"])
    assert l10["n_brier"] == len(g)
    assert l10["brier_market"] == pytest.approx(((g["market_p_over"] - g["went_over"]) ** 2).mean(), abs=1e-4)
    assert l10["brier_normal"] == pytest.approx(((g["p_over_normal"] - g["went_over"]) ** 2).mean(), abs=1e-4)


def test_an_unknown_market_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InputError, match="unknown market 'player_dunks': expected one of player_points"):
        get_market("player_dunks")
