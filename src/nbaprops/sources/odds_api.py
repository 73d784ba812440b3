"""The Odds API (``api.the-odds-api.com/v4``): events, game lines and player props of every market.

Live and historical endpoints; historical answers wrap the live shape in
``{"timestamp", "previous_timestamp", "next_timestamp", "data"}``.  The key is
the ``apiKey`` query parameter (``NBAPROPS_KEYS__ODDS_API``); it is added by
the HTTP client at send time and never stored or logged.
"""

from __future__ import annotations

import datetime as dt

from nbaprops.sources.base import Request, json_shape, list_at
from nbaprops.sources.http import SourceProfile

__all__ = [
    "BOOKMAKERS",
    "GAME_MARKETS",
    "PLAYER_MARKETS",
    "PROFILE",
    "PROP_MARKETS",
    "events",
    "historical_events",
    "historical_game_lines",
    "historical_player_props",
    "player_props",
]

PROFILE = SourceProfile(
    name="odds_api",
    base_url="https://api.the-odds-api.com/v4",
    headers={"Accept": "application/json"},
    key="odds_api",
    key_in="query",
    key_field="apiKey",
)
SPORT = "basketball_nba"
GAME_MARKETS = "h2h,spreads,totals"
PLAYER_MARKETS: tuple[str, ...] = (
    "player_points",
    "player_rebounds",
    "player_assists",
    "player_threes",
    "player_points_rebounds_assists",
    "player_blocks",
    "player_steals",
    "player_double_double",
    "player_triple_double",
)
"""The player markets asked for (The Odds API keys; ``raw_prop_lines.market`` uses the same names)."""
PROP_MARKETS = ",".join(PLAYER_MARKETS)
BOOKMAKERS = frozenset(
    {
        # region "us"
        "betonlineag", "betmgm", "betrivers", "betus", "bovada", "draftkings", "fanatics", "fanduel",
        "lowvig", "mybookieag", "williamhill_us",
        # region "us2" and keys The Odds API has served for US books
        "ballybet", "betanysports", "betparx", "espnbet", "fliff", "hardrockbet", "rebet", "windcreek",
        "pointsbetus", "superbook", "twinspires", "unibet_us", "wynnbet", "barstool", "circasports",
        "sisportsbook", "tipico_us", "foxbet",
    }
)  # fmt: skip
"""Bookmaker keys a price is accepted from; a quote from any other book is kept in the raw
table with a ``flag`` and never reaches ``raw_prop_lines`` until it is added here."""


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def events() -> Request:
    """Upcoming events (live)."""
    return Request(
        "oddsa_events", PROFILE, f"sports/{SPORT}/events", validate=None, empty=lambda b: b.strip() == b"[]"
    )


def player_props(event_id: str) -> Request:
    """Current player props of one event, every market of `PLAYER_MARKETS` (live)."""
    return Request(
        "oddsa_player_props",
        PROFILE,
        f"sports/{SPORT}/events/{event_id}/odds",
        {"regions": "us", "markets": PROP_MARKETS, "oddsFormat": "decimal"},
        validate=json_shape("bookmakers"),
        empty=list_at("bookmakers"),
    )


def historical_events(at: dt.datetime) -> Request:
    """Events as listed at a moment (snapshot); ``data == []`` is a day without games."""
    return Request(
        "oddsa_events_his",
        PROFILE,
        f"historical/sports/{SPORT}/events",
        {"date": _iso(at)},
        validate=json_shape("data", "timestamp"),
        empty=list_at("data"),
    )


def _historical_odds(kind: str, event_id: str, at: dt.datetime, markets: str) -> Request:
    return Request(
        kind,
        PROFILE,
        f"historical/sports/{SPORT}/events/{event_id}/odds",
        {"date": _iso(at), "regions": "us", "markets": markets, "oddsFormat": "decimal"},
        validate=json_shape("data.bookmakers", "timestamp"),
        empty=list_at("data.bookmakers"),
    )


def historical_game_lines(event_id: str, at: dt.datetime) -> Request:
    """Spreads and totals of one event at a snapshot."""
    return _historical_odds("oddsa_game_lines_his", event_id, at, "spreads,totals")


def historical_player_props(event_id: str, at: dt.datetime) -> Request:
    """Player props of one event at a snapshot, every market of `PLAYER_MARKETS`."""
    return _historical_odds("oddsa_player_props_his", event_id, at, PROP_MARKETS)
