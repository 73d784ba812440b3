"""The Odds API payloads (live and historical): events, game lines, player points props."""

from __future__ import annotations

import datetime as dt
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

__all__ = ["parse_events", "parse_game_lines", "parse_player_props"]

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
    """One event's player props: one row per (bookmaker, player, line) with both prices.

    An event without bookmakers is a valid empty answer; bookmakers that carry
    only game markets mean the request asked for the wrong thing and raise.

    Raises:
        DataError: when the payload holds markets but no ``player_*`` market.
    """
    ev, snap, markets = _markets(kind, content)
    props = [(b, m) for b, m in markets if str(need(kind, m, "key")).startswith("player_")]
    if markets and not props:
        keys = sorted({m["key"] for _, m in markets})
        raise DataError(
            f"{kind}: payload holds markets {','.join(keys)} but no player_* market (wrong request?)"
        )
    merged: dict[tuple[str, str, str, float], dict[str, Any]] = {}
    for book, m in props:
        when = snap or parse_utc(kind, need(kind, m, "last_update"), "bookmakers.markets.last_update")
        for o in need_list(kind, m, "outcomes"):
            player = as_text(kind, need(kind, o, "description"), "bookmakers.markets.outcomes.description")
            side = str(need(kind, o, "name")).lower()
            line = float(need(kind, o, "point"))
            row = merged.setdefault(
                (book, m["key"], player, line),
                {
                    "source": "odds_api",
                    "event_id": ev["event_id"],
                    "game_code": ev["game_code"],
                    "snapshot_time": when,
                    "bookmaker": book,
                    "market": m["key"],
                    "player_name": player,
                    "player_lookup": lookup(player),
                    "line": line,
                    "over_price": None,
                    "under_price": None,
                },
            )
            if side not in ("over", "under"):
                raise DataError(f"{kind}: outcome name {side!r} is neither Over nor Under")
            row[f"{side}_price"] = float(need(kind, o, "price"))
    return to_table(kind, list(merged.values()), schemas.PROP_LINES)
