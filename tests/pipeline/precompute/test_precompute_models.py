"""Rows in, rows out: each Phase-4 SQL model on a handful of hand-made rows.

The tiny world (two teams, three players, two final dates and one upcoming back-to-back) is
the one of ``tests/pipeline/analytics/test_analytics_models.py``; Phase 3 is built from it
with the real models, then each Phase-4 model is run and checked by hand.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from nbaprops.pipeline.analytics.player_game_summary import PLAYER_GAME_SUMMARY
from nbaprops.pipeline.analytics.team_defense_game_summary import (
    POINTS_PER_POSSESSION,
    TEAM_DEFENSE_GAME_SUMMARY,
)
from nbaprops.pipeline.analytics.upcoming_player_game_context import (
    RECENT_DAYS,
    UPCOMING_PLAYER_GAME_CONTEXT,
)
from nbaprops.pipeline.precompute.feature_set import FEATURE_SET, SQL_FEATURE_NAMES
from nbaprops.pipeline.precompute.ml_feature_store import SQL_MODEL
from nbaprops.pipeline.precompute.player_composite_factors import PLAYER_COMPOSITE_FACTORS
from nbaprops.pipeline.precompute.player_daily_cache import PLAYER_DAILY_CACHE
from nbaprops.pipeline.precompute.player_shot_zone_analysis import PLAYER_SHOT_ZONE_ANALYSIS
from nbaprops.pipeline.precompute.team_defense_zone_analysis import TEAM_DEFENSE_ZONE_ANALYSIS
from nbaprops.storage.queries.shot_zones import NO_PLAY_BY_PLAY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analytics"))
from test_analytics_models import D1, D2, D3, model, raw_world

CACHE = {"coverage_gate": 0.9, "bootstrap_days": 14}


def make(con: duckdb.DuckDBPyConnection, table: str, sql: str, **params: object) -> None:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}", used)


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = raw_world()  # Phase 2 of the tiny world, then its Phase 3 from the real models
    make(c, "player_game_summary", PLAYER_GAME_SUMMARY.sql_text(), game_dates=[D1, D2])
    make(
        c,
        "team_defense_game_summary",
        TEAM_DEFENSE_GAME_SUMMARY.sql_text(),
        game_dates=[D1, D2],
        points_per_possession=POINTS_PER_POSSESSION,
    )
    make(
        c,
        "upcoming_player_game_context",
        UPCOMING_PLAYER_GAME_CONTEXT.sql_text(),
        game_dates=[D1, D2, D3],
        today=D2,
        recent_days=RECENT_DAYS,
    )
    c.execute(f"CREATE TABLE raw_nbac_play_by_play AS {NO_PLAY_BY_PLAY}")  # no play-by-play scraped
    yield c
    c.close()


def build_phase4(c: duckdb.DuckDBPyConnection, days: list[object]) -> None:
    make(c, "player_daily_cache", PLAYER_DAILY_CACHE.sql_text(), game_dates=days, **CACHE)
    make(c, "player_shot_zone_analysis", PLAYER_SHOT_ZONE_ANALYSIS.sql_text(), game_dates=days)
    make(c, "team_defense_zone_analysis", TEAM_DEFENSE_ZONE_ANALYSIS.sql_text(), game_dates=days)
    make(c, "player_composite_factors", PLAYER_COMPOSITE_FACTORS.sql_text(), game_dates=days)


def test_player_daily_cache_rows(con: duckdb.DuckDBPyConnection) -> None:
    rows = {
        (r["game_date"], r["player_id"]): r
        for r in model(con, PLAYER_DAILY_CACHE.sql, game_dates=[D1, D2, D3], **CACHE)
    }  # type: ignore[arg-type]
    assert len(rows) == 9
    first = rows[(D1, 1)]  # nothing before the season's first game
    assert first["games_played"] == 0 and first["points_l5"] is None and first["bootstrap"] is True
    d2 = rows[(D2, 1)]
    assert (d2["context_source"], d2["games_played"], d2["points_l5"], d2["rest_days"]) == (
        "game_summary",
        1,
        20.0,
        2,
    )
    d3 = rows[(D3, 1)]  # the upcoming date: players from the upcoming context
    assert d3["context_source"] == "upcoming_context" and d3["game_code"] == "20251024_AAA_BBB"
    assert (d3["games_played"], d3["points_l5"], d3["points_season"]) == (2, 25.0, 25.0)
    assert d3["points_std_l10"] == pytest.approx(statistics.stdev([20, 30]))
    assert d3["back_to_back"] is True and d3["games_last_7d"] == 2 and d3["last_game_date"] == D2


def test_player_daily_cache_falls_back_on_partial_upcoming_context(con: duckdb.DuckDBPyConnection) -> None:
    # an upcoming context for D2 listing 1 of the 3 players the game summary shows: 33 % < 90 %
    con.execute(
        "INSERT INTO upcoming_player_game_context BY NAME SELECT game_date, season, "
        "game_code, player_id, player_lookup, player_name, team, opponent, is_home "
        "FROM player_game_summary WHERE game_date = $d AND player_id = 1",
        {"d": D2},
    )
    rows = model(con, PLAYER_DAILY_CACHE.sql, game_dates=[D2], **CACHE)  # type: ignore[arg-type]
    assert len(rows) == 3 and {r["context_source"] for r in rows} == {"game_summary"}
    con.execute(
        "INSERT INTO upcoming_player_game_context BY NAME SELECT game_date, season, "
        "game_code, player_id, player_lookup, player_name, team, opponent, is_home "
        "FROM player_game_summary WHERE game_date = $d AND player_id <> 1",
        {"d": D2},
    )
    rows = model(con, PLAYER_DAILY_CACHE.sql, game_dates=[D2], **CACHE)  # type: ignore[arg-type]
    assert len(rows) == 3 and {r["context_source"] for r in rows} == {"upcoming_context"}


def test_player_shot_zone_analysis_rows(con: duckdb.DuckDBPyConnection) -> None:
    build_phase4(con, [D3])
    rows = {r["player_id"]: r for r in model(con, PLAYER_SHOT_ZONE_ANALYSIS.sql, game_dates=[D3])}  # type: ignore[arg-type]
    p1, p3 = rows[1], rows[3]
    assert p1["games_with_counts"] == 1  # D2 had no counts
    assert (p1["pts_share_2"], p1["pts_share_3"], p1["pts_share_ft"]) == (12 / 20, 6 / 20, 2 / 20)
    assert p1["fg3a_rate"] == 6 / 16
    assert (p3["pts_share_2"], p3["pts_share_3"], p3["pts_share_ft"]) == (22 / 40, 12 / 40, 6 / 40)
    assert p1["games_with_zones"] == 0 and p1["rim_fga_rate"] is None and p1["zone_source"] is None


def test_player_shot_zone_analysis_reads_play_by_play_zones(con: duckdb.DuckDBPyConnection) -> None:
    shots = [
        ("1", D1, "Restricted Area", "Made"),
        ("1", D1, "Restricted Area", "Missed"),
        ("1", D1, "Left Corner 3", "Made"),
        ("1", D2, "Mid-Range", "Missed"),
        ("1", D3, "Above the Break 3", "Made"),  # the target date itself: never read
        ("1", D1, None, None),  # not a field goal (no area)
    ]
    con.executemany("INSERT INTO raw_nbac_play_by_play VALUES (?, ?, ?, ?)", shots)
    build_phase4(con, [D3])
    rows = {r["player_id"]: r for r in model(con, PLAYER_SHOT_ZONE_ANALYSIS.sql, game_dates=[D3])}  # type: ignore[arg-type]
    p1 = rows[1]
    assert (p1["games_with_zones"], p1["zone_source"]) == (2, "nbac_play_by_play")
    assert (p1["rim_fga_rate"], p1["corner3_fga_rate"], p1["mid_fga_rate"]) == (2 / 4, 1 / 4, 1 / 4)
    assert (p1["above_break3_fga_rate"], p1["paint_fga_rate"], p1["rim_fg_pct"]) == (0.0, 0.0, 0.5)
    assert p1["pts_share_2"] == 12 / 20  # the scoring kinds still come from the box scores
    assert rows[3]["games_with_zones"] == 0 and rows[3]["zone_source"] is None


def test_team_defense_zone_analysis_rows(con: duckdb.DuckDBPyConnection) -> None:
    rows = {r["team"]: r for r in model(con, TEAM_DEFENSE_ZONE_ANALYSIS.sql, game_dates=[D3])}  # type: ignore[arg-type]
    a, b = rows["AAA"], rows["BBB"]
    assert (a["games"], a["points_allowed_season"], b["points_allowed_season"]) == (2, 32.5, 33.0)
    assert a["league_points_allowed"] == 32.75
    assert a["games_with_counts"] == 1 and a["opp_pts_share_3"] == pytest.approx(12 / 40)
    assert rows["AAA"]["is_home"] is False and rows["BBB"]["opponent"] == "AAA"
    first = model(con, TEAM_DEFENSE_ZONE_ANALYSIS.sql, game_dates=[D1])  # type: ignore[arg-type]
    assert [r["games"] for r in first] == [0, 0] and first[0]["league_pace"] is None


def test_player_composite_factors_rows(con: duckdb.DuckDBPyConnection) -> None:
    build_phase4(con, [D3])
    rows = {r["player_id"]: r for r in model(con, PLAYER_COMPOSITE_FACTORS.sql, game_dates=[D3])}  # type: ignore[arg-type]
    p1 = rows[1]
    tdz = {r["team"]: r for r in model(con, TEAM_DEFENSE_ZONE_ANALYSIS.sql, game_dates=[D3])}  # type: ignore[arg-type]
    assert p1["fatigue_factor"] == 0.5  # back-to-back, 2 games in 7 days, minutes steady
    assert p1["matchup_factor"] == pytest.approx(
        tdz["BBB"]["def_rating_l10"] / tdz["BBB"]["league_def_rating"]
    )
    assert p1["pace_factor"] == pytest.approx(
        (tdz["AAA"]["pace_l10"] + tdz["BBB"]["pace_l10"]) / 2 / tdz["BBB"]["league_pace"]
    )
    assert p1["scoring_trend"] == 1.0 and p1["usage_trend"] == 1.0  # usage: the one game with counts


def test_ml_feature_store_rows(con: duckdb.DuckDBPyConnection) -> None:
    build_phase4(con, [D3])
    rows = {
        r["player_id"]: r
        for r in model(
            con,
            SQL_MODEL,
            game_dates=[D3],  # type: ignore[arg-type]
            feature_set=FEATURE_SET,
            feature_names=list(SQL_FEATURE_NAMES),
        )
    }
    p1 = rows[1]
    assert p1["feature_set"] == FEATURE_SET and tuple(p1["feature_names"]) == SQL_FEATURE_NAMES
    f = dict(zip(SQL_FEATURE_NAMES, p1["features"], strict=True))
    assert (f["points_l5"], f["games_played"], f["games_last_7d"], p1["is_home"]) == (25.0, 2.0, 2.0, False)
    assert f["pts_share_3"] == 6 / 20 and f["fatigue_factor"] == 0.5
    assert rows[3]["is_home"] is True
    assert p1["context_source"] == "upcoming_context" and p1["bootstrap"] is True


def test_feature_vector_in_sql_must_match_the_feature_set_module() -> None:
    from nbaprops.pipeline.precompute.feature_set import check_sql

    sql = SQL_MODEL.read_text()
    check_sql(sql)  # the shipped model agrees with SQL_FEATURE_NAMES
    swapped = (
        sql.replace("CAST(w.points_l5 AS DOUBLE)", "CAST(w.tmp AS DOUBLE)")
        .replace("CAST(w.points_l10 AS DOUBLE)", "CAST(w.points_l5 AS DOUBLE)")
        .replace("CAST(w.tmp AS DOUBLE)", "CAST(w.points_l10 AS DOUBLE)")
    )
    with pytest.raises(ValueError, match="does not match SQL_FEATURE_NAMES"):
        check_sql(swapped)
