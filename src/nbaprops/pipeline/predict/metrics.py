"""Accuracy summaries: MAE, hit rates with Wilson intervals, ROI with a bootstrap interval, Brier."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.grading import BET_RESULTS

__all__ = ["bootstrap_mean_ci", "reliability_table", "summarise", "wilson"]

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (None when n == 0)."""
    if n == 0:
        return None
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap_mean_ci(values: np.ndarray, *, reps: int = 2000, seed: int = 0) -> tuple[float, float] | None:
    """Percentile bootstrap 95% interval of a mean (None with fewer than 2 values)."""
    v = np.asarray(values, dtype="float64")
    if len(v) < 2:
        return None
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, len(v), size=(reps, len(v)))].mean(axis=1)
    return (float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)))


def _hits(g: pd.DataFrame, threshold: float) -> tuple[int, int]:
    """(hits, decided) of the side implied by pred vs line among rows with |edge| >= threshold."""
    e = g["predicted_points"] - g["line"]
    sel = g[(e.abs() >= threshold) & g["went_over"].notna()]
    hit = ((sel["predicted_points"] > sel["line"]).astype(float) == sel["went_over"]).sum()
    return int(hit), len(sel)


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), nd)


def summarise(g: pd.DataFrame) -> dict[str, Any]:
    """One system's summary over its graded rows (players who played, with a prediction).

    Returns:
        ``n, mae, n_edge1, hit_rate_edge1, hit_rate_edge1_ci, n_edge3, hit_rate_edge3,
        hit_rate_edge3_ci, n_bets, roi, roi_ci, brier``.
    """
    g = g[g["predicted_points"].notna() & g["actual_points"].notna()]
    out: dict[str, Any] = {"n": len(g), "mae": _r(g["abs_error"].mean()) if len(g) else None}
    for t in (1, 3):
        k, n = _hits(g, t)
        ci = wilson(k, n)
        out[f"n_edge{t}"] = n
        out[f"hit_rate_edge{t}"] = _r(k / n) if n else None
        out[f"hit_rate_edge{t}_ci"] = [_r(ci[0]), _r(ci[1])] if ci else None
    bets = g[g["result"].isin(BET_RESULTS)]
    out["n_bets"] = len(bets)
    out["bet_wins"] = int((bets["result"] == "WIN").sum())
    out["roi"] = _r(bets["profit"].mean()) if len(bets) else None
    ci = bootstrap_mean_ci(bets["profit"].to_numpy(float))
    out["roi_ci"] = [_r(ci[0]), _r(ci[1])] if ci else None
    b = g.dropna(subset=["p_over", "went_over"])
    out["brier"] = _r(((b["p_over"] - b["went_over"]) ** 2).mean()) if len(b) else None
    return out


def reliability_table(g: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Calibration table: predicted P(over) bucket -> rows, mean predicted, observed over rate."""
    b = g.dropna(subset=["p_over", "went_over"]).copy()
    b["bucket"] = np.minimum((b["p_over"] * bins).astype(int), bins - 1)
    t = b.groupby("bucket").agg(
        n=("went_over", "size"), predicted=("p_over", "mean"), observed=("went_over", "mean")
    )
    return t.reset_index()
