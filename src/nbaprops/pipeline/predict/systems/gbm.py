"""Gradient boosting system: LightGBM on `features.FEATURES`, retrained walk-forward.

`fit(history, as_of)` retrains only when the last model is older than the
cadence (default weekly): the model in use for a date was always trained on
rows dated strictly before the date it was trained for, which is on or before
the prediction date.  The target is points minus the recent-scoring base
(`matchup.recent_base`), which makes the trees learn adjustments instead of
levels.  The line is not a training feature (there are no historical lines).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.features import FEATURE_SET, FEATURES
from nbaprops.pipeline.predict.model_registry import ModelMeta, ModelRegistry
from nbaprops.pipeline.predict.systems.base import Prediction, estimate_phi, training_rows
from nbaprops.pipeline.predict.systems.matchup import recent_base

__all__ = ["GBM_FEATURES", "LightGBMSystem"]

GBM_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f != "line")
"""Features the trees see (all but the line)."""

PARAMS: dict[str, Any] = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 1,  # OpenMP spinning degrades badly on oversubscribed shared cores
    "seed": 7,
}
ROUNDS = 250


class LightGBMSystem:
    """See the module docstring.

    Args:
        cadence_days: retrain when the model is this many days old (default 7).
        train_days: training window before the date (default three years).
    """

    name = "lightgbm"
    version = "1"
    feature_set = FEATURE_SET

    def __init__(
        self, *, cadence_days: int = 7, train_days: int = 3 * 365, features: tuple[str, ...] = GBM_FEATURES
    ) -> None:
        self.cadence_days = cadence_days
        self.train_days = train_days
        self.features = features
        self.booster: Any = None
        self.phi = 4.0
        self.trained_as_of: dt.date | None = None
        self.train_window: tuple[dt.date, dt.date] | None = None
        self.train_rows = 0
        self.metrics: dict[str, float] = {}

    def due(self, as_of: dt.date) -> bool:
        """Whether a retrain is due for `as_of`."""
        return self.trained_as_of is None or (as_of - self.trained_as_of).days >= self.cadence_days

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Retrain on rows before `as_of` when the cadence says so (else keep the model)."""
        if not self.due(as_of):
            return
        import lightgbm as lgb

        train = training_rows(history, as_of, days=self.train_days)
        train = train[train["career_games"] >= 5]
        if len(train) < 2000:
            return
        base = recent_base(train)
        ok = ~np.isnan(base)
        x = train.loc[ok, list(self.features)].to_numpy(float)
        y = train["points"].to_numpy(float)[ok] - base[ok]
        # the last 5% by date is held out to measure the spread honestly
        dates = train["game_date"].to_numpy()[ok]
        cut = np.quantile(dates.astype("int64"), 0.95)
        fit_mask = dates.astype("int64") < cut
        ds = lgb.Dataset(x[fit_mask], y[fit_mask], feature_name=list(self.features), free_raw_data=True)
        booster = lgb.train(PARAMS, ds, num_boost_round=ROUNDS)
        hold = ~fit_mask
        pred_hold = booster.predict(x[hold]) + base[ok][hold]
        y_hold = train["points"].to_numpy(float)[ok][hold]
        self.phi = estimate_phi(y_hold, np.maximum(pred_hold, 0.0))
        self.metrics = {
            "holdout_mae": float(np.mean(np.abs(pred_hold - y_hold))),
            "holdout_n": int(hold.sum()),
        }
        # refit on everything before the date for use
        full = lgb.Dataset(x, y, feature_name=list(self.features), free_raw_data=True)
        self.booster = lgb.train(PARAMS, full, num_boost_round=ROUNDS)
        self.trained_as_of = as_of
        d = pd.to_datetime(train["game_date"])
        self.train_window = (d.min().date(), d.max().date())
        self.train_rows = int(ok.sum())

    def to_registry(self, registry: ModelRegistry) -> None:
        """Store the current model (no-op before the first training)."""
        if self.booster is None or self.trained_as_of is None or self.train_window is None:
            return
        meta = ModelMeta(
            system=self.name,
            version=self.version,
            feature_set=self.feature_set,
            as_of=self.trained_as_of.isoformat(),
            train_start=self.train_window[0].isoformat(),
            train_end=self.train_window[1].isoformat(),
            train_rows=self.train_rows,
            phi=self.phi,
            metrics=self.metrics,
        )
        registry.save(meta, self.booster.model_to_string())

    def from_registry(self, registry: ModelRegistry, as_of: dt.date) -> bool:
        """Load the newest stored model usable for `as_of` (trained for a date <= as_of).

        Returns:
            Whether a model was loaded.

        Raises:
            ModelError: the stored model was built for another feature set.
        """
        import lightgbm as lgb

        folder = registry.latest(self.name, as_of)
        if folder is None:
            return False
        meta, text = registry.load(folder)
        self.booster = lgb.Booster(model_str=text)
        self.phi = meta.phi
        self.trained_as_of = dt.date.fromisoformat(meta.as_of)
        self.train_window = (dt.date.fromisoformat(meta.train_start), dt.date.fromisoformat(meta.train_end))
        self.train_rows = meta.train_rows
        self.metrics = dict(meta.metrics)
        return True

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """Base plus the trees' adjustment (NaN before the first training)."""
        base = recent_base(rows)
        if self.booster is None or not len(rows):
            return Prediction.from_mean(np.full(len(rows), np.nan), self.phi)
        adj = self.booster.predict(rows.loc[:, list(self.features)].to_numpy(float))
        return Prediction.from_mean(np.maximum(base + adj, 0.0), self.phi)
