"""Market-aware calls over walk-forward graded rows: blend, shop, grade at the chosen book's price.

For each date, in order, and each model system (the ``line`` system has nothing to add):

1. the blend (`pricing.MarketBlend`) is fitted on that system's rows of *earlier* dates:
   ``logit(p_model)`` (the system's raw P(over) at the consensus line) and ``logit(p_market)``
   (the consensus de-vigged P(over)) against what happened;
2. a row is eligible when the model disagrees with the line: ``|prediction - consensus line| >=
   edge`` on the side it points to, and the original call was not refused for history or for the
   systems disagreeing;
3. every valid quote of every book for that player-game (alternate lines included) is priced with
   the blended probability *at the quote's own line* (model probability at that line from the
   system's predictive distribution, market probability from that quote's de-vig), and the best
   one by expected value is taken (`pricing.shop`);
4. the call is made when that expected value is positive, and graded by the one rule
   (``grading.sql``) at the chosen book's line and price.  The same calls are graded at the
   consensus line too, at the best and at the median price of the books quoting it, so the
   report shows what shopping the number adds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.pricing import (
    MarketBlend,
    american_decimal,
    consensus,
    decimal_american,
    devig,
    price_flags,
    shop,
)

__all__ = [
    "KEY",
    "PModelAt",
    "first_snapshot",
    "market_calls",
    "market_report",
    "normal_p_over",
    "summarise_market",
    "with_snapshot_times",
]

KEY = ["game_key", "player_id"]
"""One player-game (one market per evaluation)."""
_REFUSED = ("no line", "insufficient history", "systems disagree")

PModelAt = Callable[[pd.DataFrame, np.ndarray], np.ndarray]
"""(graded rows, a line per row) -> the model's P(over that line) per row."""


def normal_p_over(rows: pd.DataFrame, line: np.ndarray) -> np.ndarray:
    """P(over) under the systems' Normal(predicted_points, predicted_sd) at any line."""
    from nbaprops.pipeline.predict.systems.base import normal_sf

    mean = rows["predicted_points"].to_numpy(float)
    sd = rows["predicted_sd"].to_numpy(float)
    z = (np.asarray(line, dtype="float64") - mean) / sd
    return np.where(np.isnan(z), np.nan, normal_sf(np.nan_to_num(z)))


def market_calls(
    graded: pd.DataFrame,
    quotes: pd.DataFrame,
    *,
    edge: float,
    p_model_at: PModelAt = normal_p_over,
    blend: MarketBlend | None = None,
    alternates: bool = False,
) -> pd.DataFrame:
    """Walk the dates of `graded` and return one row per eligible (system, player-game).

    Args:
        graded: walk-forward rows (``game_date, game_key, player_id, system, predicted_points,
            predicted_sd, line, p_over_raw, reason, went_over, actual_points, actual_minutes``).
        quotes: the raw quotes of the dates (``game_key, player_id, bookmaker, line, over_odds,
            under_odds, is_primary_line``; optionally ``market, snapshot_time, game_time_utc``).
        edge: minimum |prediction - consensus line| for a call.
        p_model_at: the model's P(over) at any line.
        blend: the blend (a fresh one by default).
        alternates: shop every book's alternate lines too, not only its primary line (off by
            default: measured walk-forward, the alternates' long prices at far lines are where
            the model's tails are least reliable, docs/evaluation.md).

    Returns:
        ``game_date, game_key, player_id, system, side, p_model, p_market, p_blend, bookmaker,
        line, odds, ev, recommendation`` (OVER / UNDER / PASS), ``result, profit`` at the chosen
        quote, ``consensus_line, result_consensus, profit_consensus_best, profit_consensus_median``
        and ``went_over`` (at the consensus line).
    """
    blend = blend or MarketBlend()
    q = first_snapshot(with_snapshot_times(quotes.dropna(subset=["player_id"])))
    q["player_id"] = q["player_id"].astype("int64")
    q = q[pd.isna(price_flags(q))]
    if not alternates and "is_primary_line" in q:
        q = q[q["is_primary_line"].fillna(False).astype(bool)]
    cons = consensus(q, KEY).rename(columns={"line": "consensus_line", "market_p_over": "p_market"})
    g = graded[(graded["system"] != "line") & graded["predicted_points"].notna() & graded["line"].notna()]
    g = g.merge(cons[[*KEY, "consensus_line", "p_market"]], on=KEY, how="inner")
    g = g.assign(p_model=g["p_over_raw"].astype(float), game_date=pd.to_datetime(g["game_date"]))
    out: list[pd.DataFrame] = []
    for day in sorted(g["game_date"].unique()):
        blend.fit(g[g["game_date"] < day], pd.Timestamp(day).date())
        rows = g[g["game_date"] == day]
        diff = rows["predicted_points"] - rows["consensus_line"]
        ok = (diff.abs() >= edge) & ~rows["reason"].isin(_REFUSED)
        rows = rows[ok.to_numpy()]
        if rows.empty:
            continue
        out.append(_day_calls(rows, q, blend, p_model_at))
    if not out:
        return pd.DataFrame()
    calls = pd.concat(out, ignore_index=True)
    return _grade_all(calls, q)


