"""balldontlie JSON payloads: games, box scores, player box scores, players, injuries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from nbaprops.core.calendar import season_label
from nbaprops.core.errors import SchemaDriftError
from nbaprops.core.ids import game_code
from nbaprops.pipeline.raw import schemas
from nbaprops.pipeline.raw.parsers._util import (
    as_id,
    full_name,
    load_json,
    lookup,
    need,
    need_list,
    team_abbr,
    to_table,
)

__all__ = ["parse_box_scores", "parse_games", "parse_injuries", "parse_player_box_scores", "parse_players"]

_STATS = (
    "min",
    "pts",
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "reb",
    "ast",
    "stl",
    "blk",
    "turnover",
    "pf",
)


def _status(value: str) -> str:
    v = (value or "").lower()
    if v == "final":
        return "final"
    return (
        "scheduled" if ("t" in v and ":" not in v and "qtr" not in v and "half" not in v) else "in_progress"
    )


def _game(kind: str, g: dict[str, Any], path: str) -> dict[str, Any]:
    day = dt.date.fromisoformat(str(need(kind, g, "date"))[:10])
    home = team_abbr(kind, need(kind, g, "home_team.abbreviation"), f"{path}.home_team.abbreviation")
    away = team_abbr(kind, need(kind, g, "visitor_team.abbreviation"), f"{path}.visitor_team.abbreviation")
    final = str(need(kind, g, "status")) == "Final"
    return {
        "source": "bdl",
        "game_id": None,
        "source_game_id": as_id(kind, g["id"], f"{path}.id") if "id" in g else None,
        "game_code": game_code(day, away, home),
        "game_date": day,
        "season": season_label(int(need(kind, g, "season"))),
        "away_team": away,
        "home_team": home,
        "away_pts": need(kind, g, "visitor_team_score"),
        "home_pts": need(kind, g, "home_team_score"),
        "status": "final" if final else _status(str(g["status"])),
        "season_type": None if "postseason" not in g else ("playoffs" if g["postseason"] else "regular"),
    }


def parse_games(content: bytes, kind: str = "bdl_games") -> pa.Table:
    """``/games``: one row per game."""
    doc = load_json(kind, content)
    return to_table(kind, [_game(kind, g, "data") for g in need_list(kind, doc, "data")], schemas.GAMES)


def _minutes(v: Any) -> float | None:
    if v in (None, ""):
        return None
    text = str(v)
    if ":" in text:
        mm, ss = text.split(":", 1)
        return int(mm) + int(ss) / 60.0
    return float(text)


def _player_row(kind: str, s: dict[str, Any], game: dict[str, Any], team: str, path: str) -> dict[str, Any]:
    for f in _STATS:
        if f not in s:
            raise SchemaDriftError("field missing", source=kind, field=f"{path}.{f}")
    p = need(kind, s, "player")
    name = full_name(kind, p, "first_name", "last_name")
    minutes = _minutes(s["min"])
    return {
        "source": "bdl",
        "game_id": None,
        "source_game_id": game["source_game_id"],
        "game_code": game["game_code"],
        "game_date": game["game_date"],
        "team": team,
        "source_player_id": as_id(kind, need(kind, p, "id"), "player.id"),
        "player_name": name,
        "player_lookup": lookup(name),
        "minutes": minutes,
        "pts": s["pts"],
        "fgm": s["fgm"],
        "fga": s["fga"],
        "fg3m": s["fg3m"],
        "fg3a": s["fg3a"],
        "ftm": s["ftm"],
        "fta": s["fta"],
        "reb": s["reb"],
        "ast": s["ast"],
        "stl": s["stl"],
        "blk": s["blk"],
        "tov": s["turnover"],
        "pf": s["pf"],
        "dnp_reason": None if minutes else "did not play",
    }


def parse_box_scores(content: bytes, kind: str = "bdl_box_scores") -> pa.Table:
    """``/box_scores``: every player of every game of the date (teams nest their players)."""
    doc = load_json(kind, content)
    rows = []
    for g in need_list(kind, doc, "data"):
        game = _game(kind, g, "data")
        for side, team in (("home_team", game["home_team"]), ("visitor_team", game["away_team"])):
            for s in need_list(kind, g, f"{side}.players"):
                rows.append(_player_row(kind, s, game, team, f"data.{side}.players"))
    return to_table(kind, rows, schemas.PLAYER_BOXSCORES)


def parse_player_box_scores(content: bytes, kind: str = "bdl_player_box_scores") -> pa.Table:
    """``/stats``: one row per player-game, each carrying its game and team."""
    doc = load_json(kind, content)
    rows = []
    for s in need_list(kind, doc, "data"):
        g = need(kind, s, "game")
        day = dt.date.fromisoformat(str(need(kind, g, "date"))[:10])
        team = team_abbr(kind, need(kind, s, "team.abbreviation"), "data.team.abbreviation")
        # the payload names only the player's team, not the opponent: no game code here
        game = {
            "source_game_id": as_id(kind, need(kind, g, "id"), "data.game.id"),
            "game_date": day,
            "game_code": None,
        }
        rows.append(_player_row(kind, s, game, team, "data"))
    return to_table(kind, rows, schemas.PLAYER_BOXSCORES)


def _players(kind: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for p in items:
        name = full_name(kind, p, "first_name", "last_name")
        team = p.get("team") or {}
        out.append(
            {
                "source": "bdl",
                "source_player_id": as_id(kind, need(kind, p, "id"), "player.id"),
                "player_name": name,
                "player_lookup": lookup(name),
                "team": team.get("abbreviation"),
                "nba_player_id": None,
            }
        )
    return out


def parse_players(content: bytes, kind: str = "bdl_players") -> pa.Table:
    """``/players`` and ``/players/active``: one row per player."""
    doc = load_json(kind, content)
    return to_table(kind, _players(kind, need(kind, doc, "data")), schemas.PLAYERS)


def parse_injuries(content: bytes, kind: str = "bdl_injuries") -> pa.Table:
    """``/player_injuries``: one row per injured player."""
    doc = load_json(kind, content)
    rows = []
    for i in need_list(kind, doc, "data"):
        p = need(kind, i, "player")
        name = full_name(kind, p, "first_name", "last_name")
        rows.append(
            {
                "source": "bdl",
                "source_player_id": as_id(kind, need(kind, p, "id"), "player.id"),
                "player_name": name,
                "player_lookup": lookup(name),
                "source_team_id": as_id(kind, p["team_id"], "player.team_id")
                if p.get("team_id") is not None
                else None,
                "status": need(kind, i, "status"),
                "return_date": i.get("return_date"),
                "description": need(kind, i, "description"),
            }
        )
    return to_table(kind, rows, schemas.INJURIES)
