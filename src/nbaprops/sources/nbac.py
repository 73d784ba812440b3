"""NBA.com: stats API, CDN JSON, and the official PDFs.

Three hosts with their own profiles (and circuit breakers): ``stats.nba.com``
(scoreboard, box scores, game logs, player index; needs browser-like headers),
``cdn.nba.com`` (season schedule, play-by-play), ``ak-static.cms.nba.com`` (injury report
PDFs) and ``statsdmz.nba.com`` (gamebook PDFs).  The per-game requests (box score, gamebook,
play-by-play) take the game id or code the date's scoreboard lists.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from nbaprops.core.calendar import season_for_date
from nbaprops.sources.base import Request, json_shape, list_at
from nbaprops.sources.http import SourceProfile

__all__ = [
    "CDN",
    "GAMEBOOK",
    "PDF",
    "STATS",
    "gamebook_pdf",
    "injury_report",
    "play_by_play",
    "player_boxscores",
    "player_list",
    "schedule",
    "scoreboard",
    "team_boxscore",
]

_BROWSER = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Language": "en-US,en;q=0.9",
    "Accept-Encoding": "gzip, deflate, br",
    "Origin": "https://www.nba.com",
    "Referer": "https://www.nba.com/",
}
STATS = SourceProfile(
    name="nbac_stats",
    base_url="https://stats.nba.com/stats",
    headers={**_BROWSER, "x-nba-stats-origin": "stats", "x-nba-stats-token": "true"},
)
CDN = SourceProfile(name="nbac_cdn", base_url="https://cdn.nba.com/static/json", headers=_BROWSER)
PDF = SourceProfile(
    name="nbac_pdf", base_url="https://ak-static.cms.nba.com", headers={"Accept": "application/pdf"}
)
GAMEBOOK = SourceProfile(
    name="nbac_gamebook", base_url="https://statsdmz.nba.com/pdfs", headers={"Accept": "application/pdf"}
)
"""The gamebook PDFs' host: its own profile, so a mirror or a test points it elsewhere."""

_RESULT_SETS = json_shape("resultSets")


def _result_set_empty(name: str) -> Callable[[bytes], bool]:
    def empty(content: bytes) -> bool:
        for rs in json.loads(content)["resultSets"]:
            if rs.get("name") == name:
                return len(rs["rowSet"]) == 0
        return False  # the set is missing: not "empty", the parser reports the drift

    return empty


def scoreboard(day: dt.date) -> Request:
    """``scoreboardV2`` for one date (games, line scores); no games is an empty GameHeader."""
    return Request(
        kind="nbac_scoreboard_v2",
        profile=STATS,
        endpoint="scoreboardV2",
        params={"GameDate": day.isoformat(), "LeagueID": "00", "DayOffset": "0"},
        validate=_RESULT_SETS,
        empty=_result_set_empty("GameHeader"),
    )


def player_boxscores(day: dt.date) -> Request:
    """``leaguegamelog`` (players) for one date: every player's line of the day."""
    season = season_for_date(day)
    return Request(
        kind="nbac_player_boxscore",
        profile=STATS,
        endpoint="leaguegamelog",
        params={
            "LeagueID": "00",
            "Season": season,
            "SeasonType": "Regular Season",
            "PlayerOrTeam": "P",
            "Counter": "1000",
            "Sorter": "DATE",
            "Direction": "DESC",
            "DateFrom": day.isoformat(),
            "DateTo": day.isoformat(),
        },
        validate=_RESULT_SETS,
        empty=list_at("resultSets.0.rowSet"),
    )


def team_boxscore(game_id: str) -> Request:
    """``boxscoretraditionalv2`` for one game (player and team lines)."""
    return Request(
        kind="nbac_team_boxscore",
        profile=STATS,
        endpoint="boxscoretraditionalv2",
        params={
            "GameID": game_id,
            "StartPeriod": "0",
            "EndPeriod": "0",
            "StartRange": "0",
            "EndRange": "0",
            "RangeType": "0",
        },
        validate=_RESULT_SETS,
        empty=_result_set_empty("PlayerStats"),
    )


def player_list(season: str) -> Request:
    """``playerindex``: every player of a season with NBA.com id and team."""
    return Request(
        kind="nbac_player_list",
        profile=STATS,
        endpoint="playerindex",
        params={"LeagueID": "00", "Season": season, "Historical": "0"},
        validate=_RESULT_SETS,
        empty=list_at("resultSets.0.rowSet"),
    )


def schedule(season: str | None = None) -> Request:
    """A season's schedule: every game, future ones included, with the final scores known so far.

    With a season: the stats API's ``scheduleleaguev2`` (any season, kind ``nbac_schedule_api``);
    without: the CDN copy of the current season (``scheduleLeagueV2.json``, ``nbac_schedule_cdn``).
    """
    if season is None:
        return Request(
            kind="nbac_schedule_cdn",
            profile=CDN,
            endpoint="staticData/scheduleLeagueV2.json",
            validate=json_shape("leagueSchedule.gameDates"),
            empty=list_at("leagueSchedule.gameDates"),
        )
    return Request(
        kind="nbac_schedule_api",
        profile=STATS,
        endpoint="scheduleleaguev2",
        params={"LeagueID": "00", "Season": season},
        validate=json_shape("leagueSchedule.gameDates"),
        empty=list_at("leagueSchedule.gameDates"),
    )


def play_by_play(game_id: str) -> Request:
    """Live-data play-by-play of one game."""
    return Request(
        kind="nbac_play_by_play",
        profile=CDN,
        endpoint=f"liveData/playbyplay/playbyplay_{game_id}.json",
        validate=json_shape("game.actions"),
        empty=list_at("game.actions"),
    )


def injury_report(at: dt.datetime) -> Request:
    """The league injury report PDF published at a given (US/Eastern) hour."""
    stamp = f"{at:%Y-%m-%d}_{at:%I}{at:%p}"
    return Request(
        kind="nbac_injury_report",
        profile=PDF,
        endpoint=f"referee/injury/Injury-Report_{stamp}.pdf",
        expect="pdf",
        ext="pdf",
    )


def gamebook_pdf(day: dt.date, away: str, home: str) -> Request:
    """The official gamebook PDF of one game (DNP and inactive reasons); published after the final."""
    code = f"{day:%Y%m%d}_{away.upper()}{home.upper()}"
    return Request(
        kind="nbac_gamebook_pdf",
        profile=GAMEBOOK,
        endpoint=f"{day:%Y%m%d}/{code}_book.pdf",
        expect="pdf",
        ext="pdf",
    )
