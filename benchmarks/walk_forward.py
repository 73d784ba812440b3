"""Benchmark (not a test): walk-forward MAE over full seasons, every system vs the baselines.

For every game date of each season (or every k-th with ``--every k``), each
system is fitted on rows dated strictly before the date and predicts every
player who played that date (there are no lines before 2025-26, so this is
points accuracy only; P(over) and ROI need lines, see ``nbaprops evaluate``).
The ensemble here has no line to anchor to: it is the trailing-accuracy
weighted average of the model systems.

Usage:
    uv run python benchmarks/walk_forward.py [--seasons 2018-19,...] [--every 1] [--data-dir DIR]

Prints one row per (season, system): N, MAE; and the wall time per season.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.data import game_rows, load_public
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.features import build_features
from nbaprops.pipeline.predict.systems import (
    LastTen,
    LightGBMSystem,
    Matchup,
    MovingAverage,
    SeasonAverage,
    Similarity,
)

SEASONS = ("2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nba"
NO_LINE = {
    "line": np.nan,
    "n_books": np.nan,
    "over_odds": np.nan,
    "under_odds": np.nan,
    "over_book": None,
    "under_book": None,
    "market_p_over": np.nan,
}


def run_season(feats: pd.DataFrame, season: str, every: int) -> tuple[pd.DataFrame, float]:
    """Walk forward over one season's dates; return (predictions with actuals, seconds)."""
    rows_all = feats[(feats["season"] == season) & feats["points"].notna()]
    days = sorted({d.date() for d in rows_all["game_date"]})[::every]
    predictor = DayPredictor(
        systems=[SeasonAverage(), LastTen(), MovingAverage(), Matchup(), Similarity(), LightGBMSystem()]
    )
    graded: list[pd.DataFrame] = []
    t0 = time.perf_counter()
    for i, day in enumerate(days):
        rows = rows_all[rows_all["game_date"] == pd.Timestamp(day)].assign(**NO_LINE)
        past = pd.concat(graded[-40:], ignore_index=True) if graded else pd.DataFrame()
        predictor.fit(feats, past, day)
        out = predictor.predict(rows, day)
        actual = rows.set_index(["game_key", "player_id"])["points"]
        out["actual_points"] = actual.reindex(
            pd.MultiIndex.from_frame(out[["game_key", "player_id"]])
        ).to_numpy()
        out["p_over_raw"] = np.nan
        out["went_over"] = np.nan
        graded.append(out)
        if i % 20 == 0:
            print(f"  {season} {day} ({i + 1}/{len(days)}) {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return pd.concat(graded, ignore_index=True), time.perf_counter() - t0


def main() -> None:
    """Parse arguments, run, print a table and a JSON summary."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seasons", default=",".join(SEASONS))
    ap.add_argument("--every", type=int, default=1, help="predict every k-th game date (1 = all)")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()
    frames = load_public(args.data_dir, dt.date(2000, 1, 1), dt.date(2000, 1, 1))
    feats = build_features(game_rows(frames.box))
    summary: dict[str, dict[str, object]] = {}
    for season in args.seasons.split(","):
        cpu0 = time.process_time()
        graded, secs = run_season(feats, season, args.every)
        cpu = time.process_time() - cpu0
        ok = graded.dropna(subset=["predicted_points", "actual_points"])
        # common rows: every system predicted (the moving average needs 3 games of the season)
        wide = ok.pivot_table(index=["game_key", "player_id"], columns="system", values="predicted_points")
        wide = wide.dropna()
        act = ok.groupby(["game_key", "player_id"])["actual_points"].first().reindex(wide.index)
        mae = {s: round(float((wide[s] - act).abs().mean()), 3) for s in wide.columns}
        dates = graded["game_date"].nunique()
        summary[season] = {
            "dates": dates,
            "n_common": len(wide),
            "seconds": round(secs, 1),
            "cpu_seconds": round(cpu, 1),
            "mae": mae,
        }
        print(
            f"{season}: {dates} dates, {len(wide)} player-games (common rows), "
            f"wall {secs:.0f}s, cpu {cpu:.0f}s",
            flush=True,
        )
        for s, v in sorted(mae.items(), key=lambda kv: kv[1]):
            print(f"    {s:15s} MAE {v:.3f}", flush=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
