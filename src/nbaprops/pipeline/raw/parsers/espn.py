"""ESPN payloads: the scoreboard API (JSON) and box score pages (HTML with embedded JSON)."""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa

from nbaprops.core.calendar import season_label
from nbaprops.core.errors import DataError, SchemaDriftError
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
    unzip,
)

__all__ = ["parse_boxscore_page", "parse_scoreboard"]

_FITT = re.compile(r"window\['__espnfitt__'\]\s*=\s*(\{.*\})\s*;?\s*$", re.S)
_STATE = {"post": "final", "pre": "scheduled", "in": "in_progress"}
_KEYS = (
    "minutes",
    "fieldGoalsMade-fieldGoalsAttempted",
    "threePointFieldGoalsMade-threePointFieldGoalsAttempted",
    "freeThrowsMade-freeThrowsAttempted",
    "rebounds",
    "assists",
    "steals",
    "blocks",
    "turnovers",
    "fouls",
    "points",
)
"""Stat columns of a box score group the parser reads (by name: a missing one is drift, never 0)."""


_ESPN_TYPES = {1: "preseason", 2: "regular", 3: "playoffs", 5: "play_in"}
"""ESPN's ``season.type`` numbers (4 is the off-season: no games)."""


def parse_scoreboard(content: bytes, kind: str = "espn_scoreboard_api") -> pa.Table:
    """``/scoreboard?dates=``: one row per event (ESPN ids; game_id unknown)."""
    doc = load_json(kind, content)
    need(kind, doc, "leagues")
    rows = []
    for e in need_list(kind, doc, "events"):
        comp = need(kind, e, "competitions")[0]
        sides: dict[str, dict[str, Any]] = {}
        for c in need_list(kind, comp, "competitors"):
            sides[need(kind, c, "homeAway")] = c
        if set(sides) != {"home", "away"}:
            raise SchemaDriftError(
                "competitors are not one home and one away", source=kind, field="competitors.homeAway"
            )
        start = parse_utc(kind, need(kind, e, "date"), "events.date")
        day = et_date(start)
        home = team_abbr(
            kind, need(kind, sides["home"], "team.abbreviation"), "competitors.team.abbreviation"
        )
        away = team_abbr(
            kind, need(kind, sides["away"], "team.abbreviation"), "competitors.team.abbreviation"
        )
        state = _STATE.get(need(kind, e, "status.type.state"), "scheduled")
        year = int(need(kind, e, "season.year"))
        rows.append(
            {
                "source": "espn",
                "game_id": None,
                "source_game_id": as_id(kind, need(kind, e, "id"), "events.id"),
                "game_code": game_code(day, away, home),
                "game_date": day,
                "season": season_label(year - 1),
                "away_team": away,
                "home_team": home,
                "away_pts": int(sides["away"]["score"]) if state != "scheduled" else None,
                "home_pts": int(sides["home"]["score"]) if state != "scheduled" else None,
                "status": state,
                "season_type": _ESPN_TYPES.get(e["season"].get("type")),
            }
        )
    return to_table(kind, rows, schemas.GAMES)


def _fitt(kind: str, content: bytes) -> Any:
    html = unzip(content, kind).decode("utf-8", errors="replace")
    from bs4 import BeautifulSoup  # imported on use: it costs ~0.2 s at start-up

    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        text = script.string or ""
        if "__espnfitt__" in text:
            m = _FITT.search(text.strip())
            if m:
                try:
                    return json.loads(m.group(1))
                except ValueError as exc:
                    raise DataError(f"{kind}: embedded __espnfitt__ JSON does not parse ({exc})") from None
    raise SchemaDriftError("page has no embedded data", source=kind, field="window.__espnfitt__")


def _made_att(kind: str, value: str, field: str) -> tuple[int, int]:
    try:
        made, att = value.split("-")
        return int(made), int(att)
    except ValueError:
        raise SchemaDriftError(f"{value!r} is not made-attempted", source=kind, field=field) from None


def parse_boxscore_page(content: bytes, kind: str = "espn_game_boxscore") -> pa.Table:
    """A box score page: one row per listed player (DNP reasons kept)."""
    doc = _fitt(kind, content)
    gp = need(kind, doc, "page.content.gamepackage")
    espn_id = as_id(kind, need(kind, gp, "gmStrp.gid"), "gamepackage.gmStrp.gid")
    start = parse_utc(kind, need(kind, gp, "gmStrp.dt"), "gamepackage.gmStrp.dt")
    teams = need(kind, gp, "bxscr")
    abbrs = {
        bool(need(kind, t, "tm.hm")): team_abbr(kind, need(kind, t, "tm.abbrev"), "bxscr.tm.abbrev")
        for t in teams
    }
    if set(abbrs) != {True, False}:
        raise SchemaDriftError(
            "box score is not one home and one away team", source=kind, field="bxscr.tm.hm"
        )
    day = et_date(start)
    code = game_code(day, abbrs[False], abbrs[True])
    rows = []
    for t in teams:
        team = abbrs[bool(t["tm"]["hm"])]
        for group in need_list(kind, t, "stats"):
            if group.get("type") not in ("starters", "bench"):
                continue
            keys = need(kind, group, "keys")
            for want in _KEYS:
                if want not in keys:
                    raise SchemaDriftError(
                        "stat column missing", source=kind, field=f"bxscr.stats.keys.{want}"
                    )
            for a in need_list(kind, group, "athlts"):
                ath = need(kind, a, "athlt")
                name = as_text(kind, need(kind, ath, "dspNm"), "athlts.athlt.dspNm")
                stats = a.get("stats") or []
                base = {
                    "source": "espn",
                    "game_id": None,
                    "source_game_id": espn_id,
                    "game_code": code,
                    "game_date": day,
                    "team": team,
                    "source_player_id": as_id(kind, need(kind, ath, "id"), "athlts.athlt.id"),
                    "player_name": name,
                    "player_lookup": lookup(name),
                }
                if len(stats) != len(keys):  # DNP rows carry a reason instead of stats
                    rows.append(
                        {**base, "dnp_reason": a.get("dnpRsn") or a.get("didNotPlay") or "did not play"}
                    )
                    continue
                s = dict(zip(keys, stats, strict=True))
                fgm, fga = _made_att(kind, s["fieldGoalsMade-fieldGoalsAttempted"], "bxscr.stats.FG")
                f3m, f3a = _made_att(
                    kind, s["threePointFieldGoalsMade-threePointFieldGoalsAttempted"], "bxscr.stats.3PT"
                )
                ftm, fta = _made_att(kind, s["freeThrowsMade-freeThrowsAttempted"], "bxscr.stats.FT")
                rows.append(
                    {
                        **base,
                        "minutes": float(s["minutes"]) if s["minutes"] not in ("", "--") else None,
                        "pts": int(s["points"]),
                        "fgm": fgm,
                        "fga": fga,
                        "fg3m": f3m,
                        "fg3a": f3a,
                        "ftm": ftm,
                        "fta": fta,
                        "reb": int(s["rebounds"]),
                        "ast": int(s["assists"]),
                        "stl": int(s["steals"]),
                        "blk": int(s["blocks"]),
                        "tov": int(s["turnovers"]),
                        "pf": int(s["fouls"]),
                        "dnp_reason": None,
                    }
                )
    return to_table(kind, rows, schemas.PLAYER_BOXSCORES)
