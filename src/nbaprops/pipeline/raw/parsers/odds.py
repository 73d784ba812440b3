"""The Odds API payloads (live and historical): events, game lines, player props of every market."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pyarrow as pa

from nbaprops.core.errors import DataError
from nbaprops.core.ids import game_code
from nbaprops.pipeline.raw import schemas
from nbaprops.pipeline.raw.parsers._util import (
    as_id,
    as_text,
    et_date,
    load_json,
    lookup,
    need,
    need_list,
    parse_utc,
    team_abbr,
    to_table,
)
from nbaprops.pipeline.raw.schemas import DECIMAL_ODDS
from nbaprops.sources import odds_api

__all__ = ["OVERROUND", "YES_NO", "parse_events", "parse_game_lines", "parse_player_props"]

GAME_MARKETS = frozenset({"h2h", "spreads", "totals"})


def _unwrap(kind: str, doc: Any) -> tuple[Any, dt.datetime | None]:
    """Historical answers wrap the live shape: ``{"timestamp", "data"}``."""
    if isinstance(doc, dict) and "timestamp" in doc:
        return need(kind, doc, "data"), parse_utc(kind, doc["timestamp"], "timestamp")
    return doc, None


def _event(kind: str, e: dict[str, Any]) -> dict[str, Any]:
    start = parse_utc(kind, need(kind, e, "commence_time"), "commence_time")
    day = et_date(start)
    home = team_abbr(kind, need(kind, e, "home_team"), "home_team")
    away = team_abbr(kind, need(kind, e, "away_team"), "away_team")
    return {
        "source": "odds_api",
        "event_id": as_id(kind, need(kind, e, "id"), "id"),
        "commence_time": start,
        "game_date": day,
        "game_code": game_code(day, away, home),
        "away_team": away,
        "home_team": home,
        "status": None,
    }


def parse_events(content: bytes, kind: str = "oddsa_events_his") -> pa.Table:
    """Events (one row each); ``[]`` / ``data: []`` is a valid day without games."""
    data, _ = _unwrap(kind, load_json(kind, content))
    if not isinstance(data, list):
        raise DataError(f"{kind}: events payload is not a list")
    return to_table(kind, [_event(kind, e) for e in data], schemas.EVENTS)


def _markets(
    kind: str, content: bytes
) -> tuple[dict[str, Any], dt.datetime | None, list[tuple[str, dict[str, Any]]]]:
    data, snap = _unwrap(kind, load_json(kind, content))
    ev = _event(kind, data)
    out = []
    for b in need_list(kind, data, "bookmakers"):
        for m in need_list(kind, b, "markets"):
            out.append((need(kind, b, "key"), m))
    return ev, snap, out


def parse_game_lines(content: bytes, kind: str = "oddsa_game_lines_his") -> pa.Table:
    """One event's h2h/spreads/totals: one row per (bookmaker, market, outcome)."""
    ev, snap, markets = _markets(kind, content)
    rows = []
    for book, m in markets:
        key = need(kind, m, "key")
        if key not in GAME_MARKETS:
            continue
        when = snap or parse_utc(kind, need(kind, m, "last_update"), "bookmakers.markets.last_update")
        for o in need_list(kind, m, "outcomes"):
            name = need(kind, o, "name")
            outcome = name if key == "totals" else team_abbr(kind, name, "bookmakers.markets.outcomes.name")
            rows.append(
                {
                    "source": "odds_api",
                    "event_id": ev["event_id"],
                    "game_code": ev["game_code"],
                    "snapshot_time": when,
                    "bookmaker": book,
                    "market": key,
                    "outcome": outcome,
                    "point": o.get("point"),
                    "price": need(kind, o, "price"),
                }
            )
    return to_table(kind, rows, schemas.GAME_LINES)


