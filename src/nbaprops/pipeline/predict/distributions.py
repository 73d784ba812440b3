"""P(over a line) from a predictive distribution: Normal, or a count distribution per stat.

Every system predicts a mean ``mu`` and a spread ``sd`` whose square is ``phi * max(mu, 1)``
(`systems.base.Prediction`), ``phi`` the variance-to-mean ratio of its own residuals before
the date (fitted walk-forward, per system and stat).

- ``normal``: P(X > line) under Normal(mu, sd) (what every system used before).
- ``count`` (the default): X is a count, so it is **negative binomial** with mean ``mu`` and
  variance ``phi * mu`` (NB1: ``n = mu / (phi - 1)``, ``p = 1 / phi``), Poisson where
  ``phi <= 1``; P(X > line) = P(X >= floor(line) + 1).  Same mean and dispersion as the
  Normal, so the comparison of the two isolates the shape: discreteness (a line of 1.5 threes
  is P(X >= 2), not a z-score) and the right skew of low counts.
- ``binary`` markets (double-double): the prediction is P(yes) itself.

A market of several parts (PRA) is the sum of its parts' predictions (`combine_parts`): its
mean is exactly the sum of the parts' means, its variance the parts' variances times a
correlation factor fitted before the date (`part_inflation`), and its P(over) comes from the
NB1 with that mean and variance.  That is the stated approximation: the parts' joint is
summarised by its first two moments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.systems.base import Prediction

__all__ = [
    "DISTRIBUTIONS",
    "Distribution",
    "combine_parts",
    "count_sf",
    "normal_sf",
    "p_over",
    "part_inflation",
]

Distribution = Literal["normal", "count"]
DISTRIBUTIONS: tuple[Distribution, ...] = ("normal", "count")

_INFLATION_DAYS = 365
_INFLATION_BOUNDS = (0.5, 3.0)


def normal_sf(line: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """P(X > line) under Normal(mean, sd) (NaN where mean or sd is NaN)."""
    from scipy.special import ndtr

    z = (np.asarray(line, dtype="float64") - mean) / sd
    return np.asarray(np.where(np.isnan(z), np.nan, ndtr(-np.nan_to_num(z))), dtype="float64")


def count_sf(line: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(X > line) for a count X with the given mean and variance (NB1; Poisson if var <= mean).

    NaN where the mean is NaN; 0 where the mean is 0 (a count that never happens).
    """
    from scipy.stats import nbinom, poisson

    line = np.broadcast_to(np.asarray(line, dtype="float64"), np.shape(mean))
    mu = np.asarray(mean, dtype="float64")
    v = np.asarray(var, dtype="float64")
    out = np.full(mu.shape, np.nan)
    ok = ~(np.isnan(mu) | np.isnan(line) | np.isnan(v))
    k = np.floor(line)
    zero = ok & (mu <= 0)
    out[zero] = np.where(k[zero] < 0, 1.0, 0.0)
    pos = ok & (mu > 0)
    phi = np.where(pos, v / np.where(mu > 0, mu, 1.0), 1.0)
    pois = pos & (phi <= 1.0 + 1e-9)
    out[pois] = poisson.sf(k[pois], mu[pois])
    nb = pos & ~pois
    p = 1.0 / phi[nb]
    out[nb] = nbinom.sf(k[nb], mu[nb] / (phi[nb] - 1.0), p)
    return out


def p_over(
    pred: Prediction, line: np.ndarray, *, distribution: Distribution, binary: bool = False
) -> np.ndarray:
    """P(X > line) of a system's prediction (see the module docstring).

    Args:
        pred: the prediction (mean, sd).
        line: the lines (NaN: none).
        distribution: ``normal`` or ``count``.
        binary: a yes/no market: the mean is P(yes) whatever the distribution.
    """
    line = np.asarray(line, dtype="float64")
    if binary:
        return np.asarray(np.where(np.isnan(line), np.nan, np.clip(pred.mean, 0.0, 1.0)), dtype="float64")
    if distribution == "normal":
        return normal_sf(line, pred.mean, pred.sd)
    mu = np.asarray(pred.mean, dtype="float64")
    # the spread is sqrt(phi * max(mu, 1)): recover phi, so the count's variance is phi * mu
    phi = pred.sd**2 / np.maximum(np.nan_to_num(mu, nan=1.0), 1.0)
    return count_sf(line, mu, phi * mu)


def combine_parts(parts: Sequence[Prediction], inflation: float) -> Prediction:
    """The prediction of a sum of parts: means added, variances added times `inflation`.

    A row where any part has no prediction has none.
    """
    mean = np.sum([p.mean for p in parts], axis=0)
    var = np.sum([p.sd**2 for p in parts], axis=0) * inflation
    return Prediction(np.asarray(mean, dtype="float64"), np.sqrt(var))


def part_inflation(history: Sequence[pd.DataFrame], as_of: dt.date) -> float:
    """Var(sum of the parts' residuals) / sum of their variances, on the year before `as_of`.

    The residual of a part is its value minus the player's L10 mean of it (a baseline every
    system shares); rows dated before `as_of` only.  Above 1: the parts move together (a
    player with more minutes gets more of each).  1.0 with fewer than 500 rows.

    Args:
        history: one feature frame per part (``game_date, game_key, player_id, points, l10``).
        as_of: the prediction date.
    """
    end = pd.Timestamp(as_of)
    key = ["game_key", "player_id"]
    merged: pd.DataFrame | None = None
    for i, h in enumerate(history):
        keep = (h["game_date"] < end) & (h["game_date"] >= end - pd.Timedelta(days=_INFLATION_DAYS))
        r = h.loc[keep, key].assign(**{f"r{i}": (h.loc[keep, "points"] - h.loc[keep, "l10"]).to_numpy()})
        merged = r if merged is None else merged.merge(r, on=key)
    if merged is None:
        return 1.0
    res = merged.drop(columns=key).dropna().to_numpy(float)
    if len(res) < 500:
        return 1.0
    total = res.sum(axis=1).var()
    parts = res.var(axis=0).sum()
    return float(np.clip(total / max(parts, 1e-9), *_INFLATION_BOUNDS))
