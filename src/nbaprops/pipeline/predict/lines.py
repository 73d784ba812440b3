"""One consensus points line per player-game, and the prices to bet it at.

Choice (documented in docs/evaluation.md): among each book's *primary* line
(``is_primary_line``: the one whose over/under prices are closest, so
alternates are ignored), take the line offered by the most books; ties go
to the lower line (the same rule as ``predictions.sql``).  The price of a bet
is the best price any book offers **at that line** for the side taken, in the
day's single pre-game snapshot.  The market's P(over) is the de-vigged
probability ``imp(over) / (imp(over) + imp(under))`` averaged over those books.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.pricing import american_decimal

__all__ = ["american_payout", "consensus_lines", "implied_probability"]


def implied_probability(odds: np.ndarray | pd.Series) -> np.ndarray:
    """Implied probability of American odds (vectorised; NaN where they are not a price:
    0 or strictly between -100 and +100, see `pricing.american_decimal`)."""
    return np.asarray(1.0 / american_decimal(odds), dtype="float64")


def american_payout(odds: np.ndarray | pd.Series | float) -> np.ndarray:
    """Profit per 1-unit stake when a bet at American `odds` wins (NaN where they are not a price)."""
    return np.asarray(american_decimal(odds) - 1.0, dtype="float64")


def consensus_lines(props: pd.DataFrame) -> pd.DataFrame:
    """One row per (player, game): the consensus line, best prices and market P(over).

    Args:
        props: lines with ``game_date, game_key, player_id, player_name_norm,
            bookmaker, line, over_odds, under_odds, is_primary_line`` (``player_id``
            may be NULL for names the source could not match).

    Returns:
        ``game_date, game_key, player_id, player_name_norm, line, n_books,
        over_odds, over_book, under_odds, under_book, market_p_over``.
    """
    p = props[props["is_primary_line"].fillna(False).astype(bool)].copy()
    p = p.dropna(subset=["line", "over_odds", "under_odds"])
    key = ["game_date", "game_key", "player_name_norm"]
    if p.empty:
        cols = [*key, "player_id", "line", "n_books", "over_odds", "over_book", "under_odds"]
        return pd.DataFrame(columns=[*cols, "under_book", "market_p_over"])
    counts = p.groupby([*key, "line"], dropna=False).agg(n_books=("bookmaker", "nunique")).reset_index()
    counts = counts.sort_values([*key, "n_books", "line"], ascending=[True, True, True, False, True])
    pick = counts.drop_duplicates(key, keep="first")
    at = p.merge(pick, on=[*key, "line"])
    io, iu = implied_probability(at["over_odds"]), implied_probability(at["under_odds"])
    at["p_fair"] = io / (io + iu)
    best_over = at.loc[at.groupby(key)["over_odds"].idxmax(), [*key, "over_odds", "bookmaker"]]
    best_under = at.loc[at.groupby(key)["under_odds"].idxmax(), [*key, "under_odds", "bookmaker"]]
    agg = at.groupby(key).agg(
        player_id=("player_id", "max"),
        line=("line", "first"),
        n_books=("n_books", "first"),
        market_p_over=("p_fair", "mean"),
    )
    out = (
        agg.reset_index()
        .merge(best_over.rename(columns={"bookmaker": "over_book"}), on=key)
        .merge(best_under.rename(columns={"bookmaker": "under_book"}), on=key)
    )
    return out.sort_values(key).reset_index(drop=True)