def parse_player_props(content: bytes, kind: str = "oddsa_player_props_his") -> pa.Table:
    """One event's player props, every market: one row per (bookmaker, market, player, line).

    Over/Under outcomes (Yes/No for double- and triple-double, which have no line) are merged
    into one row with both decimal prices.  A quote that cannot be used as it stands is kept
    with a ``flag`` naming why, its prices nulled when they are the problem, never passed on as
    a price: odds that are not decimal odds above 1 (0, an American price such as -110), an
    over/under pair whose implied probabilities cannot come from one book, a bookmaker outside
    `odds_api.BOOKMAKERS`, a player market outside `odds_api.PLAYER_MARKETS`.  A line that is
    not a number of points cannot be paired with its other side: that is a one-line error.

    An event without bookmakers is a valid empty answer; bookmakers that carry only game
    markets mean the request asked for the wrong thing and raise.

    Raises:
        DataError: the payload holds markets but no ``player_*`` market, or a line is not a
            number (naming the book, market and player).
    """
    ev, snap, markets = _markets(kind, content)
    props = [(b, m) for b, m in markets if str(need(kind, m, "key")).startswith("player_")]
    if markets and not props:
        keys = sorted({str(m.get("key")) for _, m in markets})
        raise DataError(
            f"{kind}: payload holds markets {','.join(keys)} but no player_* market (wrong request?)"
        )
    merged: dict[tuple[str, str, str, object], dict[str, Any]] = {}
    for book, m in props:
        key = str(m["key"])
        when = snap or parse_utc(kind, need(kind, m, "last_update"), "bookmakers.markets.last_update")
        for o in need_list(kind, m, "outcomes"):
            player = as_text(kind, need(kind, o, "description"), "bookmakers.markets.outcomes.description")
            side = _SIDES.get(str(need(kind, o, "name")).lower())
            if side is None:
                raise DataError(f"{kind}: outcome name {o.get('name')!r} is neither Over/Under nor Yes/No")
            line = _line(kind, o, yes_no=key in YES_NO, where=f"{book} {key} {player}")
            row = merged.setdefault(
                (book, key, player, line),
                {
                    "source": "odds_api",
                    "event_id": ev["event_id"],
                    "game_code": ev["game_code"],
                    "snapshot_time": when,
                    "bookmaker": book,
                    "commence_time": ev["commence_time"],
                    "market": key,
                    "player_name": player,
                    "player_lookup": lookup(player),
                    "line": line,
                    "over_price": None,
                    "under_price": None,
                    "flag": _quote_flag(book, key),
                },
            )
            price, bad_price = _price(need(kind, o, "price"))
            row[f"{side}_price"] = price
            row["flag"] = row["flag"] or (bad_price and f"{side} {bad_price}")
    rows = list(merged.values())
    for row in rows:
        row["flag"] = row["flag"] or _pair_flag(row["over_price"], row["under_price"])
        if row["flag"] and row["flag"].startswith(("over", "under", "over/under")):
            row["over_price"] = row["under_price"] = None  # one bad side: the pair is no price at all
    return to_table(kind, rows, schemas.PROP_LINES)


YES_NO = frozenset({"player_double_double", "player_triple_double"})
"""Markets quoted Yes/No without a line (Yes is stored as the over price, No as the under)."""
_SIDES = {"over": "over", "under": "under", "yes": "over", "no": "under"}
OVERROUND = (0.98, 1.5)
"""Sum of an over/under pair's implied probabilities one book can quote (its margin): below,
the prices pay more than certainty (not one book's pair, or a mis-read format); above, no book
prices a two-way market that way."""


def _line(kind: str, outcome: dict[str, Any], *, yes_no: bool, where: str) -> float | None:
    """The outcome's line (none for a Yes/No market).

    Raises:
        SchemaDriftError: an Over/Under outcome without ``point``.
        DataError: a line that is not a number of points: its over and under could not be
            paired, so no row of the payload could be trusted to be the quote it claims.
    """
    if yes_no and outcome.get("point") is None:
        return None
    value = need(kind, outcome, "point")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DataError(f"{kind}: line {value!r} is not a number ({where})")
    if not 0 <= value <= 100:
        raise DataError(f"{kind}: line {value!r} is out of range [0, 100] ({where})")
    return float(value)


def _price(value: Any) -> tuple[float | None, str | None]:
    """(decimal price, flag): decimal odds pay more than the stake back (> 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None, f"price {value!r} is not a number"
    if not 1.0 < value <= DECIMAL_ODDS[1]:
        return None, f"price {value!r} is not decimal odds (> 1.0)"
    return float(value), None


def _pair_flag(over: float | None, under: float | None) -> str | None:
    if over is None or under is None:
        return None
    total = 1 / over + 1 / under
    if not OVERROUND[0] <= total <= OVERROUND[1]:
        return f"over/under prices {over:g}/{under:g} imply {total:.1%} in total: not one book's pair"
    return None


def _quote_flag(book: str, market: str) -> str | None:
    if market not in odds_api.PLAYER_MARKETS:
        return f"unknown market {market!r}"
    if book not in odds_api.BOOKMAKERS:
        return f"unknown bookmaker {book!r}"
    return None
