"""Market probabilities, consensus, line shopping, bad prices and the blend, on real lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nbaprops.pipeline.predict.pricing import (
    FLAGS,
    MarketBlend,
    american_decimal,
    canonical_book,
    consensus,
    devig,
    expected_value,
    price_flags,
    shop,
)

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "nba"
KEY = ["game_key", "player_name_norm"]


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    p = pd.read_parquet(DATA / "props_points.parquet")
    return p[p["game_date"] <= pd.Timestamp("2025-10-25")].reset_index(drop=True)


def _implied(odds: float) -> float:
    """The textbook implied probability of American odds, written out for the test."""
    return -odds / (-odds + 100) if odds < 0 else 100 / (odds + 100)


def test_devig_sums_to_one_per_book_row_and_matches_the_formula(points: pd.DataFrame) -> None:
    for method in ("multiplicative", "power"):
        p_over = devig(points["over_odds"], points["under_odds"], method)  # type: ignore[arg-type]
        p_under = devig(points["under_odds"], points["over_odds"], method)  # type: ignore[arg-type]
        assert np.isfinite(p_over).all()
        np.testing.assert_allclose(p_over + p_under, 1.0, atol=1e-9)
    row = points.iloc[0]
    io, iu = _implied(row["over_odds"]), _implied(row["under_odds"])
    assert devig(row["over_odds"], row["under_odds"])[0] == pytest.approx(io / (io + iu))
    # power: both sides raised to one k; the favourite is shaded less than under multiplicative
    k = np.log(devig(row["over_odds"], row["under_odds"], "power")[0]) / np.log(io)
    assert io**k + iu**k == pytest.approx(1.0, abs=1e-9)


def test_consensus_is_the_most_offered_line_and_the_mean_fair_probability(points: pd.DataFrame) -> None:
    got = consensus(points, KEY).set_index(KEY)
    prim = points[points["is_primary_line"]]
    counts = prim.groupby([*KEY, "line"])["bookmaker"].nunique()
    some = counts[counts.groupby(level=[0, 1]).transform("size") >= 2].index.droplevel(2).unique()[:20]
    assert len(some) >= 5  # real player-games where the books disagree on the line
    for k in some:
        c = counts.loc[k]
        top = c[c == c.max()].index.min()  # most books, ties to the lower line
        assert got.loc[k, "line"] == top
        at = prim[(prim["game_key"] == k[0]) & (prim["player_name_norm"] == k[1]) & (prim["line"] == top)]
        fair = [
            _implied(o) / (_implied(o) + _implied(u))
            for o, u in zip(at["over_odds"], at["under_odds"], strict=True)
        ]
        assert got.loc[k, "market_p_over"] == pytest.approx(np.mean(fair))
        assert got.loc[k, "n_books"] == at["bookmaker"].nunique()


def test_best_price_at_one_line_picks_the_book_with_the_best_price(points: pd.DataFrame) -> None:
    prim = points[points["is_primary_line"]]
    per = prim.groupby([*KEY, "line"])
    # a real row: several books at one line, one of them alone at the best over price
    found = None
    for _k, g in per:
        if g["bookmaker"].nunique() >= 4 and (g["over_odds"] == g["over_odds"].max()).sum() == 1:
            found = g
            break
    assert found is not None
    cand = found.assign(p_over=0.5)  # one probability at one line: price alone decides
    best = shop(cand, KEY, "OVER")
    assert len(best) == 1
    top = found.loc[found["over_odds"].idxmax()]
    assert (best["bookmaker"][0], best["odds"][0]) == (top["bookmaker"], top["over_odds"])
    assert best["ev"][0] == pytest.approx(0.5 * (american_decimal(top["over_odds"])[0] - 1) - 0.5)


def test_shopping_across_numbers_maximises_ev_at_each_books_own_line(points: pd.DataFrame) -> None:
    """Alternates included: the pick is the quote of best EV from P(over) at its own line."""
    from scipy.stats import norm

    lines = points.groupby(KEY)["line"].nunique()
    k = lines[lines >= 3].index[0]  # a real player-game with three or more numbers on offer
    q = points[(points["game_key"] == k[0]) & (points["player_name_norm"] == k[1])]
    mean = float(q["line"].median()) + 1.0
    cand = q.assign(p_over=norm.sf(q["line"], loc=mean, scale=5.0))
    for side in ("OVER", "UNDER"):
        best = shop(cand, KEY, side)
        odds = cand["over_odds"] if side == "OVER" else cand["under_odds"]
        p = cand["p_over"] if side == "OVER" else 1 - cand["p_over"]
        ev = [pi * (american_decimal(o)[0] - 1) - (1 - pi) for pi, o in zip(p, odds, strict=True)]
        assert best["ev"][0] == pytest.approx(max(ev))
        i = int(np.argmax(ev))
        assert (best["line"][0], best["odds"][0]) == (cand["line"].iloc[i], odds.iloc[i])


def test_equal_ev_goes_to_the_better_number() -> None:
    """A lower over line beats a higher one at equal EV (and a higher under line the reverse)."""
    two = pd.DataFrame(
        {"k": ["a", "a"], "bookmaker": ["fanduel", "draftkings"], "line": [20.5, 21.5],
         "over_odds": [-110.0, -110.0], "under_odds": [-110.0, -110.0], "p_over": [0.55, 0.55]}
    )  # fmt: skip
    assert shop(two, ["k"], "OVER")["line"][0] == 20.5
    assert shop(two.assign(p_over=0.45), ["k"], "UNDER")["line"][0] == 21.5


@pytest.mark.parametrize(
    ("over", "under", "line", "book", "market", "flag"),
    [
        (0.0, -110.0, 20.5, "fanduel", "player_points", "bad price"),
        (-50.0, -110.0, 20.5, "fanduel", "player_points", "bad price"),
        (99.0, -110.0, 20.5, "fanduel", "player_points", "bad price"),
        (-110.0, float("nan"), 20.5, "fanduel", "player_points", "no price"),
        (-110.0, -110.0, "twenty", "fanduel", "player_points", "bad line"),
        (-110.0, -110.0, float("inf"), "fanduel", "player_points", "bad line"),
        (-110.0, -110.0, 20.5, "mybook", "player_points", "unknown book"),
        (-110.0, -110.0, 20.5, "fanduel", "player_dunks", "unknown market"),
        (-100.0, 100.0, 20.5, "FanDuel", "player_points", None),
    ],
)
def test_bad_quotes_are_flagged_and_never_priced(
    over: float, under: float, line: object, book: str, market: str, flag: str | None
) -> None:
    q = pd.DataFrame(
        {"k": ["a"], "bookmaker": [book], "market": [market], "line": [line], "over_odds": [over],
         "under_odds": [under], "p_over": [0.6], "is_primary_line": [True]}
    )  # fmt: skip
    assert price_flags(q).tolist() == [flag]
    assert flag is None or flag in FLAGS
    if flag is None:
        assert len(shop(q, ["k"], "OVER")) == 1
        return
    assert shop(q, ["k"], "OVER").empty  # a flagged quote is never a price
    assert consensus(q, ["k"]).empty
    if flag == "bad price":
        assert np.isnan(american_decimal(over)[0]) and np.isnan(expected_value(0.6, over)[0])


def test_real_one_sided_markets_are_flagged() -> None:
    """Double-double lines in the archive are 'yes' prices only: no two-way de-vig is possible."""
    o = pd.read_parquet(
        DATA / "props_other_markets.parquet", filters=[("market", "=", "player_double_double")]
    )
    flags = price_flags(o.head(200))
    assert set(flags) <= {"bad line", "no price"} and len(flags) == 200


def test_archive_book_titles_resolve_to_keys() -> None:
    o = pd.read_parquet(DATA / "props_other_markets.parquet", columns=["bookmaker"])
    books = o["bookmaker"].unique()
    assert all(canonical_book(b) is not None for b in books), [b for b in books if canonical_book(b) is None]
    assert canonical_book("caesars") == "williamhill_us" and canonical_book(None) is None


def test_blend_fits_only_on_earlier_rows_and_keeps_the_prior_until_enough() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    days = pd.to_datetime("2025-10-21") + pd.to_timedelta(rng.integers(0, 20, n), "D")
    p_mkt = rng.uniform(0.3, 0.7, n)
    went = (rng.uniform(size=n) < p_mkt).astype(float)  # outcomes follow the market, the model is noise
    g = pd.DataFrame(
        {
            "system": "m",
            "game_date": days,
            "p_model": rng.uniform(0.2, 0.8, n),
            "p_market": p_mkt,
            "went_over": went,
        }
    )
    b = MarketBlend(min_rows=300)
    b.fit(g, dt.date(2025, 10, 21))
    assert b.weights == {}  # nothing before the first date: the prior
    assert b.apply("m", [0.7], [0.5])[0] == pytest.approx(1 / (1 + np.exp(-0.5 * np.log(0.7 / 0.3))))
    b.fit(g, dt.date(2025, 11, 9))
    a, wm, wk = b.weights["m"]
    assert b.fitted_on["m"] == int((g["game_date"] < "2025-11-09").sum())
    assert abs(wm) < 0.3 < wk  # the market carries the information, the noise model next to none
    later = g.assign(went_over=np.where(g["game_date"] >= "2025-11-09", 1.0 - g["went_over"], g["went_over"]))
    b2 = MarketBlend(min_rows=300)
    b2.fit(later, dt.date(2025, 11, 9))
    assert b2.weights["m"] == (a, wm, wk)  # scrambling rows dated on or after the date changes nothing


@pytest.mark.parametrize("odds", [0.0, -50.0, 99.0, float("nan")])
def test_a_bad_price_is_never_a_bet(odds: float) -> None:
    """Odds of 0 or inside (-100, +100) used to price as 100/|odds|: now NaN, so the call is a PASS."""
    from nbaprops.pipeline.predict.lines import american_payout, implied_probability
    from nbaprops.pipeline.predict.recommend import recommend

    assert np.isnan(american_payout(odds)) and np.isnan(implied_probability(np.array([odds]))[0])
    c = recommend(
        np.array([30.0]), np.array([20.5]), np.array([0.9]), np.array([odds]), np.array([-110.0]),
        edge=2.0, history_games=np.array([50.0]),
    )  # fmt: skip
    assert c.recommendation.tolist() == ["PASS"] and np.isnan(c.ev[0])
    assert american_payout(-110.0) == pytest.approx(100 / 110) and american_payout(150.0) == pytest.approx(
        1.5
    )
