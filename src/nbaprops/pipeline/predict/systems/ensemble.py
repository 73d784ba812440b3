"""Ensemble: member predictions weighted by their trailing accuracy as of the date.

Two steps, both from the graded predictions of the `window_days` before the
date (rows where every member predicted):

1. the model members are averaged with weights ``1 / MSE`` (a member that has
   been wrong lately counts less; equal weights until `min_rows` rows exist);
2. the line is the anchor: ``mean = line + alpha * (model_average - line)``,
   ``alpha`` the least-squares slope of (actual - line) on (model_average - line)
   over the window, clipped to [0, 1]; it is 0.5 (line and models as equal
   voices) until `min_rows` rows exist.  Without a line the model average is used.

A member that is missing for a row (no prediction, or its circuit breaker is
open) drops out and the others are re-normalised.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.features import FEATURE_SET
from nbaprops.pipeline.predict.systems.base import Prediction

__all__ = ["DEFAULT_ALPHA", "Ensemble"]

DEFAULT_ALPHA = 0.5
"""Share of the models' disagreement with the line kept before any graded history."""


class Ensemble:
    """See the module docstring."""

    name = "ensemble"
    version = "1"
    feature_set = FEATURE_SET

    def __init__(self, members: tuple[str, ...], *, window_days: int = 30, min_rows: int = 200) -> None:
        self.members = members
        self.window_days = window_days
        self.min_rows = min_rows
        self.weights: dict[str, float] = dict.fromkeys(members, 1.0)
        self.alpha = DEFAULT_ALPHA
        self.weighted_on = 0

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Nothing to learn from box scores; see `weigh`."""

    def weigh(self, graded: pd.DataFrame, as_of: dt.date) -> dict[str, float]:
        """Set the weights from graded predictions in the window before `as_of`.

        Args:
            graded: past predictions with ``game_date, system, player_id, game_key,
                predicted_points, actual_points``.
            as_of: only rows dated in [as_of - window_days, as_of) count.
        """
        self.weights = dict.fromkeys(self.members, 1.0)
        self.alpha = DEFAULT_ALPHA
        self.weighted_on = 0
        if graded.empty:
            return self.weights
        d = pd.to_datetime(graded["game_date"])
        lo, hi = pd.Timestamp(as_of - dt.timedelta(days=self.window_days)), pd.Timestamp(as_of)
        g = graded[(d >= lo) & (d < hi) & graded["system"].isin(self.members)]
        g = g.dropna(subset=["predicted_points", "actual_points"])
        wide = g.pivot_table(
            index=["game_key", "player_id"], columns="system", values="predicted_points", aggfunc="first"
        )
        actual = g.groupby(["game_key", "player_id"])["actual_points"].first()
        present = [m for m in self.members if m in wide.columns]
        wide = wide[present].dropna()
        if len(wide) < self.min_rows or not present:
            return self.weights
        y = actual.reindex(wide.index)
        err = wide.sub(y, axis=0)
        mse = (err**2).mean()
        self.weights = {m: float(1.0 / max(mse.get(m, np.inf), 1e-6)) for m in self.members}
        self.weighted_on = len(wide)
        models = [m for m in present if m != "line"]
        if "line" in present and models:
            w = np.array([self.weights[m] for m in models])
            avg = wide[models].to_numpy(float) @ (w / w.sum())
            x = avg - wide["line"].to_numpy(float)
            t = y.to_numpy(float) - wide["line"].to_numpy(float)
            self.alpha = float(np.clip((x @ t) / max(x @ x, 1e-9), 0.0, 1.0))
        return self.weights

    def combine(self, preds: dict[str, Prediction], n: int) -> tuple[Prediction, np.ndarray]:
        """The weighted prediction and, per row, how many members took part.

        Args:
            preds: member name -> its prediction for the same `n` rows (open breakers absent).
            n: rows.
        """
        num = np.zeros(n)
        den = np.zeros(n)
        sd_num = np.zeros(n)
        sd_den = np.zeros(n)
        used = np.zeros(n, int)
        line = preds.get("line")
        for m in self.members:
            p = preds.get(m)
            if p is None or m == "line":
                continue
            w = self.weights.get(m, 0.0)
            ok = ~np.isnan(p.mean)
            num[ok] += w * p.mean[ok]
            den[ok] += w
            used[ok] += 1
            sd_ok = ok & ~np.isnan(p.sd)
            sd_num[sd_ok] += w * p.sd[sd_ok]
            sd_den[sd_ok] += w
        mean = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        if line is not None:
            has = ~np.isnan(line.mean)
            used += has
            anchored = line.mean + self.alpha * (mean - line.mean)
            mean = np.where(has, np.where(np.isnan(mean), line.mean, anchored), mean)
        sd = np.where(sd_den > 0, sd_num / np.where(sd_den > 0, sd_den, 1.0), np.nan)
        sd = np.where(np.isnan(sd), np.sqrt(4.0 * np.maximum(np.nan_to_num(mean, nan=1.0), 1.0)), sd)
        return Prediction(mean, sd), used
