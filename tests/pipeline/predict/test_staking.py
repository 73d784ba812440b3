"""Fractional Kelly, its caps, and the bankroll simulation over real graded rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nbaprops.core.config import Settings, StakingSettings
from nbaprops.core.errors import ConfigError
from nbaprops.pipeline.predict.data import PublicFrames, lines_for
from nbaprops.pipeline.predict.grading import grade
from nbaprops.pipeline.predict.staking import day_stakes, kelly_fraction, simulate_bankroll


def test_kelly_matches_the_formula_for_a_negative_and_a_positive_price() -> None:
    for p, odds in ((0.56, -110.0), (0.45, 130.0), (0.6, -150.0)):
        b = 100.0 / -odds if odds < 0 else odds / 100.0  # profit per unit if the bet wins
        expected = max(0.0, (b * p - (1 - p)) / b)
        assert kelly_fraction(p, odds)[0] == pytest.approx(expected)
    assert kelly_fraction(0.5, -110.0)[0] == 0.0  # no edge, no stake
    assert np.isnan(kelly_fraction(0.6, 0.0)[0]) and np.isnan(kelly_fraction(0.6, -50.0)[0])  # bad price


def test_stakes_respect_the_per_bet_and_per_day_caps() -> None:
    cfg = StakingSettings(kelly_fraction=0.5, max_bet=0.02, max_day=0.05)
    one = day_stakes([0.56], [-110.0], 200.0, cfg)
    b = 100.0 / 110.0
    assert one[0] == pytest.approx(200.0 * min(0.5 * (b * 0.56 - 0.44) / b, 0.02))
    big = day_stakes([0.9], [100.0], 200.0, cfg)
    assert big[0] == pytest.approx(0.02 * 200.0)  # capped per bet
    many = day_stakes(np.full(10, 0.9), np.full(10, 100.0), 200.0, cfg)
    assert many.sum() == pytest.approx(0.05 * 200.0)  # capped per day, scaled evenly
    assert np.allclose(many, many[0])
    with pytest.raises(ConfigError, match="max_day"):
        Settings(staking={"max_bet": 0.2, "max_day": 0.1})


@pytest.fixture(scope="module")
def real_bets(public: PublicFrames) -> pd.DataFrame:
    """Real consensus lines of three dates, called by the player's earlier average, graded by the rule."""
    box, props = public.box, public.props
    lines = lines_for(props, box)
    rows = []
    for day, g in lines.groupby("game_date"):
        past = box[box["game_date"] < day].groupby("player_id")["points"].mean()
        rows.append(g.assign(predicted_points=g["player_id"].map(past)))
    preds = pd.concat(rows).dropna(subset=["predicted_points"])
    over = preds["predicted_points"] > preds["line"]
    preds["recommendation"] = np.where(over, "OVER", "UNDER")
    graded = grade(preds, box[box["game_date"].isin(preds["game_date"].unique())])
    side_fair = np.where(over, preds["market_p_over"], 1 - preds["market_p_over"])
    return graded.assign(p_win=side_fair + 0.03)  # a modest claimed edge, so Kelly stakes something


def test_flat_bankroll_equals_the_graded_profit(real_bets: pd.DataFrame) -> None:
    cfg = StakingSettings(bankroll=10_000.0, flat_stake=1.0)
    bets = real_bets[real_bets["result"].isin(["WIN", "LOSS", "PUSH", "VOID"])]
    assert bets["game_date"].nunique() == 3 and len(bets) > 200
    res = simulate_bankroll(bets, cfg, "flat")
    assert res.final - res.start == pytest.approx(
        bets["profit"].sum()
    )  # one unit each, graded by grading.sql
    assert res.n_bets == len(bets) and res.flagged == 0


def test_kelly_bankroll_over_real_rows_is_consistent_and_capped(real_bets: pd.DataFrame) -> None:
    cfg = StakingSettings(bankroll=100.0, kelly_fraction=0.25, max_bet=0.01, max_day=0.05)
    bets = real_bets[real_bets["result"].isin(["WIN", "LOSS", "PUSH", "VOID"])]
    res = simulate_bankroll(bets, cfg, "kelly")
    assert 0 < res.n_bets <= len(bets)
    assert res.roi is not None and res.final - res.start == pytest.approx(res.roi * res.staked)
    # a day's stakes never exceed the day cap of the bankroll at its start
    bank = cfg.bankroll
    for _, day in bets.sort_values("game_date").groupby("game_date"):
        s = day_stakes(day["p_win"], day["odds"], bank, cfg)
        assert np.nansum(s) <= cfg.max_day * bank + 1e-9 and np.nanmax(s) <= cfg.max_bet * bank + 1e-9
        dec = np.where(day["odds"] > 0, day["odds"] / 100, 100 / -day["odds"])
        bank += float(
            np.nansum(np.where(day["result"] == "WIN", s * dec, np.where(day["result"] == "LOSS", -s, 0)))
        )
    assert res.final == pytest.approx(bank)
    assert 0 <= res.max_drawdown < 1


def test_a_bad_price_is_counted_not_staked(real_bets: pd.DataFrame) -> None:
    cfg = StakingSettings()
    bets = real_bets[real_bets["result"].isin(["WIN", "LOSS"])].head(30).copy()
    bets.loc[bets.index[:3], "odds"] = [0.0, -40.0, 60.0]
    res = simulate_bankroll(bets, cfg, "flat")
    assert res.flagged == 3 and res.n_bets == 27
    assert res.final - res.start == pytest.approx(bets["profit"].iloc[3:].sum())


def test_staking_settings_come_from_the_environment_and_are_range_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NBAPROPS_STAKING__KELLY_FRACTION", "0.5")
    monkeypatch.setenv("NBAPROPS_STAKING__BANKROLL", "250")
    s = Settings()
    assert (s.staking.kelly_fraction, s.staking.bankroll, s.staking.max_bet) == (0.5, 250.0, 0.02)
    monkeypatch.setenv("NBAPROPS_STAKING__KELLY_FRACTION", "1.5")
    with pytest.raises(ConfigError, match=r"staking\.kelly_fraction \(NBAPROPS_STAKING__KELLY_FRACTION\)"):
        Settings()
