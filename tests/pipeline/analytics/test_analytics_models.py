"""Rows in, rows out: each Phase-3 SQL model on a handful of hand-made rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from nbaprops.pipeline.analytics.player_availability import AVAILABILITY_SCHEMA
from nbaprops.pipeline.analytics.player_game_summary import PLAYER_GAME_SUMMARY
from nbaprops.pipeline.analytics.team_defense_game_summary import (
    POINTS_PER_POSSESSION,
    TEAM_DEFENSE_GAME_SUMMARY,
)
from nbaprops.pipeline.analytics.team_offense_game_summary import TEAM_OFFENSE_GAME_SUMMARY
from nbaprops.pipeline.analytics.upcoming_player_game_context import (
    RECENT_DAYS,
    UPCOMING_PLAYER_GAME_CONTEXT,
)
from nbaprops.pipeline.analytics.upcoming_team_game_context import UPCOMING_TEAM_GAME_CONTEXT, params

D1, D2, D3 = dt.date(2025, 10, 21), dt.date(2025, 10, 23), dt.date(2025, 10, 24)
SEASON = "2025-26"


def model(con: duckdb.DuckDBPyConnection, sql: Path, **params: Any) -> list[dict[str, Any]]:
    """Run a SQL model with the parameters it uses; rows as dicts, sorted by their values."""
    text = sql.read_text()
    used = {k: v for k, v in params.items() if f"${k}" in text}
    t = con.sql(text, params=used).to_arrow_table()
    return sorted(t.to_pylist(), key=lambda r: [str(v) for v in r.values()])


def code(day: dt.date, away: str, home: str) -> str:
    return f"{day:%Y%m%d}_{away}_{home}"


def box(day: dt.date, pid: int, team: str, opp: str, home: bool, pts: int, **kw: Any) -> dict[str, Any]:
    """One raw_player_boxscores row (defaults: no shooting counts)."""
    away, hom = (opp, team) if home else (team, opp)
    row = {
        "game_id": None,
        "game_key": f"{day}_{away}@{hom}",
        "game_date": day,
        "season": SEASON,
        "season_type": "regular",
        "team": team,
        "opponent": opp,
        "is_home": home,
        "home_away": "home" if home else "away",
        "player_id": pid,
        "player_name": f"P {pid}",
        "player_name_norm": f"p {pid}",
        "team_result": "W",
        "minutes": 30,
        "pts": pts,
        "reb": 5,
        "ast": 3,
        "stl": 1,
        "blk": 0,
        "tov": 2,
        "plus_minus": 0,
        "fg_pct": 0.5,
        "fg3_pct": 0.4,
        "ft_pct": 0.8,
        "fgm": None,
        "fga": None,
        "fg3m": None,
        "fg3a": None,
        "ftm": None,
        "fta": None,
        "oreb": None,
        "dreb": None,
        "pf": None,
        "has_shooting_counts": False,
        "starter": None,
        "game_code": code(day, away, hom),
        "player_lookup": f"p{pid}",
    }
    row.update(kw)
    return row


def counts(fgm: int, fga: int, fg3m: int, fg3a: int, ftm: int, fta: int, oreb: int = 1) -> dict[str, Any]:
    return {
        "fgm": fgm,
        "fga": fga,
        "fg3m": fg3m,
        "fg3a": fg3a,
        "ftm": ftm,
        "fta": fta,
        "oreb": oreb,
        "dreb": 4,
        "pf": 2,
        "has_shooting_counts": True,
    }


def game(
    day: dt.date, away: str, home: str, away_pts: int | None, home_pts: int | None, status: str = "final"
) -> dict[str, Any]:
    return {
        "game_id": None,
        "game_code": code(day, away, home),
        "game_key": f"{day}_{away}@{home}",
        "game_date": day,
        "season": SEASON,
        "season_type": "regular",
        "home_team": home,
        "away_team": away,
        "home_pts": home_pts,
        "away_pts": away_pts,
        "status": status,
        "home_away_ambiguous": False,
    }


# B (home) beats A on D1, A hosts B on D2; D3 (a back-to-back for both) is not final yet.
RAW = [
    box(D1, 1, "AAA", "BBB", False, 20, **counts(8, 16, 2, 6, 2, 2)),
    box(D1, 2, "AAA", "BBB", False, 10, **counts(4, 9, 0, 1, 2, 4)),
    box(D1, 3, "BBB", "AAA", True, 40, **counts(15, 25, 4, 9, 6, 6, oreb=2)),
    box(D2, 1, "AAA", "BBB", True, 30),
    box(D2, 2, "AAA", "BBB", True, 6),
    box(D2, 3, "BBB", "AAA", False, 25),
]
SCHEDULE = [
    game(D1, "AAA", "BBB", 30, 40),
    game(D2, "BBB", "AAA", 25, 36),
    game(D3, "AAA", "BBB", None, None, status="scheduled"),
]


def raw_world() -> duckdb.DuckDBPyConnection:
    """An in-memory database holding the tiny world's Phase-2 tables."""
    c = duckdb.connect()
    for name, rows in (("raw_player_boxscores", RAW), ("schedule", SCHEDULE)):
        c.register("_t", pa.Table.from_pylist(rows))
        c.execute(f"CREATE TABLE {name} AS SELECT * FROM _t")
        c.unregister("_t")
    c.execute(
        "CREATE TABLE raw_prop_lines (game_date DATE, game_code VARCHAR, player_id BIGINT, "
        "line DOUBLE, is_primary_line BOOLEAN, bookmaker VARCHAR, market VARCHAR)"
    )
    c.register("_t", AVAILABILITY_SCHEMA.empty_table())  # no injury report in the tiny world
    c.execute("CREATE TABLE player_availability AS SELECT * FROM _t")
    c.unregister("_t")
    return c


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = raw_world()
    yield c
    c.close()


