"""BettingPros (``api.bettingpros.com/v3``): events and player points props.

Events of a date come as ``{"events": [...]}``; ``events == []`` is a day
without games.  Props come from ``offers`` (market 156 = player points).
"""

from __future__ import annotations

import datetime as dt

from nbaprops.sources.base import Request, json_shape, list_at
from nbaprops.sources.http import SourceProfile

__all__ = ["POINTS_MARKET", "PROFILE", "events", "player_points"]

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


def player_points(event_id: int, page: int = 1) -> Request:
    """One page of player points offers for an event."""
    return Request(
        "bp_player_props",
        PROFILE,
        "offers",
        {"sport": "NBA", "market_id": POINTS_MARKET, "event_id": str(event_id), "page": str(page)},
        validate=json_shape("offers"),
        empty=list_at("offers"),
    )