def with_snapshot_times(quotes: pd.DataFrame) -> pd.DataFrame:
    """`quotes` with ``snapshot_time`` (UTC): kept when present, else read from ISO ``snapshot``
    labels ending in ``Z`` (the archive's zone-less daily labels give NaT, as in ``raw_prop_lines``)."""
    if "snapshot_time" in quotes:
        return quotes.assign(snapshot_time=pd.to_datetime(quotes["snapshot_time"], utc=True))
    labels = quotes["snapshot"] if "snapshot" in quotes else pd.Series(None, index=quotes.index, dtype=object)
    times = pd.to_datetime(labels, format="%Y-%m-%dT%H:%M:%SZ", errors="coerce", utc=True)
    return quotes.assign(snapshot_time=times)


def first_snapshot(quotes: pd.DataFrame) -> pd.DataFrame:
    """The quotes a call is made from: per player-game, its earliest snapshot (all rows where the
    snapshot has no time: one snapshot a day).  Later snapshots are what CLV compares against."""
    t = quotes["snapshot_time"]
    first = t.groupby([quotes[k] for k in KEY]).transform("min")
    return quotes[t.isna() | (t == first)].copy()


def _day_calls(rows: pd.DataFrame, q: pd.DataFrame, blend: MarketBlend, p_model_at: PModelAt) -> pd.DataFrame:
    rows = rows.assign(side=np.where(rows["predicted_points"] > rows["consensus_line"], "OVER", "UNDER"))
    parts = []
    for system, r in rows.groupby("system", sort=False):
        r = r.assign(p_blend=blend.apply(str(system), r["p_model"], r["p_market"]))
        carry = [c for c in ("snapshot_time",) if c in q]
        cand = r[[*KEY, "system", "side", "predicted_points", "predicted_sd"]].merge(
            q[[*KEY, "bookmaker", "line", "over_odds", "under_odds", *carry]], on=KEY
        )
        p_m = p_model_at(cand, cand["line"].to_numpy(float))
        p_k = devig(cand["over_odds"], cand["under_odds"])
        cand["p_over"] = blend.apply(str(system), p_m, p_k)
        best = shop(cand, [*KEY, "system"], cand["side"].to_numpy(dtype=object), carry=carry)
        best = best.drop(columns=["side"]).rename(
            columns={c: f"chosen_{c}" for c in best.columns if c not in (*KEY, "system")}
        )
        parts.append(r.merge(best, on=[*KEY, "system"], how="left"))
    got = pd.concat(parts, ignore_index=True)
    got["recommendation"] = np.where(got["chosen_ev"].fillna(-1.0) > 0, got["side"], "PASS")
    return got


def _grade_all(calls: pd.DataFrame, q: pd.DataFrame) -> pd.DataFrame:
    """Grade each call at its chosen quote and at the consensus line (best and median price)."""
    from nbaprops.pipeline.predict.grading import grade

    c = calls.copy()
    actual = c[["game_key", "player_id", "actual_points", "actual_minutes"]].drop_duplicates(KEY)
    actual = actual.rename(columns={"actual_points": "points", "actual_minutes": "minutes"})
    at_cons = q.merge(c[[*KEY]].drop_duplicates(), on=KEY).merge(
        c[[*KEY, "consensus_line"]].drop_duplicates(KEY), on=KEY
    )
    at_cons = at_cons[at_cons["line"] == at_cons["consensus_line"]]
    # the median price is taken in decimal odds (a median of American odds mixes signs: the
    # median of -110 and +100 is -5, not a price) and turned back into American odds
    at_cons = at_cons.assign(
        over_dec=american_decimal(at_cons["over_odds"]), under_dec=american_decimal(at_cons["under_odds"])
    )
    prices = at_cons.groupby(KEY).agg(
        best_over=("over_odds", "max"),
        best_under=("under_odds", "max"),
        median_over=("over_dec", "median"),
        median_under=("under_dec", "median"),
    )
    prices["median_over"] = decimal_american(prices["median_over"])
    prices["median_under"] = decimal_american(prices["median_under"])
    c = c.merge(prices.reset_index(), on=KEY, how="left")
    base = c.drop(
        columns=["actual_points", "actual_minutes", "line", "result", "profit", "odds", "went_over"],
        errors="ignore",
    )
    over = c["recommendation"] == "OVER"

    def graded_at(line: pd.Series, over_odds: pd.Series, under_odds: pd.Series) -> pd.DataFrame:
        p = base.assign(
            line=line.to_numpy(), over_odds=over_odds.to_numpy(), under_odds=under_odds.to_numpy()
        )
        return grade(p, actual)

    chosen = graded_at(c["chosen_line"], c["chosen_odds"].where(over), c["chosen_odds"].where(~over))
    best = graded_at(c["consensus_line"], c["best_over"], c["best_under"])
    median = graded_at(c["consensus_line"], c["median_over"], c["median_under"])
    out = c[["game_date", *KEY, "system", "side", "p_model", "p_market", "p_blend", "recommendation"]].copy()
    out["bookmaker"] = c["chosen_bookmaker"]
    out["line"] = c["chosen_line"]
    out["odds"] = c["chosen_odds"]
    out["p_win"] = c["chosen_p_win"]
    out["ev"] = c["chosen_ev"]
    if "chosen_snapshot_time" in c:
        out["snapshot_time"] = c["chosen_snapshot_time"]
    out["result"] = chosen["result"].to_numpy()
    out["profit"] = chosen["profit"].to_numpy()
    out["consensus_line"] = c["consensus_line"]
    out["result_consensus"] = best["result"].to_numpy()
    out["profit_consensus_best"] = best["profit"].to_numpy()
    out["profit_consensus_median"] = median["profit"].to_numpy()
    out["went_over"] = best["went_over"].to_numpy()
    return out