def build_summary(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE player_game_summary AS {PLAYER_GAME_SUMMARY.sql_text()}", {"game_dates": [D1, D2]}
    )


def test_player_game_summary_rows(con: duckdb.DuckDBPyConnection) -> None:
    rows = model(con, PLAYER_GAME_SUMMARY.sql, game_dates=[D2])  # type: ignore[arg-type]
    assert [(r["player_id"], r["points"]) for r in rows] == [(1, 30), (2, 6), (3, 25)]
    p1 = next(r for r in rows if r["player_id"] == 1)
    assert p1["rest_days"] == 2 and p1["back_to_back"] is False and p1["home_away"] == "home"
    assert p1["points_share"] == 30 / 36 and p1["minutes_share"] == 0.5
    assert p1["starter"] is None and p1["dnp"] is False and p1["dnp_reason"] is None
    assert p1["fg2m"] is None and p1["usage_per_min"] is None  # no counts on D2
    d1 = {r["player_id"]: r for r in model(con, PLAYER_GAME_SUMMARY.sql, game_dates=[D1])}  # type: ignore[arg-type]
    assert d1[1]["fg2m"] == 6 and d1[1]["points_from_3"] == 6 and d1[1]["rest_days"] is None
    assert d1[1]["usage_per_min"] == pytest.approx((16 + 0.44 * 2 + 2) / 30)
    assert d1[1]["usage_share"] == pytest.approx((16 + 0.88 + 2) / ((16 + 0.88 + 2) + (9 + 1.76 + 2)))


def test_team_defense_game_summary_rows(con: duckdb.DuckDBPyConnection) -> None:
    build_summary(con)
    rows = model(
        con,
        TEAM_DEFENSE_GAME_SUMMARY.sql,
        game_dates=[D1],  # type: ignore[arg-type]
        points_per_possession=POINTS_PER_POSSESSION,
    )
    a, b = rows  # AAA then BBB
    assert (a["team"], a["points_allowed"], a["points_scored"]) == ("AAA", 40, 30)
    assert (b["team"], b["points_allowed"]) == ("BBB", 30)
    # both teams have full counts on D1: box possessions and zone split
    poss = 0.5 * ((25 + 2.64 - 2 + 2) + (25 + 2.64 - 2 + 4))
    assert a["pace_method"] == "box" and a["possessions"] == pytest.approx(poss)
    assert a["defensive_rating"] == pytest.approx(100 * 40 / poss)
    assert a["opp_fg3m"] == 4 and a["opp_fg2m"] == 11
    assert a["opp_pts_share_3"] == pytest.approx(12 / 40) and a["opp_pts_share_ft"] == pytest.approx(6 / 40)
    d2 = model(
        con,
        TEAM_DEFENSE_GAME_SUMMARY.sql,
        game_dates=[D2],  # type: ignore[arg-type]
        points_per_possession=POINTS_PER_POSSESSION,
    )
    assert {r["pace_method"] for r in d2} == {"points_proxy"}
    assert d2[0]["possessions"] == pytest.approx((36 + 25) / 2 / POINTS_PER_POSSESSION)
    assert d2[0]["opp_fg3m"] is None


