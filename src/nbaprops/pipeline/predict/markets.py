"""Per-market settings: what each player-prop market counts, its edge, how it is distributed.

Market names are The Odds API's (the ``market`` column of ``raw_prop_lines``).  A market
counts a box-score stat (``parts``: the box columns summed; PRA is points + rebounds +
assists) or, for the yes/no markets, whether a double-double / triple-double happened
(1/0 from the box: at least 2 / 3 of points, rebounds, assists, steals, blocks at 10 or
more).  ``edge`` is the default minimum |prediction - line| for a call, in the market's
own units (points for points, threes for threes); ``player_points`` takes
``Settings.edge`` (``NBAPROPS_EDGE``) instead, as before.

Every prediction system predicts one stat (its feature rows carry that stat in the
``points`` column, see `with_stat`); a market of several parts is predicted part by part
and summed (`engine.DayPredictor`), so its distribution is consistent with its parts'.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nbaprops.core.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MARKETS",
    "POINTS",
    "STATS",
    "WAREHOUSE_STATS",
    "Market",
    "get_market",
    "market_edge",
    "stat_values",
    "with_stat",
]

STATS: tuple[str, ...] = ("pts", "reb", "ast", "fg3m", "stl", "blk")
"""Box-score stats a market can count (the public box columns)."""

WAREHOUSE_STATS: dict[str, str] = {
    "pts": "points",
    "reb": "rebounds",
    "ast": "assists",
    "fg3m": "fg3m",
    "stl": "steals",
    "blk": "blocks",
}
"""The same stats as ``player_game_summary`` names them."""

_DOUBLE_PARTS = ("pts", "reb", "ast", "stl", "blk")


@dataclass(frozen=True)
class Market:
    """One player-prop market.

    Attributes:
        name: The Odds API market key (``player_threes``).
        label: a short name for tables (``threes``).
        parts: box stats summed to the market's count (one for most markets).
        edge: default minimum |prediction - line| for a call, in the market's units.
        kind: ``count`` (a sum of counts: over/under a line) or ``binary`` (yes/no: the
            prediction is P(yes), the line 0.5).
        doubles: for binary markets, how many of the five stats must reach 10.
    """

    name: str
    label: str
    parts: tuple[str, ...]
    edge: float
    kind: Literal["count", "binary"] = "count"
    doubles: int = 0

    @property
    def composite(self) -> bool:
        """Whether the market sums several predicted parts (PRA)."""
        return self.kind == "count" and len(self.parts) > 1

    @property
    def predicted(self) -> tuple[str, ...]:
        """What the systems predict: each part of a count market; a yes/no market's 1/0 itself."""
        return (self.name,) if self.kind == "binary" else self.parts


MARKETS: dict[str, Market] = {
    m.name: m
    for m in (
        Market("player_points", "points", ("pts",), 2.0),
        Market("player_rebounds", "rebounds", ("reb",), 1.0),
        Market("player_assists", "assists", ("ast",), 1.0),
        Market("player_threes", "threes", ("fg3m",), 0.5),
        Market("player_points_rebounds_assists", "PRA", ("pts", "reb", "ast"), 3.0),
        Market("player_steals", "steals", ("stl",), 0.5),
        Market("player_blocks", "blocks", ("blk",), 0.5),
        Market("player_double_double", "double-double", _DOUBLE_PARTS, 0.0, "binary", 2),
        Market("player_triple_double", "triple-double", _DOUBLE_PARTS, 0.0, "binary", 3),
    )
}
"""Every market, in reporting order."""

POINTS = MARKETS["player_points"]


def get_market(name: str) -> Market:
    """The market called `name`.

    Raises:
        InputError: an unknown name (the message lists the known ones).
    """
    m = MARKETS.get(name)
    if m is None:
        raise InputError(f"unknown market {name!r}: expected one of {', '.join(MARKETS)}")
    return m


def market_edge(market: Market, points_edge: float) -> float:
    """The edge a market's calls need: ``Settings.edge`` for points, else the market's own."""
    return points_edge if market.name == POINTS.name else market.edge


def stat_values(box: pd.DataFrame, market: Market) -> pd.Series:
    """The market's count per box row (NaN where a part is unknown, e.g. threes without counts).

    Args:
        box: public box rows (columns ``pts, reb, ast, fg3m, stl, blk``).
        market: the market.
    """
    parts = box.loc[:, list(market.parts)].astype("float64")
    if market.kind == "binary":
        tens = (parts >= 10).sum(axis=1).astype("float64")
        out = (tens >= market.doubles).astype("float64")
        return out.where(parts.notna().all(axis=1))
    return parts.sum(axis=1, min_count=len(market.parts)).where(parts.notna().all(axis=1))


def with_stat(box: pd.DataFrame, stat: str | Market) -> pd.DataFrame:
    """`box` with ``points`` replaced by one stat or a market's count: what the systems predict.

    The prediction systems and their features read the target from ``points``; a market's
    part is predicted by handing them box rows whose ``points`` is that part.

    Args:
        box: public box rows.
        stat: a box stat (`STATS`), a market, or a market's name (its count).
    """
    out = box.copy()
    if isinstance(stat, str) and stat in STATS:
        out["points"] = box[stat].astype("float64")
    else:
        out["points"] = stat_values(box, stat if isinstance(stat, Market) else get_market(stat))
    return out
