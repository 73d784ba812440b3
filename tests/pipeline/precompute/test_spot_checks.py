"""Spot checks: rolling averages recomputed by hand from the parquet file match the cache exactly."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import pytest

from _support import DATA, SLICE
from nbaprops.ops.runner import Runner

AS_OF = SLICE[1]  # the last date of the slice: up to 10+ games of history per player


def history(player_id: int) -> list[tuple[dt.date, int, int, int, int]]:
    """(date, pts, minutes, reb, ast) of a player's 2025-26 games, read with nothing but duckdb."""
    con = duckdb.connect()
    try:
        got = con.execute(
            "SELECT CAST(game_date AS DATE), pts, minutes, reb, ast FROM read_parquet($p) "
            "WHERE player_id = $id AND season = '2025-26' ORDER BY game_date",
            {"p": str(DATA / "player_boxscores.parquet"), "id": player_id},
        ).fetchall()
    finally:
        con.close()
    return [tuple(r) for r in got]  # type: ignore[misc]


def mean(xs: list[int]) -> float | None:
    return sum(xs) / len(xs) if xs else None


@pytest.mark.parametrize("rank", [0, 1, 2, 10, 40])
def test_rolling_averages_match_a_hand_computation(built: Runner, rank: int) -> None:
    # players with a game on AS_OF, the ones with most history first (ties by id)
    cache = built.wh.query(
        "SELECT * FROM player_daily_cache WHERE game_date = $d ORDER BY games_played DESC, player_id",
        {"d": AS_OF},
    ).to_pylist()
    row = cache[rank]
    games = [g for g in history(row["player_id"]) if g[0] < AS_OF]
    by = defaultdict(list)
    for _, pts, mins, reb, ast in games:
        by["points"].append(pts)
        by["minutes"].append(mins)
        by["rebounds"].append(reb)
        by["assists"].append(ast)
    assert row["games_played"] == len(games) and row["last_game_date"] == games[-1][0]
    for stat in ("points", "minutes"):
        xs = by[stat]
        assert row[f"{stat}_l5"] == mean(xs[-5:])
        assert row[f"{stat}_l10"] == mean(xs[-10:])
        assert row[f"{stat}_l20"] == mean(xs[-20:])
        assert row[f"{stat}_season"] == mean(xs)
    assert row["rebounds_l5"] == mean(by["rebounds"][-5:])
    assert row["assists_l10"] == mean(by["assists"][-10:])
    assert row["rest_days"] == (AS_OF - games[-1][0]).days
