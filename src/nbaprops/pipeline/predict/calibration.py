"""Walk-forward calibration of P(over): isotonic regression on past graded predictions only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MIN_CALIBRATION_ROWS", "Calibrator"]

MIN_CALIBRATION_ROWS = 150
"""Graded predictions a system needs before its probabilities are recalibrated."""


class Calibrator:
    """Maps a system's raw P(over) to the frequency observed on past predictions.

    `fit` reads only graded rows dated strictly before `as_of`; until a system
    has `MIN_CALIBRATION_ROWS` of them its raw probability passes through.
    """

    def __init__(self) -> None:
        self.models: dict[str, Any] = {}
        self.fitted_on: dict[str, tuple[int, dt.date | None]] = {}

    def fit(self, graded: pd.DataFrame, as_of: dt.date) -> None:
        """Fit one isotonic map per system.

        Args:
            graded: past predictions with ``game_date, system, p_over_raw, went_over``
                (``went_over`` NULL for voids).
            as_of: only rows dated before this are used.
        """
        from sklearn.isotonic import IsotonicRegression

        self.models.clear()
        self.fitted_on.clear()
        if graded.empty:
            return
        g = graded[(pd.to_datetime(graded["game_date"]) < pd.Timestamp(as_of))]
        g = g.dropna(subset=["p_over_raw", "went_over"])
        for system, rows in g.groupby("system"):
            if len(rows) < MIN_CALIBRATION_ROWS:
                continue
            iso = IsotonicRegression(y_min=0.02, y_max=0.98, out_of_bounds="clip")
            iso.fit(rows["p_over_raw"].to_numpy(float), rows["went_over"].to_numpy(float))
            self.models[str(system)] = iso
            last = pd.to_datetime(rows["game_date"]).max().date()
            self.fitted_on[str(system)] = (len(rows), last)

    def apply(self, system: str, p_raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (the raw ones while the system has too few graded rows)."""
        iso = self.models.get(system)
        p = np.asarray(p_raw, dtype="float64")
        if iso is None:
            return p
        out = np.full(p.shape, np.nan)
        ok = ~np.isnan(p)
        if ok.any():
            out[ok] = iso.predict(p[ok])
        return out
