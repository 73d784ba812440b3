"""Matchup system: the player's recent scoring against what the opponent allows, pace-adjusted.

    mean = base * (1 + b_opp * (opp_factor - 1) + b_pace * (pace_factor - 1) + b_min * min_trend / min_l10)

``base`` is the player's recent scoring (0.5 L5 + 0.3 L10 + 0.2 season, last
season's mean standing in before this season's first games); ``opp_factor`` is
the points the opponent allowed per game over its last 15 games against the
league's points per team-game, ``pace_factor`` the two teams' game totals
against the league's.  The three coefficients are fitted by least squares on
the year before the date.  The data has no shot-zone split and has 2s/3s/FTs
only from 2024-25 on (partly), so the profile is points-level; see
docs/evaluation.md.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.features import FEATURE_SET
from nbaprops.pipeline.predict.systems.base import Prediction, estimate_phi, training_rows

__all__ = ["Matchup", "recent_base"]


def recent_base(rows: pd.DataFrame) -> np.ndarray:
    """0.5 L5 + 0.3 L10 + 0.2 season mean (last season's mean when this season has none)."""
    season = rows["season_mean"].fillna(rows["prev_season_mean"]).fillna(rows["l20"])
    base = 0.5 * rows["l5"] + 0.3 * rows["l10"] + 0.2 * season
    return np.asarray(base.to_numpy(float), dtype="float64")


def _design(rows: pd.DataFrame, base: np.ndarray) -> np.ndarray:
    opp = np.nan_to_num(rows["opp_factor"].to_numpy(float) - 1.0)
    pace = np.nan_to_num(rows["pace_factor"].to_numpy(float) - 1.0)
    mins = rows["min_l10"].to_numpy(float)
    trend = np.nan_to_num(rows["min_trend"].to_numpy(float) / np.where(mins > 0, mins, np.nan))
    return np.column_stack([base * opp, base * pace, base * np.clip(trend, -1, 1)])


class Matchup:
    """See the module docstring."""

    name = "matchup"
    version = "1"
    feature_set = FEATURE_SET

    def __init__(self, *, train_days: int = 365) -> None:
        self.train_days = train_days
        self.coef = np.zeros(3)
        self.phi = 4.0
        self.fitted_through: dt.date | None = None

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Least squares of (points - base) on the three adjustments, rows before `as_of`."""
        train = training_rows(history, as_of, days=self.train_days)
        base = recent_base(train)
        ok = ~np.isnan(base) & (train["career_games"].to_numpy(float) >= 5)
        self.coef = np.zeros(3)  # too few rows: no adjustment (never an earlier fit's coefficients)
        if ok.sum() >= 500:
            x = _design(train, base)[ok]
            y = (train["points"].to_numpy(float) - base)[ok]
            self.coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        self.phi = estimate_phi(train["points"].to_numpy(float), self._mean(train))
        self.fitted_through = as_of - dt.timedelta(days=1)

    def _mean(self, rows: pd.DataFrame) -> np.ndarray:
        base = recent_base(rows)
        return np.maximum(base + _design(rows, base) @ self.coef, 0.0)

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """The adjusted recent scoring."""
        return Prediction.from_mean(self._mean(rows), self.phi)
