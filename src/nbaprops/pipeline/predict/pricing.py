"""Pricing, the market's side of a call: checked prices, de-vigged probabilities, consensus,
line shopping, and the model-market blend.

- **Prices are checked where they are used** (`price_flags`): a quote whose American odds are
  missing, 0 or strictly between -100 and +100, whose line is not a finite number >= 0, or whose
  book or market is unknown is *flagged* (the flag names what is wrong) and never priced;
  `american_decimal` gives NaN for such odds, never a number.
- **De-vig** (`devig`), two-way: each side's implied probability ``1/decimal`` is normalised so the
  pair sums to 1 (``multiplicative``, the default), or raised to the power ``k`` that makes the pair
  sum to 1 (``power``: shades the favourite less than the long shot).
- **Consensus** (`consensus`): per player-game-market, the line most books offer among their primary
  lines (ties: the lower line) and the mean de-vigged P(over) of the books at that line.
- **Line shopping** (`shop`): per player-game-market and side, every valid quote of every book
  (alternate lines included: they are real offers) is compared by *expected value at its own line and
  price*, from a probability of the side at that line.  So a lower over line at a worse price wins
  when the probability gained by the better number is worth more than the price lost, and the other
  way round.  Ties: the better number, then the better price, then the book's name.
- **Blend** (`MarketBlend`): a logistic regression of the outcome on ``logit(p_model)`` and
  ``logit(p_market)``, fitted per system on graded rows dated before the date only; until a system
  has `MIN_BLEND_ROWS` of them the prior ``0.5·logit(p_model) + 0.5·logit(p_market)`` is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from nbaprops.pipeline.raw.schemas import MARKETS
from nbaprops.sources.odds_api import BOOKMAKERS

__all__ = [
    "BOOK_ALIASES",
    "FLAGS",
    "KNOWN_BOOKS",
    "KNOWN_MARKETS",
    "MIN_BLEND_ROWS",
    "MarketBlend",
    "american_decimal",
    "canonical_book",
    "consensus",
    "decimal_american",
    "devig",
    "expected_value",
    "price_flags",
    "shop",
]

KNOWN_MARKETS = MARKETS
"""The Odds API's player-prop market keys that `raw_prop_lines` holds."""

KNOWN_BOOKS = BOOKMAKERS
"""The Odds API's US bookmaker keys (the archive's own titles map onto them: `canonical_book`)."""

BOOK_ALIASES = {
    "betonline.ag": "betonlineag",
    "caesars": "williamhill_us",
    "pointsbet (us)": "pointsbetus",
    "unibet": "unibet_us",
    "barstool sportsbook": "barstool",
}
"""Book titles some archives use instead of keys (the SilverCrocus PRA file) -> the key."""

FLAGS = ("unknown market", "unknown book", "bad line", "bad price", "no price")
"""Why a quote is not priced, in the order they are checked (the first that applies is kept)."""

MIN_BLEND_ROWS = 300
"""Graded rows a system needs before its model-market blend is fitted (a choice, not a fit)."""
PRIOR_WEIGHTS = (0.0, 0.5, 0.5)
"""(intercept, model, market) in logit space before the blend is fitted."""
_EPS = 1e-6


def american_decimal(odds: Any) -> np.ndarray:
    """Decimal odds of American `odds` (vectorised); NaN where the odds are not a valid price.

    Valid American odds are <= -100 or >= +100 (``±100`` is evens); 0, anything strictly
    between them, NaN and non-numbers are not prices.
    """
    o = pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(odds, dtype=object))), errors="coerce")
    o = o.to_numpy(dtype="float64")
    ok = np.isfinite(o) & (np.abs(o) >= 100.0)
    a = np.where(ok, np.abs(o), np.nan)
    return np.where(o > 0, 1.0 + a / 100.0, 1.0 + 100.0 / a)


def decimal_american(decimal: Any) -> np.ndarray:
    """American odds of decimal odds (vectorised); NaN where the decimal odds are not above 1."""
    d = np.asarray(decimal, dtype="float64")
    ok = np.isfinite(d) & (d > 1.0)
    e = np.where(ok, d - 1.0, np.nan)
    return np.asarray(np.where(e >= 1.0, e * 100.0, -100.0 / e), dtype="float64")


def expected_value(p_win: Any, odds: Any) -> np.ndarray:
    """Expected profit per unit staked at American `odds`: ``p·(decimal-1) - (1-p)`` (NaN: bad price)."""
    p = np.asarray(p_win, dtype="float64")
    return np.asarray(p * american_decimal(odds) - 1.0, dtype="float64")