def test_upcoming_player_game_context_rows(con: duckdb.DuckDBPyConnection) -> None:
    build_summary(con)
    con.execute(
        "INSERT INTO raw_prop_lines VALUES ($d, $c, 1, 24.5, true, 'x', 'player_points'), "
        "($d, $c, 1, 24.5, true, 'y', 'player_points'), ($d, $c, 1, 25.5, true, 'z', 'player_points'), "
        # another market's lines, more offered than the points line: not the points line
        "($d, $c, 1, 6.5, true, 'x', 'player_rebounds'), ($d, $c, 1, 6.5, true, 'y', 'player_rebounds'), "
        "($d, $c, 1, 6.5, true, 'z', 'player_rebounds')",
        {"d": D3, "c": code(D3, "AAA", "BBB")},
    )
    rows = model(
        con,
        UPCOMING_PLAYER_GAME_CONTEXT.sql,
        game_dates=[D2, D3],
        today=D2,  # type: ignore[arg-type]
        recent_days=RECENT_DAYS,
    )
    # D2 is final: no rows; D3: the three players seen in the last 21 days
    assert {r["game_date"] for r in rows} == {D3}
    assert [(r["player_id"], r["team"], r["is_home"]) for r in rows] == [
        (1, "AAA", False),
        (2, "AAA", False),
        (3, "BBB", True),
    ]
    p1 = rows[0]
    assert p1["points_l5"] == 25.0 and p1["games_played"] == 2 and p1["back_to_back"] is True
    assert p1["line"] == 24.5 and p1["n_books"] == 2
    # once D3 is in the past, nothing is upcoming
    con.execute("UPDATE schedule SET status = 'final' WHERE game_date = $d", {"d": D3})
    assert (
        model(
            con,
            UPCOMING_PLAYER_GAME_CONTEXT.sql,
            game_dates=[D3],  # type: ignore[arg-type]
            today=D3,
            recent_days=RECENT_DAYS,
        )
        == []
    )


# --- team offense and the team context before each game ---
UTC = dt.UTC


def world(lines: list[dict[str, Any]] | None = None) -> duckdb.DuckDBPyConnection:
    con = raw_world()
    build_summary(con)
    con.execute(
        f"CREATE TABLE team_offense_game_summary AS {TEAM_OFFENSE_GAME_SUMMARY.sql_text()}",
        {"game_dates": [D1, D2], "points_per_possession": POINTS_PER_POSSESSION},
    )
    con.execute(
        "CREATE TABLE raw_game_lines (game_date DATE, game_code VARCHAR, total DOUBLE, home_spread DOUBLE)"
    )
    for r in lines or []:
        con.execute("INSERT INTO raw_game_lines VALUES ($d, $c, $t, $s)", r)
    return con


