"""OVER / UNDER / PASS from a calibrated P(over), the edge and the offered prices.

A bet is recommended only when |prediction - line| >= the edge (Settings.edge,
default 2 points) **and** its expected value at the book's American price is
positive.  Every PASS carries the first reason that applies, in this order:
``no line``, ``insufficient history``, ``small edge``, ``systems disagree``,
``negative EV``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nbaprops.pipeline.predict.lines import american_payout

__all__ = ["MIN_CAREER_GAMES", "REASONS", "Calls", "expected_value", "recommend"]

MIN_CAREER_GAMES = 3
"""Games of history (any season) a player needs before any call is made."""

REASONS = ("no line", "insufficient history", "small edge", "systems disagree", "negative EV")


def expected_value(p_win: np.ndarray, odds: np.ndarray) -> np.ndarray:
    """Expected profit per unit staked: p * payout - (1 - p)."""
    return np.asarray(p_win * american_payout(odds) - (1.0 - p_win), dtype="float64")


@dataclass(frozen=True)
class Calls:
    """Recommendations for a batch of rows."""

    recommendation: np.ndarray
    reason: np.ndarray
    ev: np.ndarray


def recommend(
    pred: np.ndarray,
    line: np.ndarray,
    p_over: np.ndarray,
    over_odds: np.ndarray,
    under_odds: np.ndarray,
    *,
    edge: float,
    history_games: np.ndarray,
    disagree: np.ndarray | None = None,
) -> Calls:
    """Vectorised calls; see the module docstring.

    Args:
        pred: point estimates (NaN: none).
        line: the lines (NaN: none).
        p_over: calibrated P(points > line).
        over_odds: American price of the over.
        under_odds: American price of the under.
        edge: minimum |pred - line|.
        history_games: games of history per row.
        disagree: rows where the systems behind an ensemble disagree on the side.
    """
    n = len(pred)
    diff = pred - line
    side_over = diff > 0
    ev_over = expected_value(p_over, over_odds)
    ev_under = expected_value(1.0 - p_over, under_odds)
    ev = np.where(side_over, ev_over, ev_under)
    rec = np.where(side_over, "OVER", "UNDER").astype(object)
    reason = np.full(n, None, dtype=object)
    dis = np.zeros(n, bool) if disagree is None else np.asarray(disagree, bool)
    checks = (
        ("no line", np.isnan(line)),
        ("insufficient history", np.isnan(pred) | (np.nan_to_num(history_games) < MIN_CAREER_GAMES)),
        ("small edge", np.abs(np.nan_to_num(diff)) < edge),
        ("systems disagree", dis),
        ("negative EV", ~(np.nan_to_num(ev, nan=-1.0) > 0)),
    )
    for why, mask in checks:
        new = mask & (reason == None)  # noqa: E711  (object array comparison)
        reason[new] = why
    rec[reason != None] = "PASS"  # noqa: E711
    return Calls(rec, reason, np.where(np.isnan(line) | np.isnan(pred), np.nan, ev))