def canonical_book(book: Any) -> str | None:
    """The Odds API key of a bookmaker name (aliases resolved), or None when it is not a known book."""
    if not isinstance(book, str):
        return None
    b = book.strip().lower()
    b = BOOK_ALIASES.get(b, b)
    return b if b in KNOWN_BOOKS else None


def _book_keys(books: pd.Series) -> pd.Series:
    """`canonical_book` of every row (looked up once per distinct name)."""
    names = pd.Series(books, dtype=object)
    keys = {b: canonical_book(b) for b in names.dropna().unique()}
    return names.map(keys)


def price_flags(quotes: pd.DataFrame) -> np.ndarray:
    """Per quote, why it cannot be priced (`FLAGS`), or None when it can.

    Args:
        quotes: ``bookmaker, line, over_odds, under_odds`` and optionally ``market``.
    """
    n = len(quotes)
    flags = np.full(n, None, dtype=object)
    market = quotes["market"] if "market" in quotes else pd.Series(["player_points"] * n, index=quotes.index)
    line = pd.to_numeric(quotes["line"], errors="coerce").to_numpy(dtype="float64")
    over = pd.to_numeric(quotes["over_odds"], errors="coerce").to_numpy(dtype="float64")
    under = pd.to_numeric(quotes["under_odds"], errors="coerce").to_numpy(dtype="float64")

    def invalid(o: np.ndarray) -> np.ndarray:
        return np.asarray(np.isfinite(o) & (np.abs(o) < 100.0), dtype=bool)

    checks = (
        ("unknown market", ~market.isin(KNOWN_MARKETS).to_numpy()),
        ("unknown book", _book_keys(quotes["bookmaker"]).isna().to_numpy()),
        ("bad line", ~np.isfinite(line) | (line < 0)),
        ("bad price", invalid(over) | invalid(under)),
        ("no price", ~np.isfinite(over) | ~np.isfinite(under)),
    )
    for why, mask in checks:
        new = mask & pd.isna(flags)
        flags[new] = why
    return flags


def devig(
    over_odds: Any, under_odds: Any, method: Literal["multiplicative", "power"] = "multiplicative"
) -> np.ndarray:
    """The fair P(over) of a two-way over/under quote (vectorised; NaN where a price is invalid)."""
    io = 1.0 / american_decimal(over_odds)
    iu = 1.0 / american_decimal(under_odds)
    if method == "multiplicative":
        return np.asarray(io / (io + iu), dtype="float64")
    if method != "power":
        raise ValueError(f"unknown de-vig method {method!r} (multiplicative or power)")
    # io^k + iu^k = 1: k > 1 with a positive overround; bisection on [0.5, 3] (60 halvings)
    lo, hi = np.full(io.shape, 0.5), np.full(io.shape, 3.0)
    for _ in range(60):
        k = (lo + hi) / 2
        high = io**k + iu**k > 1.0
        lo, hi = np.where(high, k, lo), np.where(high, hi, k)
    k = (lo + hi) / 2
    return np.asarray(np.where(np.isfinite(io + iu), io**k, np.nan), dtype="float64")


def consensus(
    quotes: pd.DataFrame, key: Sequence[str], method: Literal["multiplicative", "power"] = "multiplicative"
) -> pd.DataFrame:
    """The consensus line and the market's P(over) per `key` (valid primary quotes only).

    Returns:
        `key` + ``line, n_books, market_p_over`` (mean of the de-vigged P(over) of the books
        quoting the consensus line) + ``market_p_over_sd`` (their spread: 0 with one book).
    """
    key = list(key)
    q = quotes[pd.isna(price_flags(quotes))]
    if "is_primary_line" in q:
        q = q[q["is_primary_line"].fillna(False).astype(bool)]
    q = q.assign(p_fair=devig(q["over_odds"], q["under_odds"], method), line=q["line"].astype(float))
    cols = [*key, "line", "n_books", "market_p_over", "market_p_over_sd"]
    if q.empty:
        return pd.DataFrame(columns=cols)
    counts = q.groupby([*key, "line"], dropna=False)["bookmaker"].nunique().rename("n_books").reset_index()
    counts = counts.sort_values([*key, "n_books", "line"], ascending=[True] * len(key) + [False, True])
    pick = counts.drop_duplicates(key, keep="first")
    at = q.merge(pick, on=[*key, "line"])
    agg = at.groupby(key, dropna=False).agg(
        line=("line", "first"),
        n_books=("n_books", "first"),
        market_p_over=("p_fair", "mean"),
        market_p_over_sd=("p_fair", lambda s: float(np.std(s))),
    )
    return agg.reset_index().loc[:, cols]


