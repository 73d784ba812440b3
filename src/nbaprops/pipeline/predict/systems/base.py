"""The `PredictionSystem` protocol and the predictive distribution every system returns.

A system is fitted on history strictly before a date (``fit(history, as_of)``)
and then predicts rows of that date.  A prediction is a point estimate plus a
spread: points are modelled as Normal(mean, sd) with ``sd**2 = phi * max(mean, 1)``
(an over-dispersed Poisson variance), ``phi`` estimated by each system from its
own residuals before the date.  ``P(over line)`` follows for any line; the raw
probability is then calibrated walk-forward (see `calibration`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_PHI",
    "Prediction",
    "PredictionSystem",
    "estimate_phi",
    "normal_sf",
    "training_rows",
]

DEFAULT_PHI = 4.0
"""Variance-to-mean ratio used before a system has residuals of its own."""


def normal_sf(x: np.ndarray) -> np.ndarray:
    """Survival function of the standard Normal, vectorised."""
    from scipy.special import ndtr

    return np.asarray(ndtr(-np.asarray(x, dtype="float64")), dtype="float64")


@dataclass(frozen=True)
class Prediction:
    """Predictions for a batch of rows, aligned with the input rows.

    ``mean`` is NaN where the system cannot predict (e.g. too little history).
    """

    mean: np.ndarray
    sd: np.ndarray

    def p_over(self, line: np.ndarray | float) -> np.ndarray:
        """P(points > line) under the predictive Normal (NaN where no prediction)."""
        z = (np.asarray(line, dtype="float64") - self.mean) / self.sd
        out = normal_sf(np.nan_to_num(z))
        return np.where(np.isnan(z), np.nan, out)

    @classmethod
    def from_mean(cls, mean: np.ndarray, phi: float) -> Prediction:
        """A prediction whose spread is ``sqrt(phi * max(mean, 1))``."""
        m = np.asarray(mean, dtype="float64")
        return cls(m, np.sqrt(phi * np.maximum(np.nan_to_num(m, nan=1.0), 1.0)))


@runtime_checkable
class PredictionSystem(Protocol):
    """What every prediction system provides.

    Attributes:
        name: stable system name (the ``system`` column of predictions).
        version: bumped whenever the system's definition changes.
        feature_set: the `features.FEATURE_SET` it was built for.
    """

    name: str
    version: str
    feature_set: str

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Fit on feature rows (see `features.build_features`) dated strictly before `as_of`.

        Implementations must not read any row dated on or after `as_of`; callers
        pass only such rows, and `training_rows` enforces it again.
        """
        ...

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """Predict feature rows (all of one date, after the fit date)."""
        ...


def training_rows(history: pd.DataFrame, as_of: dt.date, *, days: int | None = None) -> pd.DataFrame:
    """Rows with known points dated strictly before `as_of` (and within `days` of it)."""
    end = pd.Timestamp(as_of)
    keep = (history["game_date"] < end) & history["points"].notna()
    if days is not None:
        keep &= history["game_date"] >= end - pd.Timedelta(days=days)
    return history.loc[keep]


def estimate_phi(points: np.ndarray, mean: np.ndarray) -> float:
    """Variance-to-mean ratio of residuals (falls back to `DEFAULT_PHI`)."""
    ok = ~(np.isnan(points) | np.isnan(mean))
    if ok.sum() < 200:
        return DEFAULT_PHI
    resid2 = (points[ok] - mean[ok]) ** 2
    return float(np.clip(resid2.sum() / np.maximum(mean[ok], 1.0).sum(), 1.0, 20.0))
