"""The Odds API (``api.the-odds-api.com/v4``): events, game lines and player points props.

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
    "GAME_MARKETS",
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
PROP_MARKETS = "player_points"


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def events() -> Request:
    """Upcoming events (live)."""
    return Request(
        "oddsa_events", PROFILE, f"sports/{SPORT}/events", validate=None, empty=lambda b: b.strip() == b"[]"
    )


def player_props(event_id: str) -> Request:
    """Current player points props of one event (live)."""
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
    """Player points props of one event at a snapshot."""
    return _historical_odds("oddsa_player_props_his", event_id, at, PROP_MARKETS)
