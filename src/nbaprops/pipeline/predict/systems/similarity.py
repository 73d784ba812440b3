"""Similarity system: k nearest past player-games on the standardised feature vector.

The neighbours come from the two years before the date; the prediction is
their mean points scaled by the ratio of the player's L10 to theirs (so
similar *contexts* of players of different levels can be pooled).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.features import FEATURE_SET
from nbaprops.pipeline.predict.systems.base import Prediction, estimate_phi, training_rows

__all__ = ["KNN_FEATURES", "Similarity"]

KNN_FEATURES: tuple[str, ...] = (
    "l5",
    "l10",
    "l20",
    "min_l5",
    "min_l10",
    "ppm_l10",
    "rest_days",
    "is_home",
    "opp_factor",
    "pace_factor",
)
"""The part of `features.FEATURES` the distance is measured on."""

_WEIGHTS = np.array([2.0, 2.0, 1.0, 1.5, 1.0, 1.0, 0.3, 0.3, 0.5, 0.3])


class Similarity:
    """See the module docstring."""

    name = "similarity"
    version = "1"
    feature_set = FEATURE_SET

    def __init__(self, *, k: int = 75, train_days: int = 730, max_rows: int = 60_000) -> None:
        self.k = k
        self.train_days = train_days
        self.max_rows = max_rows
        self.phi = 4.0
        self.fitted_through: dt.date | None = None
        self._nn: Any = None
        self._y = np.zeros(0)
        self._l10 = np.zeros(0)
        self._mu = np.zeros(len(KNN_FEATURES))
        self._sd = np.ones(len(KNN_FEATURES))

    def _x(self, rows: pd.DataFrame) -> np.ndarray:
        x = rows.loc[:, list(KNN_FEATURES)].to_numpy(float)
        x = np.where(np.isnan(x), self._mu, x)
        return np.asarray((x - self._mu) / self._sd * _WEIGHTS, dtype="float64")

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Index the player-games of the `train_days` before `as_of` (with 10+ games of history)."""
        from sklearn.neighbors import NearestNeighbors

        train = training_rows(history, as_of, days=self.train_days)
        train = train[train["career_games"] >= 10]
        if len(train) > self.max_rows:
            train = train.sample(n=self.max_rows, random_state=0)
        if len(train) < self.k:
            self._nn = None
            return
        raw = train.loc[:, list(KNN_FEATURES)].to_numpy(float)
        self._mu = np.nanmean(raw, axis=0)
        self._sd = np.nanstd(raw, axis=0) + 1e-6
        self._nn = NearestNeighbors(n_neighbors=self.k).fit(self._x(train))
        self._y = train["points"].to_numpy(float)
        self._l10 = train["l10"].to_numpy(float)
        probe = train.sample(n=min(len(train), 3000), random_state=1)
        self.phi = estimate_phi(probe["points"].to_numpy(float), self._knn_mean(probe))
        self.fitted_through = as_of - dt.timedelta(days=1)

    def _knn_mean(self, rows: pd.DataFrame) -> np.ndarray:
        if self._nn is None or not len(rows):
            return np.full(len(rows), np.nan)
        _, idx = self._nn.kneighbors(self._x(rows))
        ratio = rows["l10"].to_numpy(float)[:, None] / np.maximum(self._l10[idx], 1.0)
        scaled = self._y[idx] * np.clip(ratio, 0.25, 4.0)
        out = scaled.mean(axis=1)
        return np.where(rows["l10"].isna().to_numpy(), np.nan, out)

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """Mean (level-scaled) points of the k nearest past player-games."""
        return Prediction.from_mean(self._knn_mean(rows), self.phi)
