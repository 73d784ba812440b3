"""Minutes first, then rate: expected minutes x per-minute rate, per stat.

The store's features (`predict.minutes`) give each row a rule-based expectation: minutes
from the player's recent minutes with absent teammates' minutes redistributed, per-minute
rates, usage redistribution.  This system fits, walk-forward on the year before the date:

1. a minutes model, least squares of minutes played on ``min_base``, the redistributed
   minutes (``exp_minutes - min_base``) and ``min_base`` times back-to-back, long rest, the
   game's |spread| (blowout risk) and whether a spread exists (rows with ``minutes > 0``);
2. per stat, least squares of the stat on ``m * rate``, ``m * rate * (usage - 1)`` and,
   for points, ``m * rate`` times the opponent and pace factors, where ``m`` is the fitted
   minutes; the usage coefficient says how much of the redistribution the data supports.

`expected(rows)` returns every stat's expectation (``pts, reb, ast, fg3m, stl, blk``) for
other systems and markets; `predict` is the points one.  Nothing dated on or after the date
is read: the fit takes `training_rows` and the features are as-of.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.features import FEATURE_SET
from nbaprops.pipeline.predict.minutes import STATS
from nbaprops.pipeline.predict.systems.base import Prediction, estimate_phi, training_rows

__all__ = ["MinutesRate"]

_STAT_COLUMN = {"pts": "points"}


def _f(rows: pd.DataFrame, col: str, fill: float = np.nan) -> np.ndarray:
    if col not in rows.columns:
        return np.full(len(rows), fill)
    v = rows[col].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(v), fill, v) if not np.isnan(fill) else v


def _minutes_design(rows: pd.DataFrame, *, availability: bool) -> np.ndarray:
    base = _f(rows, "min_base")
    extra = _f(rows, "exp_minutes") - base if availability else np.zeros(len(rows))
    spread = _f(rows, "abs_spread")
    has = (~np.isnan(spread)).astype(float)
    return np.column_stack(
        [
            base,
            extra,
            base * _f(rows, "back_to_back", 0.0),
            base * (_f(rows, "team_rest_days", 2.0) >= 3),
            base * np.nan_to_num(spread) / 10.0,
            base * has,
        ]
    )


class MinutesRate:
    """See the module docstring.

    Args:
        train_days: fitting window before the date (default one year).
        availability: use who is out (False: the same model without it, for the ablation).
    """

    name = "minutes_rate"
    version = "1"
    feature_set = FEATURE_SET

    def __init__(self, *, train_days: int = 365, availability: bool = True) -> None:
        self.train_days = train_days
        self.availability = availability
        self.min_coef: np.ndarray | None = None
        self.stat_coef: dict[str, np.ndarray] = {}
        self.phi = 4.0
        self.fitted_through: dt.date | None = None

    def _minutes(self, rows: pd.DataFrame) -> np.ndarray:
        x = _minutes_design(rows, availability=self.availability)
        if self.min_coef is None:
            m = _f(rows, "exp_minutes") if self.availability else _f(rows, "min_base")
        else:
            m = x @ self.min_coef
        return np.asarray(np.clip(m, 0.0, 48.0), dtype="float64")

    def _stat_design(self, rows: pd.DataFrame, stat: str, minutes: np.ndarray) -> np.ndarray:
        mr = minutes * _f(rows, f"rate_{stat}")
        usage = _f(rows, f"usage_{stat}", 1.0) - 1.0 if self.availability else np.zeros(len(rows))
        cols = [mr, mr * usage]
        if stat == "pts":
            cols += [
                mr * np.nan_to_num(_f(rows, "opp_factor") - 1.0),
                mr * np.nan_to_num(_f(rows, "pace_factor") - 1.0),
            ]
        return np.column_stack(cols)

    def fit(self, history: pd.DataFrame, as_of: dt.date) -> None:
        """Fit the minutes model and the per-stat scales on rows before `as_of`."""
        train = training_rows(history, as_of, days=self.train_days)
        train = train[(train["career_games"] >= 5) & train["min_base"].notna()]
        if len(train) < 1000:
            return
        x = _minutes_design(train, availability=self.availability)
        y = train["minutes"].to_numpy(float)
        ok = ~np.isnan(x).any(axis=1) & ~np.isnan(y) & (y > 0)
        self.min_coef, *_ = np.linalg.lstsq(x[ok], y[ok], rcond=None)
        m = self._minutes(train)
        for stat in STATS:
            col = _STAT_COLUMN.get(stat, stat)
            if col not in train.columns:
                continue
            xs = self._stat_design(train, stat, m)
            ys = train[col].to_numpy(dtype="float64", na_value=np.nan)
            good = ~np.isnan(xs).any(axis=1) & ~np.isnan(ys)
            if good.sum() >= 500:
                self.stat_coef[stat], *_ = np.linalg.lstsq(xs[good], ys[good], rcond=None)
        self.phi = estimate_phi(train["points"].to_numpy(float), self.expected(train)["pts"])
        self.fitted_through = as_of - dt.timedelta(days=1)

    def expected(self, rows: pd.DataFrame) -> dict[str, np.ndarray]:
        """Every stat's expectation per row (NaN where the player has no rate yet)."""
        m = self._minutes(rows)
        out: dict[str, np.ndarray] = {"minutes": m}
        for stat in STATS:
            xs = self._stat_design(rows, stat, m)
            coef = self.stat_coef.get(stat)
            raw = xs[:, 0] if coef is None else xs @ coef
            out[stat] = np.asarray(np.maximum(raw, 0.0), dtype="float64")
        return out

    def predict(self, rows: pd.DataFrame) -> Prediction:
        """Points: fitted minutes x rate (NaN before the player has a rate)."""
        if not len(rows):
            return Prediction.from_mean(np.zeros(0), self.phi)
        return Prediction.from_mean(self.expected(rows)["pts"], self.phi)
