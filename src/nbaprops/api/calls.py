"""The calls (picks) of a date, from the tables the pipeline writes.

Two prediction tables hold calls: ``predictions`` (the SQL baseline, graded in
``prediction_grades``) and ``system_predictions`` (every system and the ensemble, graded in
``system_prediction_grades``).  A call is a row with a line; its grade, when there is one,
is joined by (game, player, system).  Tables without a ``market`` column predict points;
a ``stake`` column is read where the predictions carry one.  Players ruled out come from
``player_availability`` (the latest status per player and game) when it has rows for the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from nbaprops.api.models import CallResult, Pick, Picks
from nbaprops.api.sorting import SORT_NAMES, SortKey
from nbaprops.storage import Warehouse
from nbaprops.storage.queries import api as q

__all__ = ["POINTS_MARKET", "SORT_KEYS", "SOURCES", "SortKey", "date_calls", "player_calls"]

POINTS_MARKET = "player_points"
"""The market of a prediction table that has no ``market`` column (it predicts points)."""

SOURCES: tuple[tuple[str, str], ...] = (
    ("predictions", "prediction_grades"),
    ("system_predictions", "system_prediction_grades"),
)
"""(prediction table, its grade table), in display order."""

AVAILABILITY = "player_availability"
AVAILABILITY_COLUMNS = frozenset({"game_date", "game_code", "player_id", "player_lookup", "status", "as_of"})

Key = tuple[str, int, str]


def _abs(v: float | None) -> float:
    return -1.0 if v is None else abs(v)


SORT_KEYS: Mapping[SortKey, Callable[[Pick], Any]] = {
    "edge": lambda p: -_abs(p.edge),
    "p_over": lambda p: -(p.p_over if p.p_over is not None else -1.0),
    "prediction": lambda p: -(p.prediction if p.prediction is not None else -1.0),
    "line": lambda p: -p.line,
    "price": lambda p: -(p.price if p.price is not None else -1e9),
    "stake": lambda p: -(p.stake if p.stake is not None else -1.0),
    "player": lambda p: (p.player_name or "").lower(),
    "game": lambda p: p.game_code,
    "system": lambda p: (p.source, p.system),
    "side": lambda p: p.side,
    "book": lambda p: p.book or "",
}
"""Sort columns: numbers largest first (``edge`` by its size), text A to Z."""
assert set(SORT_KEYS) == set(SORT_NAMES)


def _results(wh: Warehouse, sql: str, table: str, params: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    if not wh.has_table(table):
        return {}
    got = wh.query(sql.format(table=table), params).to_pylist()
    return {(r["game_code"], r["player_id"], r["system"]): r for r in got}


def _pick(source: str, row: dict[str, Any], graded: dict[str, Any] | None) -> Pick:
    side = row.get("recommendation") or "PASS"
    price = {"OVER": row.get("over_odds"), "UNDER": row.get("under_odds")}.get(side)
    g = graded or {}
    return Pick(
        game_date=row["game_date"],
        game_code=row["game_code"],
        player_id=row["player_id"],
        player_name=row.get("player_name"),
        team=row.get("team"),
        opponent=row.get("opponent"),
        source=source,
        system=row["system"],
        market=row.get("market") or POINTS_MARKET,
        line=row["line"],
        book=row.get("line_book"),
        over_odds=row.get("over_odds"),
        under_odds=row.get("under_odds"),
        price=price,
        side=side,
        prediction=row.get("predicted_points"),
        p_over=row.get("p_over"),
        edge=row.get("edge"),
        stake=row.get("stake"),
        reason=row.get("reason"),
        actual_points=g.get("actual_points"),
        result=g.get("result"),
        profit=g.get("profit"),
    )


def _all_calls(
    wh: Warehouse, calls_sql: str, results_sql: str, params: dict[str, Any], *, limit: int | None = None
) -> list[Pick]:
    out: list[Pick] = []
    for table, grades in SOURCES:
        if not wh.has_table(table):
            continue
        graded = _results(wh, results_sql, grades, params)
        call_params = params if limit is None else {**params, "limit": limit}
        for row in wh.query(calls_sql.format(table=table), call_params).to_pylist():
            key = (row["game_code"], row["player_id"], row["system"])
            out.append(_pick(table, row, graded.get(key)))
    return out


def _ruled_out(wh: Warehouse, day: dt.date) -> tuple[str, int | None]:
    """("tracked", players out) when a status was published for the date, else ("not tracked", None).

    No row for a date means nobody reported on it: not known, never "nobody is out".
    """
    if not set(wh.columns(AVAILABILITY)) >= AVAILABILITY_COLUMNS:
        return "not tracked", None
    reported, out = wh.rows(q.AVAILABILITY_OUT, {"day": day})[0]
    return ("tracked", int(out)) if reported else ("not tracked", None)


def _latest_date(wh: Warehouse, day: dt.date) -> dt.date | None:
    found = [
        got
        for table, _ in SOURCES
        if wh.has_table(table)
        for (got,) in wh.rows(q.LATEST_CALL_DATE.format(table=table), {"day": day})
        if got is not None
    ]
    return max(found) if found else None


def date_calls(
    wh: Warehouse,
    day: dt.date,
    *,
    market: str | None = None,
    system: str | None = None,
    book: str | None = None,
    side: str | None = None,
    sort: SortKey = "edge",
    limit: int | None = None,
    offset: int = 0,
) -> Picks:
    """The calls of a date, filtered, sorted and paged.

    Args:
        wh: the warehouse (read-only is fine).
        day: the game date.
        market: only this market (e.g. ``player_points``).
        system: only this system (e.g. ``ensemble``).
        book: only calls priced at this book.
        side: only OVER, UNDER or PASS calls.
        sort: a key of `SORT_KEYS`.
        limit: at most this many items (None: all).
        offset: skip this many first.

    Returns:
        `Picks`: the page, the total, the markets/books/systems of the date (for filters),
        players ruled out (when availability is tracked) and the latest date with calls.

    """
    key = SORT_KEYS[sort]
    everything = _all_calls(wh, q.CALLS_OF_DATE, q.RESULTS_OF_DATE, {"day": day})
    chosen = [
        p
        for p in everything
        if (market is None or p.market == market)
        and (system is None or p.system == system)
        and (book is None or p.book == book)
        and (side is None or p.side == side)
    ]
    chosen.sort(key=lambda p: (key(p), p.player_name or "", p.source, p.system))
    availability, out = _ruled_out(wh, day)
    page = chosen[offset:] if limit is None else chosen[offset : offset + limit]
    return Picks(
        date=day,
        total=len(chosen),
        limit=len(page) if limit is None else limit,
        offset=offset,
        items=page,
        availability=availability,
        ruled_out=out,
        latest_date=day if everything else _latest_date(wh, day),
        markets=sorted({p.market for p in everything}),
        books=sorted({p.book for p in everything if p.book}),
        systems=sorted({p.system for p in everything}),
    )


def player_calls(wh: Warehouse, player_id: int, *, limit: int) -> list[CallResult]:
    """A player's most recent calls of every system with their results, newest first."""
    calls = _all_calls(wh, q.CALLS_OF_PLAYER, q.RESULTS_OF_PLAYER, {"player_id": player_id}, limit=limit)
    calls.sort(key=lambda p: (p.game_date, p.source, p.system), reverse=True)
    return [
        CallResult(
            game_date=p.game_date,
            game_code=p.game_code,
            player_name=p.player_name,
            source=p.source,
            system=p.system,
            line=p.line,
            side=p.side,
            prediction=p.prediction,
            edge=p.edge,
            actual_points=p.actual_points,
            result=p.result,
        )
        for p in calls[:limit]
    ]
