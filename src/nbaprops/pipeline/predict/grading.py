"""Grading: a prediction against what happened, by the one rule in ``grading.sql``.

The rule (WIN / LOSS / PUSH / VOID / PASS, the price of the side taken, profit at
American odds, went_over) is stated once, in SQL: the grade models inline it
(`Processor.sql_uses`) and the walk-forward runs the same text over its in-memory
predictions (`grade`).  `BET_RESULTS` is the one definition of a bet every report
counts with: PASS (no call) and VOID (the player did not play) are not bets.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BET_RESULTS", "GRADE_COLUMNS", "GRADING_SQL", "RESULTS", "grade"]

GRADING_SQL = Path(__file__).with_name("grading.sql")
"""The grading rule: a query over a relation ``calls`` (see the file's header)."""
RESULTS = ("WIN", "LOSS", "PUSH", "VOID", "PASS")
BET_RESULTS: tuple[str, ...] = ("WIN", "LOSS", "PUSH")
"""Results that count as a bet (in bets, ROI and profit per bet); reports bind it as ``$bets``."""
GRADE_COLUMNS = ("abs_error", "went_over", "odds", "result", "profit")
"""What the rule adds to each call."""
_RULE_INPUTS = ("predicted_points", "line", "recommendation", "over_odds", "under_odds", "actual_points")


def grade(preds: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    """Attach ``actual_points, actual_minutes`` and the grade columns (`GRADE_COLUMNS`).

    The actuals are joined on (game_key, player_id); the grade comes from ``grading.sql``,
    run by an in-process DuckDB over the calls.

    Args:
        preds: predictions with ``game_key, player_id, predicted_points, line,
            recommendation, over_odds, under_odds``.
        actual: box rows of the same games with ``game_key, player_id, points, minutes``.
    """
    import duckdb
    import numpy as np

    a = actual[["game_key", "player_id", "points", "minutes"]].rename(
        columns={"points": "actual_points", "minutes": "actual_minutes"}
    )
    out = preds.drop(columns=[c for c in ("actual_points", "actual_minutes") if c in preds], errors="ignore")
    out = out.merge(a, on=["game_key", "player_id"], how="left")
    calls = out.loc[:, list(_RULE_INPUTS)].astype(
        {c: "float64" for c in _RULE_INPUTS if c != "recommendation"}
    )
    calls["recommendation"] = calls["recommendation"].astype(object)
    calls["call_row"] = np.arange(len(calls), dtype="int64")
    con = duckdb.connect()
    try:
        con.register("calls", calls)
        cols = ", ".join(GRADE_COLUMNS)
        got = con.execute(f"SELECT call_row, {cols} FROM ({GRADING_SQL.read_text()}) ORDER BY call_row").df()
    finally:
        con.close()
    for c in GRADE_COLUMNS:
        out[c] = got[c].to_numpy(dtype=object if c == "result" else "float64")
    return out
