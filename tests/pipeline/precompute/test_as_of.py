"""As-of correctness on real data: Phase-4 features never see their own game or a later one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from _support import SLICE, dates, make_settings, rotate_stat_lines
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse, Partition

REG = default_registry()
DAY = dt.date(2025, 11, 7)  # inside SLICE, after the bootstrap window
PHASE4 = (
    "player_daily_cache",
    "player_shot_zone_analysis",
    "team_defense_zone_analysis",
    "player_composite_factors",
    "ml_feature_store",
)
FEATURE_COLS = (
    "game_date",
    "season",
    "game_code",
    "player_id",
    "player_lookup",
    "team",
    "opponent",
    "is_home",
    "bootstrap",
    "games_played",
    "feature_set",
    "feature_names",
    "features",
)


def rows(runner: Runner, table: str, where: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    t = runner.wh.query(f"SELECT * FROM {table} WHERE {where}", params)
    return sorted(tuple(r.values()) for r in t.to_pylist())


def test_rebuild_from_data_through_the_day_before_matches_the_backfill(built: Runner, tmp_path: Path) -> None:
    # a fresh warehouse that only knows box scores up to the day before DAY ("today" is DAY - 1)
    s = make_settings(tmp_path / "asof", today=DAY - dt.timedelta(days=1))
    wh = DuckDBWarehouse(s.warehouse_url)
    try:
        asof = Runner(settings=s, warehouse=wh, code_version="test")  # with the coverage gate
        asof.run([REG.get("schedule")], [DAY])
        before = [d for d in dates(*SLICE) if d < DAY]
        assert not asof.run([REG.get("raw_player_boxscores")], before).failed
        assert not asof.run([REG.get("raw_prop_lines")], [*before, DAY]).failed
        assert not asof.run([REG.get("raw_game_lines")], [*before, DAY]).failed  # pre-game: D's too
        assert asof.wh.rows("SELECT max(game_date) FROM raw_player_boxscores")[0][0] == DAY - dt.timedelta(
            days=1
        )
        report = asof.run(REG.select(phases=[3, 4]), [*before, DAY])
        assert not report.failed, report.failed[:3]
        # every Phase-4 partition before DAY: byte-identical rows (and catalog checksums)
        for table in PHASE4:
            full, rebuilt = built.wh.partition_state(table), asof.wh.partition_state(table)
            for d in before:
                assert rebuilt[d.isoformat()] == full[d.isoformat()], (table, d)
        # DAY itself: the rebuild knows the players from the upcoming context only; every
        # (player, game) both builds have carries exactly the same feature row
        cols = ", ".join(FEATURE_COLS)
        where = "game_date = $d"
        full = {(r[2], r[3]): r for r in rows_of(built, cols, where, {"d": DAY})}
        rebuilt = {(r[2], r[3]): r for r in rows_of(asof, cols, where, {"d": DAY})}
        assert asof.wh.rows(
            "SELECT DISTINCT context_source FROM ml_feature_store WHERE game_date = $d", {"d": DAY}
        ) == [("upcoming_context",)]
        shared = full.keys() & rebuilt.keys()
        assert len(shared) >= 0.85 * len(full)
        assert all(full[k] == rebuilt[k] for k in shared), [
            (k, full[k], rebuilt[k]) for k in shared if full[k] != rebuilt[k]
        ][:2]
    finally:
        wh.close()


def rows_of(runner: Runner, cols: str, where: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        tuple(r.values())
        for r in runner.wh.query(f"SELECT {cols} FROM ml_feature_store WHERE {where}", params).to_pylist()
    ]


def test_perturbing_a_box_score_changes_nothing_dated_on_or_before_its_game(built: Runner) -> None:
    game_day = dt.date(2025, 11, 3)
    game = built.wh.rows(
        "SELECT min(game_code) FROM raw_player_boxscores WHERE game_date = $d", {"d": game_day}
    )[0][0]
    snapshot = {t: rows(built, t, "game_date <= $d", {"d": game_day}) for t in PHASE4}
    later = {t: rows(built, t, "game_date > $d", {"d": game_day}) for t in PHASE4}
    # perturb the game's box score: every player gets a teammate's stat line (team totals and
    # final scores stay true, so the write-time audits let it in)
    raw = built.wh.query("SELECT * FROM raw_player_boxscores WHERE game_date = $d", {"d": game_day})
    raw = rotate_stat_lines(raw, games={game})
    built.wh.write_partition("raw_player_boxscores", Partition("game_date", game_day), raw)
    report = built.run(REG.select(phases=[3, 4]), dates(*SLICE))
    assert not report.failed
    assert rows(built, "player_game_summary", "game_code = $g", {"g": game}) != []
    for t in PHASE4:
        assert rows(built, t, "game_date <= $d", {"d": game_day}) == snapshot[t], t
    # ...and the perturbation does reach the later features of the game's players
    assert rows(built, "ml_feature_store", "game_date > $d", {"d": game_day}) != later["ml_feature_store"]
    assert rows(built, "player_daily_cache", "game_date > $d", {"d": game_day}) != later["player_daily_cache"]