def summarise_market(calls: pd.DataFrame, staking: Any) -> dict[str, dict[str, Any]]:
    """Per system: Brier of model / market / blend on the same rows, the calls' hit rate and ROI
    (shopped, and at the consensus line's best and median price), CLV, bankroll under Kelly and flat.

    Args:
        calls: `market_calls` output (with the `clv.CLV_COLUMNS` when snapshots allow).
        staking: `core.config.StakingSettings`.
    """
    from nbaprops.pipeline.predict.clv import clv_summary
    from nbaprops.pipeline.predict.grading import BET_RESULTS
    from nbaprops.pipeline.predict.metrics import bootstrap_mean_ci, wilson
    from nbaprops.pipeline.predict.staking import simulate_bankroll

    def r(x: float | None, nd: int = 4) -> float | None:
        return None if x is None or not np.isfinite(x) else round(float(x), nd)

    def ci(v: np.ndarray) -> list[float | None] | None:
        got = bootstrap_mean_ci(v)
        return [r(got[0]), r(got[1])] if got else None

    out: dict[str, dict[str, Any]] = {}
    for system, g in calls.groupby("system", sort=False):
        b = g.dropna(subset=["went_over"])
        s: dict[str, Any] = {"n_eligible": len(g), "n_brier": len(b)}
        for col, name in (
            ("p_model", "brier_model"),
            ("p_market", "brier_market"),
            ("p_blend", "brier_blend"),
        ):
            s[name] = r(((b[col] - b["went_over"]) ** 2).mean()) if len(b) else None
        bets = g[g["result"].isin(BET_RESULTS)]
        wins = int((bets["result"] == "WIN").sum())
        decided = int(bets["result"].isin(("WIN", "LOSS")).sum())
        hit_ci = wilson(wins, decided)
        s.update(
            n_bets=len(bets),
            bet_wins=wins,
            hit_rate=r(wins / decided) if decided else None,
            hit_rate_ci=[r(hit_ci[0]), r(hit_ci[1])] if hit_ci else None,
            break_even=r(float((1.0 / (bets["odds"].map(_decimal))).mean())) if len(bets) else None,
            roi=r(bets["profit"].mean()) if len(bets) else None,
            roi_ci=ci(bets["profit"].to_numpy(float)),
            roi_consensus_best=r(bets["profit_consensus_best"].mean()) if len(bets) else None,
            roi_consensus_median=r(bets["profit_consensus_median"].mean()) if len(bets) else None,
            shopped_off_consensus=int((bets["line"] != bets["consensus_line"]).sum()),
            clv=clv_summary(bets),
        )
        stake_rows = g[g["recommendation"] != "PASS"].assign(p_win=lambda x: x["p_win"].astype(float))
        stake_rows = stake_rows[stake_rows["result"].isin((*BET_RESULTS, "VOID"))]
        s["bankroll"] = {
            "kelly": simulate_bankroll(stake_rows, staking, "kelly").to_json(),
            "flat": simulate_bankroll(stake_rows, staking, "flat").to_json(),
        }
        out[str(system)] = s
    return out


def _decimal(odds: float) -> float:
    return float(american_decimal(odds)[0])


def market_report(graded: pd.DataFrame, quotes: pd.DataFrame, *, edge: float, staking: Any) -> dict[str, Any]:
    """The ``market`` section of ``evaluate``: `market_calls`, their CLV, `summarise_market`.

    `quotes` without ``snapshot_time`` (the public archive's one labelled snapshot a day) give
    every call an undefined CLV (``n_clv`` 0).
    """
    from nbaprops.pipeline.predict.clv import closing_line_value

    if graded.empty:
        return {}
    calls = market_calls(graded, quotes, edge=edge)
    if calls.empty:
        return {}
    if "game_time_utc" in quotes:
        q = with_snapshot_times(quotes.dropna(subset=["player_id"]).astype({"player_id": "int64"}))
        calls = closing_line_value(calls, q, KEY)
    return summarise_market(calls, staking)
