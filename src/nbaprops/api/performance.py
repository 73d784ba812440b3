"""How the calls have done: summaries, cumulative series, calibration, edge buckets.

Everything is computed from the grade tables with the metrics of
`nbaprops.pipeline.predict.metrics` (Wilson intervals for hit rates, a bootstrap for ROI).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.api.calls import POINTS_MARKET
from nbaprops.api.models import CalibrationPoint, EdgeBucket, GradeSummary, SeriesPoint
from nbaprops.pipeline.predict.metrics import bootstrap_mean_ci, reliability_table, summarise, wilson
from nbaprops.storage import Warehouse
from nbaprops.storage.queries import api as q

__all__ = [
    "EDGE_BUCKETS",
    "calibration",
    "edge_buckets",
    "graded_rows",
    "latest_graded",
    "series",
    "summaries",
]

EDGE_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("<2", 0.0, 2.0),
    ("2-3", 2.0, 3.0),
    ("3-4", 3.0, 4.0),
    ("4-6", 4.0, 6.0),
    ("6+", 6.0, float("inf")),
)
"""|edge| buckets (points between prediction and line) of the edge table."""

SERIES_BOOTSTRAP_REPS = 400
"""Bootstrap draws per point of the ROI band (each date of each system gets one)."""

_GRADED = (
    ("predictions", "prediction_grades", q.GRADED_BASELINE),
    ("system_predictions", "system_prediction_grades", q.GRADED_SYSTEMS),
)
_BETS = ("WIN", "LOSS", "PUSH")


def latest_graded(wh: Warehouse, day: dt.date) -> dt.date | None:
    """The latest date on or before `day` with graded rows in either grade table."""
    found = [
        got
        for _, table, _ in _GRADED
        if wh.has_table(table)
        for (got,) in wh.rows(q.LATEST_GRADED_DATE.format(table=table), {"day": day})
        if got is not None
    ]
    return max(found) if found else None


def graded_rows(
    wh: Warehouse, start: dt.date, end: dt.date, *, system: str | None = None, market: str | None = None
) -> pd.DataFrame:
    """Graded rows of both prediction tables in ``[start, end]``, with a ``source`` column.

    The grade tables have no market column: they grade points, so any other market is empty.
    """
    frames = []
    if market is None or market == POINTS_MARKET:
        for source, table, sql in _GRADED:
            if wh.has_table(table):
                df = wh.query(sql, {"start": start, "end": end, "system": system}).to_pandas()
                frames.append(df.assign(source=source))
    if not frames:
        return pd.DataFrame(columns=["source", "system", "game_date", "result", "profit", "edge", "p_over"])
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


def _interval(ci: Any) -> tuple[float, float] | None:
    return None if ci is None else (float(ci[0]), float(ci[1]))


def _groups(df: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    if df.empty:
        return []
    return [(str(s), str(y), g) for (s, y), g in df.groupby(["source", "system"], sort=True)]


def summaries(df: pd.DataFrame) -> list[GradeSummary]:
    """One `GradeSummary` per (source, system) of the graded rows."""
    out = []
    for source, system, g in _groups(df):
        m = summarise(g)
        decided = g[g["result"].isin(["WIN", "LOSS"])]
        wins = int((decided["result"] == "WIN").sum())
        out.append(
            GradeSummary(
                source=source,
                system=system,
                n=m["n"],
                mae=m["mae"],
                n_bets=m["n_bets"],
                bet_wins=m["bet_wins"],
                hit_rate=round(wins / len(decided), 4) if len(decided) else None,
                hit_rate_ci=_interval(wilson(wins, len(decided))),
                roi=m["roi"],
                roi_ci=_interval(m["roi_ci"]),
                hit_rate_edge1=m["hit_rate_edge1"],
                hit_rate_edge1_ci=_interval(m["hit_rate_edge1_ci"]),
                n_edge1=m["n_edge1"],
                hit_rate_edge3=m["hit_rate_edge3"],
                hit_rate_edge3_ci=_interval(m["hit_rate_edge3_ci"]),
                n_edge3=m["n_edge3"],
                brier=m["brier"],
            )
        )
    return out


def series(df: pd.DataFrame) -> list[SeriesPoint]:
    """Each system's cumulative hit rate and ROI after each date, with 95% bands."""
    out = []
    for source, system, g in _groups(df):
        bets = g[g["result"].isin(_BETS)].sort_values("game_date")
        if bets.empty:
            continue
        profits = bets["profit"].to_numpy(float)
        won = (bets["result"] == "WIN").to_numpy()
        lost = (bets["result"] == "LOSS").to_numpy()
        ends = np.searchsorted(bets["game_date"].to_numpy(), np.unique(bets["game_date"].to_numpy()), "right")
        for day, end in zip(np.unique(bets["game_date"].to_numpy()), ends, strict=True):
            k, n = int(won[:end].sum()), int(won[:end].sum() + lost[:end].sum())
            ci = bootstrap_mean_ci(profits[:end], reps=SERIES_BOOTSTRAP_REPS)
            out.append(
                SeriesPoint(
                    source=source,
                    system=system,
                    game_date=pd.Timestamp(day).date(),
                    n_bets=int(end),
                    hit_rate=round(k / n, 4) if n else None,
                    hit_rate_ci=_interval(wilson(k, n)),
                    roi=round(float(profits[:end].mean()), 4),
                    roi_ci=_interval(ci),
                )
            )
    return out


def calibration(df: pd.DataFrame) -> list[CalibrationPoint]:
    """P(over) reliability per system that gives a P(over) (10 buckets)."""
    out = []
    for source, system, g in _groups(df):
        if g["p_over"].notna().sum() == 0:
            continue
        t = reliability_table(g.astype({"p_over": float, "went_over": float}))
        for r in t.to_dict("records"):
            out.append(
                CalibrationPoint(
                    source=source,
                    system=system,
                    bucket=int(r["bucket"]),
                    n=int(r["n"]),
                    predicted=round(float(r["predicted"]), 4),
                    observed=round(float(r["observed"]), 4),
                )
            )
    return out


def edge_buckets(df: pd.DataFrame) -> list[EdgeBucket]:
    """Bets per system and |edge| bucket: count, hit rate (Wilson 95%) and ROI."""
    out = []
    for source, system, g in _groups(df):
        bets = g[g["result"].isin(_BETS) & g["edge"].notna()]
        size = bets["edge"].astype(float).abs()
        for label, lo, hi in EDGE_BUCKETS:
            b = bets[(size >= lo) & (size < hi)]
            if b.empty:
                continue
            k = int((b["result"] == "WIN").sum())
            n = int(b["result"].isin(["WIN", "LOSS"]).sum())
            out.append(
                EdgeBucket(
                    source=source,
                    system=system,
                    bucket=label,
                    n_bets=len(b),
                    hit_rate=round(k / n, 4) if n else None,
                    hit_rate_ci=_interval(wilson(k, n)),
                    roi=round(float(b["profit"].astype(float).mean()), 4),
                )
            )
    return out
