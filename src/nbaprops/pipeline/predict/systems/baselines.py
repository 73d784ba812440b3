"""Baseline systems: moving average, season average, last ten, and the line itself."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.features import FEATURE_SET, MIN_GAMES
from nbaprops.pipeline.predict.systems.base import Prediction, estimate_phi, training_rows

__all__ = ["LastTen", "LineSystem", "MovingAverage", "SeasonAverage"]

_PHI_DAYS = 365
"""Residuals of the last year before the date set a baseline's spread."""


class _FormulaSystem:
    """A system whose mean is a formula of the features; `fit` only sets the spread."""

    name = "formula"
    version = "1"
    feature_set = FEATURE_SET

    def __init__(self) -> None:
        self.phi = 4.0
        self.fitted_through: dt.date | None = None

    def mean(self, rows: pd.DataFrame) -> np.ndarray:
        """The point estimate (NaN where the formula has no value)."""
        raise NotImplementedError

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Estimate the spread from this formula's residuals before `as_of`."""
        train = training_rows(history, as_of, days=_PHI_DAYS)
        self.phi = estimate_phi(train["points"].to_numpy(float), self.mean(train))
        self.fitted_through = as_of - dt.timedelta(days=1)

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """Normal(mean, sqrt(phi * mean)) per row."""
        return Prediction.from_mean(self.mean(rows), self.phi)


class MovingAverage(_FormulaSystem):
    """0.5 * L5 + 0.3 * L10 + 0.2 * season average, this season's games only.

    Same definition as ``predictions.sql``: the windows count this season's games
    before the date, and a player needs `MIN_GAMES` of them.
    """

    name = "moving_average"

    def mean(self, rows: pd.DataFrame) -> np.ndarray:
        """The moving average, NaN below `MIN_GAMES` season games."""
        n = rows["season_games"].to_numpy(float)
        # windows restricted to this season: with n < 10 season games the last-10
        # window (any season) would reach into last season, so use the season mean
        l5 = np.where(n >= 5, rows["l5"], rows["season_mean"])
        l10 = np.where(n >= 10, rows["l10"], rows["season_mean"])
        # with 5 <= n < 10 the season mean is the mean of all n games, as in SQL
        ma = 0.5 * l5 + 0.3 * l10 + 0.2 * rows["season_mean"].to_numpy(float)
        return np.where(n >= MIN_GAMES, ma, np.nan)


class SeasonAverage(_FormulaSystem):
    """This season's mean before the date; last season's mean before the first game."""

    name = "season_average"

    def mean(self, rows: pd.DataFrame) -> np.ndarray:
        """Season mean with last season as the fallback."""
        return np.asarray(rows["season_mean"].fillna(rows["prev_season_mean"]), dtype="float64")


class LastTen(_FormulaSystem):
    """Mean of the last ten games, across seasons."""

    name = "l10"

    def mean(self, rows: pd.DataFrame) -> np.ndarray:
        """The L10 mean."""
        return np.asarray(rows["l10"], dtype="float64")


class LineSystem(_FormulaSystem):
    """The consensus line as a points estimate; P(over) from the book's de-vigged price."""

    name = "line"

    def mean(self, rows: pd.DataFrame) -> np.ndarray:
        """The line itself."""
        return np.asarray(rows["line"], dtype="float64")

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Nothing to fit: the market's own probability is used."""
        self.fitted_through = as_of - dt.timedelta(days=1)

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """Mean = line; the spread is set so that P(over) equals the de-vigged price."""
        mean = self.mean(rows)
        sd = np.full(len(rows), np.nan)
        return Prediction(mean, sd)

    @staticmethod
    def p_over(rows: pd.DataFrame) -> np.ndarray:
        """The de-vigged market P(over) (``market_p_over`` column)."""
        return np.asarray(rows["market_p_over"], dtype="float64")