def shop(
    candidates: pd.DataFrame, key: Sequence[str], side: np.ndarray | str, *, carry: Sequence[str] = ()
) -> pd.DataFrame:
    """The best quote per `key` for the side, by expected value at each quote's own line and price.

    Args:
        candidates: one row per valid quote (flagged quotes are dropped here), with `key`,
            ``bookmaker, line, over_odds, under_odds`` and ``p_over``: the probability of the
            over *at that quote's line* (the caller's: model, blend or market).
        key: the columns naming one bet (player-game-market).
        side: ``OVER`` / ``UNDER`` for every row, or one per row.
        carry: more columns of the chosen quote to return (e.g. ``snapshot_time``).

    Returns:
        One row per `key` with a valid quote: `key`, ``side, bookmaker, line, odds, p_win, ev``.
    """
    key = list(key)
    ok = pd.isna(price_flags(candidates))
    sides = np.broadcast_to(np.asarray(side, dtype=object), (len(candidates),))
    c = candidates[ok].copy()
    c["side"] = sides[ok]
    c["line"] = pd.to_numeric(c["line"], errors="coerce").astype("float64")
    over = c["side"].to_numpy() == "OVER"
    c["odds"] = np.where(over, c["over_odds"].astype(float), c["under_odds"].astype(float))
    c["p_win"] = np.where(over, c["p_over"].astype(float), 1.0 - c["p_over"].astype(float))
    c["ev"] = expected_value(c["p_win"], c["odds"])
    c = c[np.isfinite(c["ev"])]
    c["number"] = np.where(c["side"] == "OVER", c["line"], -c["line"])  # lower is better for the bettor
    c["book_key"] = _book_keys(c["bookmaker"])
    c = c.sort_values(
        [*key, "ev", "number", "odds", "book_key"], ascending=[True] * len(key) + [False, True, False, True]
    )
    best = c.drop_duplicates(key, keep="first")
    return best.loc[:, [*key, "side", "bookmaker", "line", "odds", "p_win", "ev", *carry]].reset_index(
        drop=True
    )


def _logit(p: Any) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype="float64"), _EPS, 1.0 - _EPS)
    return np.asarray(np.log(q / (1.0 - q)), dtype="float64")


class MarketBlend:
    """P(over) from the model's and the market's, by a logistic blend fitted walk-forward.

    `fit` reads, per system, graded rows dated strictly before `as_of` with ``system,
    game_date, p_model, p_market, went_over``; a system with fewer than `min_rows` keeps the prior.
    """

    def __init__(self, *, min_rows: int = MIN_BLEND_ROWS) -> None:
        self.min_rows = min_rows
        self.weights: dict[str, tuple[float, float, float]] = {}
        self.fitted_on: dict[str, int] = {}

    def fit(self, graded: pd.DataFrame, as_of: dt.date) -> None:
        """Fit one blend per system on the rows dated before `as_of`."""
        from sklearn.linear_model import LogisticRegression

        self.weights.clear()
        self.fitted_on.clear()
        if graded.empty:
            return
        g = graded[pd.to_datetime(graded["game_date"]) < pd.Timestamp(as_of)]
        g = g.dropna(subset=["p_model", "p_market", "went_over"])
        for system, rows in g.groupby("system"):
            if len(rows) < self.min_rows or rows["went_over"].nunique() < 2:
                continue
            x = np.column_stack([_logit(rows["p_model"]), _logit(rows["p_market"])])
            lr = LogisticRegression(C=1e6, solver="newton-cholesky", max_iter=100)
            lr.fit(x, rows["went_over"].to_numpy(float))
            self.weights[str(system)] = (
                float(lr.intercept_[0]),
                float(lr.coef_[0][0]),
                float(lr.coef_[0][1]),
            )
            self.fitted_on[str(system)] = len(rows)

    def apply(self, system: str, p_model: Any, p_market: Any) -> np.ndarray:
        """The blended P(over) (NaN where either input is)."""
        a, b, c = self.weights.get(system, PRIOR_WEIGHTS)
        pm, pk = np.asarray(p_model, dtype="float64"), np.asarray(p_market, dtype="float64")
        z = a + b * _logit(pm) + c * _logit(pk)
        return np.asarray(
            np.where(np.isnan(pm) | np.isnan(pk), np.nan, 1.0 / (1.0 + np.exp(-z))), dtype="float64"
        )
