"""Leakage: nothing dated on or after a prediction date can reach its predictions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from _support import DATA
from nbaprops.pipeline.predict.calibration import Calibrator
from nbaprops.pipeline.predict.data import PublicFrames, game_rows
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.features import ALL_FEATURES, build_features
from nbaprops.pipeline.predict.minutes import STATS
from nbaprops.pipeline.predict.systems import LightGBMSystem, Matchup, MovingAverage, Similarity
from nbaprops.pipeline.predict.systems.minutes_rate import MinutesRate
from nbaprops.pipeline.predict.walk_forward import run_walk_forward

D = dt.date(2025, 11, 4)
LINES_DAY = dt.date(2024, 11, 6)
"""A date the archive has game lines for (they stop on 2024-11-15)."""


def _gbm() -> LightGBMSystem:
    return LightGBMSystem(train_days=150)


class Spy:
    """Wraps a system and records the latest date of every row its fit was given."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = inner.name  # type: ignore[attr-defined]
        self.version = inner.version  # type: ignore[attr-defined]
        self.feature_set = inner.feature_set  # type: ignore[attr-defined]
        self.seen_max: pd.Timestamp | None = None

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        self.seen_max = history["game_date"].max()
        self.inner.fit(history, as_of)  # type: ignore[attr-defined]

    def predict(self, rows: pd.DataFrame) -> object:
        return self.inner.predict(rows)  # type: ignore[attr-defined]


def _future_scrambled(box: pd.DataFrame, day: dt.date, *, drop: float = 0.0) -> pd.DataFrame:
    """Every box score on or after `day` changed (points, minutes, every stat), earlier rows
    untouched; with `drop`, that share of the rows dated after `day` removed (who played)."""
    out = box.copy()
    late = out["game_date"] >= pd.Timestamp(day)
    rng = np.random.default_rng(3)
    out["points"] = out["points"].astype("float64")
    out["minutes"] = out["minutes"].astype("float64")
    out.loc[late, "points"] = rng.integers(0, 60, late.sum()).astype("float64")
    out.loc[late, "minutes"] = rng.integers(0, 48, late.sum()).astype("float64")
    for s in ("reb", "ast", "fg3m", "stl", "blk"):
        out[s] = out[s].astype("float64")
        out.loc[late, s] = rng.integers(0, 15, late.sum()).astype("float64")
    if drop:
        after = out["game_date"] > pd.Timestamp(day)
        gone = after & (rng.uniform(size=len(out)) < drop)
        out = out.loc[~gone]
    return out


def _rows_of(feats: pd.DataFrame, day: dt.date, names: tuple[str, ...] = ALL_FEATURES) -> pd.DataFrame:
    key = ["player_id", "game_date"]
    f = feats[feats["game_date"] == pd.Timestamp(day)].sort_values(key)
    return f[[*key, *names]].reset_index(drop=True)


@pytest.fixture(scope="module")
def feats(box: pd.DataFrame) -> pd.DataFrame:
    """The features of every box-score row (built once for the module)."""
    return build_features(game_rows(box))


def test_features_of_a_date_ignore_rows_on_or_after_it(box: pd.DataFrame, feats: pd.DataFrame) -> None:
    a = feats
    b = build_features(game_rows(_future_scrambled(box, D, drop=0.3)))
    fa, fb = _rows_of(a, D), _rows_of(b, D)
    assert len(fa) > 100
    pd.testing.assert_frame_equal(fa, fb)
    # the minutes-first features are there and vary (the test could fail); threes need counts
    for name in ("exp_minutes", "tm_out_minutes", *(f"exp_{s}" for s in STATS)):
        assert fa[name].notna().mean() > (0.5 if name == "exp_fg3m" else 0.8), name
        assert fa[name].nunique() > 5, name
    assert (fa["teammates_out"] > 0).any()


def _game_lines() -> pd.DataFrame:
    lines = pd.read_parquet(
        DATA / "game_lines.parquet", columns=["game_date", "game_key", "total", "home_spread"]
    )
    lines["game_date"] = pd.to_datetime(lines["game_date"])
    return lines


