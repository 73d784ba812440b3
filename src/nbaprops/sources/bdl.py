"""balldontlie (``api.balldontlie.io/v1``): games, box scores, players, injuries, standings.

The key goes in the ``Authorization`` header (``NBAPROPS_KEYS__BALLDONTLIE``).
Every list answer is ``{"data": [...], "meta": {...}}``; ``data == []`` is a
valid day without games, a body without ``data`` is broken.
"""

from __future__ import annotations

import datetime as dt

from nbaprops.sources.base import Request, json_shape, list_at
from nbaprops.sources.http import SourceProfile

__all__ = ["PROFILE", "active_players", "box_scores", "games", "injuries", "standings"]

PROFILE = SourceProfile(
    name="bdl",
    base_url="https://api.balldontlie.io/v1",
    headers={"Accept": "application/json"},
    key="balldontlie",
    key_in="header",
    key_field="Authorization",
)
_DATA = json_shape("data")
_EMPTY = list_at("data")


def games(day: dt.date) -> Request:
    """Games of one date (scores, status)."""
    return Request("bdl_games", PROFILE, "games", {"dates[]": day.isoformat()}, validate=_DATA, empty=_EMPTY)


def box_scores(day: dt.date) -> Request:
    """Full box scores (both teams' players) of one date."""
    return Request(
        "bdl_box_scores", PROFILE, "box_scores", {"date": day.isoformat()}, validate=_DATA, empty=_EMPTY
    )


def active_players(cursor: int | None = None) -> Request:
    """One page of active players (``meta.next_cursor`` pages on)."""
    params = {"per_page": "100", **({"cursor": str(cursor)} if cursor else {})}
    return Request("bdl_active_players", PROFILE, "players/active", params, validate=_DATA, empty=_EMPTY)


def injuries(cursor: int | None = None) -> Request:
    """One page of the current injury list."""
    params = {"per_page": "100", **({"cursor": str(cursor)} if cursor else {})}
    return Request("bdl_injuries", PROFILE, "player_injuries", params, validate=_DATA, empty=_EMPTY)


def standings(season_start: int) -> Request:
    """Standings of a season (by its start year)."""
    return Request(
        "bdl_standings", PROFILE, "standings", {"season": str(season_start)}, validate=_DATA, empty=_EMPTY
    )
