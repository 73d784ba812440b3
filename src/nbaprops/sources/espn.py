"""ESPN: the scoreboard API (JSON), box score pages (HTML) and team rosters.

Box score pages carry their data in an embedded ``window['__espnfitt__']``
JSON document; a page without it is broken even with status 200.
"""

from __future__ import annotations

import datetime as dt

from nbaprops.sources.base import Request, json_shape, list_at
from nbaprops.sources.http import SourceProfile

__all__ = ["API", "WEB", "boxscore_page", "roster", "scoreboard"]

API = SourceProfile(
    name="espn_api",
    base_url="https://site.api.espn.com/apis/site/v2/sports/basketball/nba",
    headers={"Accept": "application/json"},
)
WEB = SourceProfile(
    name="espn_web",
    base_url="https://www.espn.com/nba",
    headers={"Accept": "text/html,application/xhtml+xml", "Accept-Encoding": "gzip, br"},
)


def _has_fitt(content: bytes) -> str | None:
    return None if b"__espnfitt__" in content else "page has no embedded __espnfitt__ data"


def scoreboard(day: dt.date) -> Request:
    """The scoreboard of one date; ``events == []`` is a day without games."""
    return Request(
        "espn_scoreboard_api",
        API,
        "scoreboard",
        {"dates": f"{day:%Y%m%d}"},
        validate=json_shape("events", "leagues"),
        empty=list_at("events"),
    )


def boxscore_page(espn_game_id: str) -> Request:
    """The HTML box score page of one game (stored gzipped)."""
    return Request(
        "espn_game_boxscore",
        WEB,
        f"boxscore/_/gameId/{espn_game_id}",
        expect="html",
        ext="html",
        validate=_has_fitt,
    )


def roster(espn_team_id: int) -> Request:
    """A team with its roster from the site API (``teams/{id}?enable=roster``: ``team.athletes``)."""
    return Request(
        "espn_roster_api",
        API,
        f"teams/{espn_team_id}",
        {"enable": "roster"},
        validate=json_shape("team.athletes"),
        empty=list_at("team.athletes"),
    )
