"""Grading: a prediction against what happened.

WIN / LOSS per recommendation, PUSH when the actual points equal the line,
VOID when the player did not play (no box-score row: never a loss), PASS
when no bet was made.  Profit is per 1-unit stake at the real American price
of the side taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.lines import american_payout

__all__ = ["RESULTS", "grade"]

RESULTS = ("WIN", "LOSS", "PUSH", "VOID", "PASS")


def grade(preds: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Attach ``actual_points, actual_minutes, went_over, abs_error, result, odds, profit``.

    Args:
        preds: predictions with ``game_key, player_id, predicted_points, line,
            recommendation, over_odds, under_odds``.
        actual: box rows of the same games with ``game_key, player_id, points, minutes``.
    """
    a = actual[["game_key", "player_id", "points", "minutes"]].rename(
        columns={"points": "actual_points", "minutes": "actual_minutes"}
    )
    out = preds.drop(columns=[c for c in ("actual_points", "actual_minutes") if c in preds], errors="ignore")
    out = out.merge(a, on=["game_key", "player_id"], how="left")
    act = out["actual_points"].to_numpy(float)
    line = out["line"].to_numpy(float)
    rec = out["recommendation"].to_numpy(object)
    played = ~np.isnan(act)
    went_over = np.where(played & ~np.isnan(line) & (act != line), (act > line).astype(float), np.nan)
    out["went_over"] = went_over
    out["abs_error"] = np.abs(out["predicted_points"].to_numpy(float) - act)
    bet = (rec == "OVER") | (rec == "UNDER")
    won = ((rec == "OVER") & (act > line)) | ((rec == "UNDER") & (act < line))
    result = np.select(
        [~bet, ~played, act == line, won],
        ["PASS", "VOID", "PUSH", "WIN"],
        default="LOSS",
    )
    odds = np.where(rec == "UNDER", out["under_odds"].to_numpy(float), out["over_odds"].to_numpy(float))
    profit = np.select(
        [result == "WIN", result == "LOSS", (result == "PUSH") | (result == "VOID")],
        [american_payout(odds), -1.0, 0.0],
        default=np.nan,
    )
    out["result"] = result
    out["odds"] = np.where(bet, odds, np.nan)
    out["profit"] = profit
    return out
