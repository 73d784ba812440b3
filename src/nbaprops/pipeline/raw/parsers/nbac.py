"""NBA.com JSON payloads: scoreboard, box scores, game log, schedule, player index, play-by-play."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa

from nbaprops.core.calendar import season_label
from nbaprops.core.errors import SchemaDriftError
from nbaprops.core.ids import game_code
from nbaprops.pipeline.raw import schemas
from nbaprops.pipeline.raw.parsers._util import (
    as_id,
    as_int,
    as_text,
    full_name,
    game_type,
    load_json,
    lookup,
    need,
    need_list,
    result_set,
    to_table,
)

__all__ = [
    "parse_play_by_play",
    "parse_player_boxscore",
    "parse_player_list",
    "parse_schedule",
    "parse_scoreboard_v2",
    "parse_team_boxscore",
]

_GAMECODE = re.compile(r"^(\d{8})/([A-Z]{3})([A-Z]{3})$")
_STATUS = {1: "scheduled", 2: "in_progress", 3: "final"}
_BOX = (
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ABBREVIATION",
    "MIN",
    "PTS",
    "FGM",
    "FGA",
    "FG3M",
    "FG3A",
    "FTM",
    "FTA",
    "REB",
    "AST",
    "STL",
    "BLK",
    "PF",
)
"""Headers every player box score result set must carry (read by name; a missing one is drift)."""


def _split_code(kind: str, code: str, field: str) -> tuple[dt.date, str, str]:
    m = _GAMECODE.match(code or "")
    if not m:
        raise SchemaDriftError(f"game code {code!r} is not YYYYMMDD/AWAYHOME", source=kind, field=field)
    return dt.datetime.strptime(m.group(1), "%Y%m%d").date(), m.group(2), m.group(3)


def _minutes(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value)
    if ":" in text:
        mm, ss = text.split(":", 1)
        return int(float(mm)) + int(float(ss)) / 60.0
    return float(text)


def parse_scoreboard_v2(content: bytes, kind: str = "nbac_scoreboard_v2") -> pa.Table:
    """``scoreboardV2``: one row per game with the final (or current) score.

    Raises:
        SchemaDriftError: a result set or header the parser relies on is gone.
    """
    doc = load_json(kind, content)
    headers = result_set(kind, doc, "GameHeader", ("GAME_ID", "GAME_STATUS_ID", "GAMECODE", "SEASON"))
    lines = result_set(kind, doc, "LineScore", ("GAME_ID", "TEAM_ABBREVIATION", "PTS"))
    pts = {(r["GAME_ID"], r["TEAM_ABBREVIATION"]): r["PTS"] for r in lines}
    rows = []
    for h in headers:
        day, away, home = _split_code(kind, h["GAMECODE"], "resultSets[GameHeader].GAMECODE")
        rows.append(
            {
                "source": "nbac",
                "game_id": as_id(kind, h["GAME_ID"], "GameHeader.GAME_ID"),
                "source_game_id": as_id(kind, h["GAME_ID"], "GameHeader.GAME_ID"),
                "game_code": game_code(day, away, home),
                "game_date": day,
                "season": season_label(int(h["SEASON"])),
                "away_team": away,
                "home_team": home,
                "away_pts": pts.get((h["GAME_ID"], away)),
                "home_pts": pts.get((h["GAME_ID"], home)),
                "status": _STATUS.get(int(h["GAME_STATUS_ID"]), "scheduled"),
                "season_type": game_type(str(h["GAME_ID"])),
            }
        )
    return to_table(kind, rows, schemas.GAMES)


def _box_row(
    kind: str, r: dict[str, Any], *, game_id: str, code: str | None, day: dt.date | None
) -> dict[str, Any]:
    comment = (r.get("COMMENT") or "").strip()
    played = r.get("MIN") not in (None, "", 0)
    return {
        "source": "nbac",
        "game_id": game_id,
        "source_game_id": game_id,
        "game_code": code,
        "game_date": day,
        "team": r["TEAM_ABBREVIATION"],
        "source_player_id": as_id(kind, r["PLAYER_ID"], "PLAYER_ID"),
        "player_name": as_text(kind, r["PLAYER_NAME"], "PLAYER_NAME"),
        "player_lookup": lookup(r["PLAYER_NAME"]),
        "nba_player_id": as_id(kind, r["PLAYER_ID"], "PLAYER_ID"),
        "minutes": _minutes(r["MIN"]),
        "pts": r["PTS"],
        "fgm": r["FGM"],
        "fga": r["FGA"],
        "fg3m": r["FG3M"],
        "fg3a": r["FG3A"],
        "ftm": r["FTM"],
        "fta": r["FTA"],
        "reb": r["REB"],
        "ast": r["AST"],
        "stl": r["STL"],
        "blk": r["BLK"],
        "tov": r["TO"] if "TO" in r else r["TOV"],
        "pf": r["PF"],
        "dnp_reason": comment or (None if played else "did not play"),
    }


def parse_team_boxscore(content: bytes, kind: str = "nbac_team_boxscore") -> pa.Table:
    """``boxscoretraditionalv2``: one row per listed player (DNP comments kept as ``dnp_reason``)."""
    doc = load_json(kind, content)
    game_id = as_id(kind, need(kind, doc, "parameters.GameID"), "parameters.GameID")
    rows = result_set(kind, doc, "PlayerStats", (*_BOX, "TO", "GAME_ID", "COMMENT"))
    return to_table(
        kind,
        [_box_row(kind, r, game_id=game_id, code=None, day=None) for r in rows],
        schemas.PLAYER_BOXSCORES,
    )


def parse_player_boxscore(content: bytes, kind: str = "nbac_player_boxscore") -> pa.Table:
    """``leaguegamelog`` (players): one row per player-game of the date range."""
    doc = load_json(kind, content)
    rows = result_set(kind, doc, "LeagueGameLog", (*_BOX, "TOV", "GAME_ID", "GAME_DATE", "MATCHUP"))
    out = []
    for r in rows:
        day = dt.date.fromisoformat(str(r["GAME_DATE"])[:10])
        team, matchup = r["TEAM_ABBREVIATION"], str(r["MATCHUP"])
        opp = matchup.split()[-1]
        away, home = (opp, team) if " vs. " in matchup else (team, opp)
        out.append(
            _box_row(
                kind,
                r,
                game_id=as_id(kind, r["GAME_ID"], "GAME_ID"),
                code=game_code(day, away, home),
                day=day,
            )
        )
    return to_table(kind, out, schemas.PLAYER_BOXSCORES)


def parse_schedule(content: bytes, kind: str = "nbac_schedule_api") -> pa.Table:
    """``scheduleLeagueV2``: every game of the season (also the CDN copy, ``nbac_schedule_cdn``)."""
    doc = load_json(kind, content)
    season = str(need(kind, doc, "leagueSchedule.seasonYear"))
    rows = []
    for gd in need_list(kind, doc, "leagueSchedule.gameDates"):
        for g in need_list(kind, gd, "games"):
            day, away, home = _split_code(
                kind, need(kind, g, "gameCode"), "leagueSchedule.gameDates.games.gameCode"
            )
            status = int(need(kind, g, "gameStatus"))
            final = status == 3
            rows.append(
                {
                    "source": "nbac",
                    "game_id": need(kind, g, "gameId"),
                    "source_game_id": g["gameId"],
                    "game_code": game_code(day, away, home),
                    "game_date": day,
                    "season": season,
                    "away_team": away,
                    "home_team": home,
                    "away_pts": need(kind, g, "awayTeam.score") if final else None,
                    "home_pts": need(kind, g, "homeTeam.score") if final else None,
                    "status": _STATUS.get(status, "scheduled"),
                    "season_type": game_type(str(g["gameId"])),
                }
            )
    return to_table(kind, rows, schemas.GAMES)


def parse_player_list(content: bytes, kind: str = "nbac_player_list") -> pa.Table:
    """``playerindex``: every player of the season with the NBA.com id."""
    doc = load_json(kind, content)
    rows = result_set(
        kind, doc, "PlayerIndex", ("PERSON_ID", "PLAYER_FIRST_NAME", "PLAYER_LAST_NAME", "TEAM_ABBREVIATION")
    )
    out = []
    for r in rows:
        name = full_name(kind, r, "PLAYER_FIRST_NAME", "PLAYER_LAST_NAME")
        out.append(
            {
                "source": "nbac",
                "source_player_id": as_id(kind, r["PERSON_ID"], "PERSON_ID"),
                "player_name": name,
                "player_lookup": lookup(name),
                "team": r["TEAM_ABBREVIATION"] or None,
                "nba_player_id": as_id(kind, r["PERSON_ID"], "PERSON_ID"),
            }
        )
    return to_table(kind, out, schemas.PLAYERS)


def _points(a: dict[str, Any]) -> int:
    if a.get("shotResult") != "Made":
        return 0
    t = a.get("actionType")
    if t == "freethrow":
        return 1
    if t == "3pt":
        return 3
    if t == "2pt":
        return 2
    return 0


def parse_play_by_play(content: bytes, kind: str = "nbac_play_by_play") -> pa.Table:
    """Live play-by-play: one row per action, with the points each action scored.

    Field goals keep their shot location as NBA.com classifies it (``area``: "Restricted
    Area", "In The Paint (Non-RA)", "Mid-Range", "Left Corner 3", "Right Corner 3", "Above the
    Break 3", "Backcourt") and ``shot_distance`` in feet; other actions have neither.
    """
    doc = load_json(kind, content)
    game_id = as_id(kind, need(kind, doc, "game.gameId"), "game.gameId")
    rows = []
    for a in need_list(kind, doc, "game.actions"):
        for f in ("actionNumber", "period", "actionType", "scoreHome", "scoreAway"):
            need(kind, a, f)
        rows.append(
            {
                "game_id": game_id,
                "action_number": a["actionNumber"],
                "period": a["period"],
                "clock": a.get("clock"),
                "team": a.get("teamTricode"),
                "person_id": as_id(kind, a["personId"], "game.actions.personId")
                if a.get("personId")
                else None,
                "player_name": a.get("playerNameI"),
                "action_type": a["actionType"],
                "sub_type": a.get("subType"),
                "shot_result": a.get("shotResult"),
                "points": _points(a),
                "score_home": as_int(kind, a["scoreHome"], "game.actions.scoreHome"),
                "score_away": as_int(kind, a["scoreAway"], "game.actions.scoreAway"),
                "game_code": None,
                "area": a.get("area") if a.get("isFieldGoal") else None,
                "shot_distance": a.get("shotDistance") if a.get("isFieldGoal") else None,
            }
        )
    return to_table(kind, rows, schemas.PLAY_BY_PLAY)