def test_team_offense_rows() -> None:
    con = world()
    a, b = model(
        con, TEAM_OFFENSE_GAME_SUMMARY.sql, game_dates=[D1], points_per_possession=POINTS_PER_POSSESSION
    )  # type: ignore[arg-type]
    assert (a["team"], a["points_scored"], a["points_allowed"], a["margin"]) == ("AAA", 30, 40, -10)
    poss = 0.5 * ((25 + 2.64 - 2 + 2) + (25 + 2.64 - 2 + 4))  # both teams have counts on D1
    assert a["pace_method"] == "box" and a["possessions"] == pytest.approx(poss)
    assert a["offensive_rating"] == pytest.approx(100 * 30 / poss)
    assert b["offensive_rating"] == pytest.approx(a["defensive_rating"])
    assert a["fga"] == 25 and a["efg_pct"] == pytest.approx((12 + 1) / 25)
    # D2 has no counts: the points proxy, and NULL shooting totals
    d2 = model(
        con, TEAM_OFFENSE_GAME_SUMMARY.sql, game_dates=[D2], points_per_possession=POINTS_PER_POSSESSION
    )  # type: ignore[arg-type]
    assert all(r["pace_method"] == "points_proxy" and r["fga"] is None for r in d2)
    assert d2[0]["offensive_rating"] == pytest.approx(100 * 36 / ((36 + 25) / 2 / POINTS_PER_POSSESSION))


def _context(con: duckdb.DuckDBPyConnection, day: dt.date) -> dict[str, dict[str, Any]]:
    rows = model(con, UPCOMING_TEAM_GAME_CONTEXT.sql, game_dates=[day], **params())  # type: ignore[arg-type]
    return {r["team"]: r for r in rows}


def test_rest_travel_and_the_games_own_line() -> None:
    con = world([{"d": D3, "c": code(D3, "AAA", "BBB"), "t": 221.5, "s": -6.5}])
    ctx = _context(con, D3)
    a, b = ctx["AAA"], ctx["BBB"]
    assert (a["rest_days"], a["back_to_back"], b["back_to_back"]) == (1, True, True)
    assert a["travelled"] is True and a["road_games_in_row"] == 1 and b["road_games_in_row"] == 0
    assert (b["team_spread"], a["team_spread"], a["game_total"]) == (-6.5, 6.5, 221.5)
    assert b["implied_team_points"] == pytest.approx(221.5 / 2 + 6.5 / 2)
    assert a["team_games_l10"] == 2 and a["team_points_l10"] == pytest.approx((30 + 36) / 2)


def test_a_player_absent_from_the_latest_game_is_out_until_the_injury_report_says_otherwise() -> None:
    con = world()
    # player 2 (AAA) played D1 but not D2 (his 10-game mean: 30 minutes)
    con.execute("DELETE FROM player_game_summary WHERE player_id = 2 AND game_date = $d", {"d": D2})
    con.execute("DELETE FROM team_offense_game_summary")
    con.execute(
        f"INSERT INTO team_offense_game_summary {TEAM_OFFENSE_GAME_SUMMARY.sql_text()}",
        {"game_dates": [D1, D2], "points_per_possession": POINTS_PER_POSSESSION},
    )
    a = _context(con, D3)["AAA"]
    assert a["players_out"] == 1 and a["out_minutes"] == 30
    (out,) = a["out_players"]
    assert out["player_id"] == 2 and out["source"] == "absent_last_game" and out["pts"] == 10
    assert a["rotation_minutes"] == 30 and a["availability_source"] == "absent_last_game"

    def status(st: str, at: dt.datetime) -> None:
        con.execute("DELETE FROM player_availability")
        row = {"game_date": D3, "game_code": code(D3, "AAA", "BBB"), "team": "AAA", "player_id": 2,
               "player_lookup": "p2", "player_name": "P 2", "status": st, "reason": "", "as_of": at,
               "source": "nbac", "after_game": False}  # fmt: skip
        con.register("_s", pa.Table.from_pylist([row], schema=AVAILABILITY_SCHEMA))
        con.execute("INSERT INTO player_availability SELECT * FROM _s")
        con.unregister("_s")

    noon = dt.datetime(D3.year, D3.month, D3.day, 17, tzinfo=UTC)
    status("available", noon)  # the report says he plays: not out
    assert _context(con, D3)["AAA"]["players_out"] == 0
    status("out", noon)
    a = _context(con, D3)["AAA"]
    assert a["players_out"] == 1 and a["out_players"][0]["source"] == "injury_report"
    # a status published after the cutoff (during the game) is not what the pre-game row knew
    status("available", noon.replace(hour=23))
    assert _context(con, D3)["AAA"]["out_players"][0]["source"] == "absent_last_game"