def test_game_lines_after_a_date_do_not_reach_its_features_and_its_own_do(box: pd.DataFrame) -> None:
    lines = _game_lines()
    later = lines["game_date"] > pd.Timestamp(LINES_DAY)
    scrambled = lines.copy()
    scrambled.loc[later, "total"] = 150.0
    scrambled.loc[later, "home_spread"] = -30.0
    hist = box[
        (box["game_date"] <= pd.Timestamp(LINES_DAY) + pd.Timedelta(days=20)) & (box["season"] >= "2023-24")
    ]
    a = _rows_of(build_features(game_rows(hist), game_lines=lines), LINES_DAY)
    b = _rows_of(build_features(game_rows(hist), game_lines=scrambled), LINES_DAY)
    assert len(a) > 100
    pd.testing.assert_frame_equal(a, b)
    assert a["game_total"].notna().all() and a["abs_spread"].notna().all()
    # the date's own (pre-game) line is a feature: changing it changes the row
    own = lines.copy()
    own.loc[own["game_date"] == pd.Timestamp(LINES_DAY), "home_spread"] = 25.0
    c = _rows_of(build_features(game_rows(hist), game_lines=own), LINES_DAY)
    assert not np.allclose(a["abs_spread"], c["abs_spread"])


def test_who_is_out_follows_the_rule_on_a_real_date(box: pd.DataFrame, feats: pd.DataFrame) -> None:
    """The archive rule: absent from the team's latest game, played one of its last 10."""
    day = feats[feats["game_date"] == pd.Timestamp(D)]
    before = box[
        (box["game_date"] < pd.Timestamp(D)) & (box["game_date"] >= pd.Timestamp(D) - pd.Timedelta(days=60))
    ]
    team = day.sort_values("tm_out_minutes").iloc[-1]["team"]
    games = before[before["team"] == team].groupby("game_date").size().sort_index()
    last, window = games.index[-1], games.index[-10:]
    t = before[before["team"] == team]
    recent = set(t[t["game_date"].isin(window)]["player_id"])
    in_last = set(t[t["game_date"] == last]["player_id"])
    moved = set(before[(before["team"] != team) & (before["game_date"] > window[0])]["player_id"])
    earlier = box[box["game_date"] < pd.Timestamp(D)].sort_values("game_date")
    means = earlier.groupby("player_id").tail(10).groupby("player_id")["minutes"].mean()  # any season
    expected = {p for p in recent - in_last - moved if means.get(p, 0) >= 10}
    row = day[day["team"] == team].iloc[0]
    self_out = row["player_id"] in expected
    assert row["teammates_out"] == len(expected) - self_out
    assert len(expected) >= 1


def test_models_fitted_as_of_d_saw_no_row_dated_d_or_later(public: PublicFrames) -> None:
    spies = [Spy(MovingAverage()), Spy(Matchup()), Spy(Similarity(train_days=150)), Spy(_gbm())]
    predictor = DayPredictor(systems=spies)  # type: ignore[arg-type]
    run_walk_forward(public.box, public.props, [D], predictor=predictor)
    for spy in spies:
        assert spy.seen_max is not None
        assert spy.seen_max < pd.Timestamp(D), spy.name
    gbm = spies[3].inner
    assert isinstance(gbm, LightGBMSystem)
    assert gbm.train_window is not None
    assert gbm.train_window[1] < D
    assert gbm.trained_as_of == D


def _small() -> DayPredictor:
    """Every kind of system, with short training windows to keep the test fast."""
    return DayPredictor(
        systems=[MovingAverage(), Matchup(), Similarity(train_days=150), _gbm(), MinutesRate(train_days=150)]  # type: ignore[list-item]
    )


def test_changing_box_scores_on_or_after_d_changes_no_prediction_for_d(public: PublicFrames) -> None:
    a, _ = run_walk_forward(public.box, public.props, [D], predictor=_small())
    b, _ = run_walk_forward(_future_scrambled(public.box, D, drop=0.3), public.props, [D], predictor=_small())
    cols = ["game_key", "player_id", "system", "predicted_points", "p_over", "recommendation", "reason"]
    key = ["game_key", "player_id", "system"]
    pa_ = a[cols].sort_values(key).reset_index(drop=True)
    pb = b[cols].sort_values(key).reset_index(drop=True)
    assert len(pa_) > 100
    assert pa_.loc[pa_["system"] == "minutes_rate", "predicted_points"].notna().sum() > 50
    pd.testing.assert_frame_equal(pa_, pb)
    # the grades do change: the scrambled actuals are different
    assert not np.allclose(
        a["actual_points"].fillna(-1).sort_values(), b["actual_points"].fillna(-1).sort_values()
    )


