"""Closing-line value: how the market moved between a call's snapshot and the last one before tip.

For each call the market is summarised at two snapshots of ``raw_prop_lines`` (``snapshot_time``):
the call's own and the **close**, the last snapshot strictly before tip (``game_time_utc``) that
quotes the player's market.  At each, the consensus line and de-vigged P(over) of
`pricing.consensus` (valid primary quotes of every book).  Then, signed so that a positive number
means the market moved *toward* the call:

- ``clv_line``: ``close line - call-time line`` for an OVER, the reverse for an UNDER (points);
- ``clv_prob``: the de-vigged probability of the side taken at the close minus at the call
  (when the consensus line itself moved, the two probabilities are at different lines: read
  them together with ``clv_line``).

Undefined (NULL) when the call has no snapshot time, the tip time is unknown (a snapshot then
cannot be told from an in-game one), or no later snapshot before tip exists.  In the public
archive: the points file's one snapshot a day has no time (no CLV at all); the SilverCrocus PRA
snapshots have times but no tip time (none); the historical threes snapshots of 2025-03-31 ..
have both (CLV defined for the player-games quoted more than once before tip).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.pricing import consensus

__all__ = ["CLV_COLUMNS", "closing_line_value", "clv_summary"]

CLV_COLUMNS = (
    "close_snapshot_time",
    "close_line",
    "close_p_over",
    "open_line",
    "open_p_over",
    "clv_line",
    "clv_prob",
)
"""What `closing_line_value` adds to each call."""


def closing_line_value(calls: pd.DataFrame, quotes: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
    """`calls` with `CLV_COLUMNS` added (NaN where undefined).

    Args:
        calls: one row per call with `key`, ``recommendation`` (OVER / UNDER) and
            ``snapshot_time`` (UTC, of the quotes the call was made from).
        quotes: every snapshot's quotes with `key`, ``snapshot_time, game_time_utc, bookmaker,
            line, over_odds, under_odds, is_primary_line`` (and ``market``).
        key: the columns naming one player-game-market in both frames.
    """
    key = list(key)
    out = calls.copy()
    for c in CLV_COLUMNS:
        out[c] = pd.Series(np.nan, index=out.index, dtype="float64")
    out["close_snapshot_time"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us, UTC]")
    q = quotes.dropna(subset=["snapshot_time"])
    if q.empty or out.empty:
        return out
    q = q.assign(snapshot_time=_utc(q["snapshot_time"]), game_time_utc=_utc(q["game_time_utc"]))
    q = q[q["snapshot_time"] < q["game_time_utc"]]  # before a known tip only (NaT: not comparable)
    snaps = consensus(q, [*key, "snapshot_time"])
    if snaps.empty:
        return out
    close = snaps.sort_values("snapshot_time").drop_duplicates(key, keep="last")
    close = close.rename(
        columns={
            "snapshot_time": "close_snapshot_time",
            "line": "close_line",
            "market_p_over": "close_p_over",
        }
    )
    opened = snaps.rename(columns={"line": "open_line", "market_p_over": "open_p_over"})
    c = out.drop(columns=list(CLV_COLUMNS)).assign(snapshot_time=_utc(out["snapshot_time"]))
    c = c.reset_index().merge(
        opened[[*key, "snapshot_time", "open_line", "open_p_over"]], on=[*key, "snapshot_time"], how="left"
    )
    c = c.merge(close[[*key, "close_snapshot_time", "close_line", "close_p_over"]], on=key, how="left")
    later = c["close_snapshot_time"] > c["snapshot_time"]
    sign = np.where(
        c["recommendation"] == "OVER", 1.0, np.where(c["recommendation"] == "UNDER", -1.0, np.nan)
    )
    c["clv_line"] = np.where(later, sign * (c["close_line"] - c["open_line"]), np.nan)
    c["clv_prob"] = np.where(later, sign * (c["close_p_over"] - c["open_p_over"]), np.nan)
    for col in ("close_line", "close_p_over", "open_line", "open_p_over"):
        c[col] = np.where(later, c[col], np.nan)
    c["close_snapshot_time"] = c["close_snapshot_time"].where(later)
    c = c.set_index("index")
    for col in CLV_COLUMNS:
        out[col] = c[col].reindex(out.index)
    return out


def clv_summary(graded: pd.DataFrame) -> dict[str, Any]:
    """Calls, calls with a CLV, mean line and probability move, share that beat the close."""
    n = len(graded)
    if "clv_prob" not in graded:
        return {"n_calls": n, "n_clv": 0, "clv_line": None, "clv_prob": None, "beat_close": None}
    has = graded[graded["clv_prob"].notna()]
    if has.empty:
        return {"n_calls": n, "n_clv": 0, "clv_line": None, "clv_prob": None, "beat_close": None}
    beat = (has["clv_prob"] > 0) | ((has["clv_prob"] == 0) & (has["clv_line"] > 0))
    return {
        "n_calls": n,
        "n_clv": len(has),
        "clv_line": round(float(has["clv_line"].mean()), 4),
        "clv_prob": round(float(has["clv_prob"].mean()), 4),
        "beat_close": round(float(beat.mean()), 4),
    }


def _utc(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, utc=True)
