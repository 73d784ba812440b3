"""Stake sizing: fractional Kelly, capped per bet and per day, and a bankroll simulation.

Kelly: with decimal odds ``d`` (``b = d - 1`` profit per unit) and win probability ``p``, the
growth-optimal share of the bankroll is ``f* = (b·p - (1 - p)) / b``, 0 when negative.  A stake
is ``fraction · f* · bankroll``, at most ``max_bet · bankroll``; when a day's stakes add up to more
than ``max_day · bankroll`` they are all scaled down by the same factor.  The bankroll a day's
stakes are sized from is the one at the start of that day (its bets are simultaneous); a PUSH or a
VOID returns the stake.  Flat staking puts ``flat_stake`` units on every bet (never more than the
bankroll left).  A bet whose price is not a valid American price is not staked and is counted
(``flagged``), never priced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nbaprops.core.config import StakingSettings
from nbaprops.pipeline.predict.pricing import american_decimal

__all__ = ["BankrollResult", "day_stakes", "kelly_fraction", "simulate_bankroll"]


def kelly_fraction(p_win: Any, odds: Any) -> np.ndarray:
    """Full-Kelly share of the bankroll per bet (0 when the bet has no edge; NaN: bad price or p)."""
    p = np.asarray(p_win, dtype="float64")
    b = american_decimal(odds) - 1.0
    f = (b * p - (1.0 - p)) / b
    return np.asarray(np.where(np.isfinite(f), np.maximum(f, 0.0), np.nan), dtype="float64")


def day_stakes(p_win: Any, odds: Any, bankroll: float, cfg: StakingSettings) -> np.ndarray:
    """Stakes (units) of one day's bets from the bankroll at the day's start (NaN: not stakeable)."""
    f = kelly_fraction(p_win, odds)
    stake = np.minimum(cfg.kelly_fraction * f, cfg.max_bet) * bankroll
    total = float(np.nansum(stake))
    cap = cfg.max_day * bankroll
    if total > cap > 0:
        stake = stake * (cap / total)
    return np.asarray(stake, dtype="float64")


@dataclass(frozen=True)
class BankrollResult:
    """One staking plan over a sequence of graded bets."""

    strategy: str
    start: float
    final: float
    max_drawdown: float
    """Largest fall from a running peak of the end-of-day bankroll, as a share of that peak."""
    n_bets: int
    """Bets with a stake > 0."""
    staked: float
    roi: float | None
    """Profit per unit staked."""
    flagged: int
    """Bets not staked because their price is invalid."""

    def to_json(self) -> dict[str, Any]:
        """Rounded for reports."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def simulate_bankroll(
    bets: pd.DataFrame, cfg: StakingSettings, strategy: Literal["kelly", "flat"] = "kelly"
) -> BankrollResult:
    """Replay graded bets day by day under a staking plan.

    Args:
        bets: ``game_date, p_win`` (the calibrated probability of the side taken), ``odds``
            (American, of the side taken) and ``result`` (WIN / LOSS / PUSH / VOID).
        cfg: bankroll, Kelly fraction and caps.
        strategy: ``kelly`` (fractional, capped) or ``flat`` (``cfg.flat_stake`` units a bet).
    """
    bank = peak = cfg.bankroll
    drawdown = staked = profit = 0.0
    n = flagged = 0
    if bets.empty:
        return BankrollResult(strategy, cfg.bankroll, bank, 0.0, 0, 0.0, None, 0)
    dec = american_decimal(bets["odds"])
    ok = np.isfinite(dec)
    flagged = int((~ok).sum())
    b = bets.assign(_dec=dec)[ok].sort_values("game_date", kind="stable")
    for _, day in b.groupby("game_date", sort=True):
        if bank <= 0:
            break
        if strategy == "kelly":
            stake = np.nan_to_num(day_stakes(day["p_win"], day["odds"], bank, cfg))
        else:
            stake = np.full(len(day), cfg.flat_stake)
            if stake.sum() > bank:
                stake = stake * (bank / stake.sum())
        res = day["result"].to_numpy()
        gain = np.where(res == "WIN", stake * (day["_dec"].to_numpy() - 1.0), 0.0)
        gain = np.where(res == "LOSS", -stake, gain)
        n += int((stake > 0).sum())
        staked += float(stake.sum())
        profit += float(gain.sum())
        bank += float(gain.sum())
        peak = max(peak, bank)
        drawdown = max(drawdown, (peak - bank) / peak)
    roi = profit / staked if staked > 0 else None
    return BankrollResult(strategy, cfg.bankroll, bank, drawdown, n, staked, roi, flagged)
