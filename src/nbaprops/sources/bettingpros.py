"""BettingPros (``api.bettingpros.com/v3``): events and player-prop offers.

Events of a date come as ``{"events": [...]}``; ``events == []`` is a day
without games.  Props come from ``offers``, one market id per request
(`MARKET_IDS`).  No offers answer has been recorded yet, so nothing scrapes or
parses offers (``docs/sources.md``): these builders are the request side only.
"""

from __future__ import annotations

import datetime as dt

from nbaprops.sources.base import Request, json_shape, list_at
from nbaprops.sources.http import SourceProfile

__all__ = ["MARKET_IDS", "POINTS_MARKET", "PROFILE", "events", "player_points", "player_props"]

PROFILE = SourceProfile(
    name="bettingpros",
    base_url="https://api.bettingpros.com/v3",
    headers={
        "Accept": "application/json",
        "Origin": "https://www.bettingpros.com",
        "Referer": "https://www.bettingpros.com/",
    },
)
POINTS_MARKET = "156"
MARKET_IDS = {
    "player_points": "156",
    "player_rebounds": "157",
    "player_assists": "151",
    "player_threes": "162",
    "player_points_rebounds_assists": "338",
    "player_blocks": "152",
    "player_steals": "160",
    "player_double_double": "136",
}
"""BettingPros market ids by The Odds API market name.  Not verified against a recorded answer
(the ids are those seen in a public data set of scraped offers); triple-double has none known."""


def events(day: dt.date) -> Request:
    """NBA events of one date."""
    return Request(
        "bp_events",
        PROFILE,
        "events",
        {"sport": "NBA", "date": day.isoformat()},
        validate=json_shape("events"),
        empty=list_at("events"),
    )


def player_props(event_id: int, market: str, page: int = 1) -> Request:
    """One page of an event's player offers in one market (an Odds API market name).

    Raises:
        KeyError: a market with no known BettingPros id.
    """
    return Request(
        "bp_player_props",
        PROFILE,
        "offers",
        {"sport": "NBA", "market_id": MARKET_IDS[market], "event_id": str(event_id), "page": str(page)},
        validate=json_shape("offers"),
        empty=list_at("offers"),
    )


def player_points(event_id: int, page: int = 1) -> Request:
    """One page of player points offers for an event."""
    return player_props(event_id, "player_points", page)