def _graded(days: list[dt.date], n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for d in days:
        p = rng.uniform(0.05, 0.95, n)
        rows.append(
            pd.DataFrame(
                {
                    "game_date": pd.Timestamp(d),
                    "system": "matchup",
                    "p_over_raw": p,
                    "went_over": (rng.uniform(size=n) < p).astype(float),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_calibration_is_fitted_only_on_past_predictions() -> None:
    past = _graded([D - dt.timedelta(days=i) for i in range(1, 6)], 60, seed=1)
    future = _graded([D, D + dt.timedelta(days=1)], 500, seed=2)
    future["went_over"] = 1.0 - future["went_over"]  # the future says the opposite
    with_future, only_past = Calibrator(), Calibrator()
    with_future.fit(pd.concat([past, future]), D)
    only_past.fit(past, D)
    grid = np.linspace(0.05, 0.95, 19)
    np.testing.assert_array_equal(with_future.apply("matchup", grid), only_past.apply("matchup", grid))
    n, last = with_future.fitted_on["matchup"]
    assert n == len(past)
    assert last is not None and last < D


@pytest.mark.parametrize("days", [0, 1])
def test_calibration_without_enough_past_rows_passes_raw_probabilities(days: int) -> None:
    cal = Calibrator()
    cal.fit(_graded([D - dt.timedelta(days=1)], 10, seed=days), D)
    p = np.array([0.2, 0.7])
    np.testing.assert_array_equal(cal.apply("matchup", p), p)


_STATS = ("points", "pts", "reb", "ast", "fg3m", "stl", "blk", "minutes")


def _everything_scrambled(f: PublicFrames, day: dt.date) -> PublicFrames:
    """Every stat of every box row on or after `day` and every line after it changed."""
    box = f.box.copy()
    late = box["game_date"] >= pd.Timestamp(day)
    rng = np.random.default_rng(5)
    for c in _STATS:
        known = late & box[c].notna()  # a stat the box does not hold stays unknown
        box[c] = box[c].astype("float64")
        box.loc[known, c] = rng.integers(0, 40, known.sum()).astype("float64")
    props = f.props.copy()
    later = props["game_date"] > pd.Timestamp(day)
    props.loc[later, "line"] = props.loc[later, "line"] + rng.integers(-5, 5, later.sum())
    props.loc[later, "over_odds"] = -props.loc[later, "over_odds"]
    return PublicFrames(box=box, games=f.games, props=props)


@pytest.mark.parametrize(
    "market",
    [
        "player_points",
        "player_rebounds",
        "player_assists",
        "player_threes",
        "player_points_rebounds_assists",
        "player_steals",
        "player_blocks",
    ],
)
def test_scrambling_everything_on_or_after_d_changes_no_prediction_for_d_in_any_market(market: str) -> None:
    from nbaprops.pipeline.predict.market_data import load_market
    from nbaprops.pipeline.predict.markets import get_market

    from .conftest import DATA

    m = get_market(market)
    full = load_market(DATA, m, D, D + dt.timedelta(days=2))
    recent = full.box[full.box["game_date"] >= pd.Timestamp("2024-06-01")].reset_index(drop=True)
    f = PublicFrames(box=recent, games=full.games, props=full.props)

    def walk(frames: PublicFrames) -> pd.DataFrame:
        systems = [MovingAverage(), Matchup(), Similarity(train_days=60)]
        if market == "player_threes":
            systems.append(_gbm())
        predictor = DayPredictor(systems=systems, market=m, edge=m.edge)  # type: ignore[arg-type]
        graded, _ = run_walk_forward(frames.box, frames.props, [D], predictor=predictor)
        return graded

    a, b = walk(f), walk(_everything_scrambled(f, D))
    cols = ["market", "game_key", "player_id", "system", "predicted_points", "p_over", "p_over_normal"]
    cols += ["recommendation", "reason"]
    key = ["game_key", "player_id", "system"]
    pa_ = a[cols].sort_values(key).reset_index(drop=True)
    pb = b[cols].sort_values(key).reset_index(drop=True)
    assert len(pa_) > 50
    pd.testing.assert_frame_equal(pa_, pb)
    assert not np.array_equal(a["actual_points"].sort_values(), b["actual_points"].sort_values())
