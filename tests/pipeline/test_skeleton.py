"""The walking skeleton on real data: summary, moving average, grading."""

from __future__ import annotations

import datetime as dt
import statistics

import duckdb
import pytest

from _support import DATA, SLICE, dates, rotate_stat_lines
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import Partition

DAY = dt.date(2025, 11, 8)


def test_summary_matches_the_published_box_scores(built: Runner) -> None:
    ours = built.wh.rows(
        "SELECT player_id, points, minutes FROM player_game_summary WHERE game_date = $d ORDER BY 1",
        {"d": DAY},
    )
    theirs = duckdb.sql(
        f"SELECT player_id, pts, minutes FROM read_parquet('{DATA / 'player_boxscores.parquet'}') "
        f"WHERE CAST(game_date AS DATE) = DATE '{DAY}' ORDER BY 1"
    ).fetchall()
    assert len(ours) == len(theirs) > 100
    assert [(p, pts) for p, pts, _ in ours] == [(p, pts) for p, pts, _ in theirs]


def test_moving_average_is_computed_from_earlier_games_only(built: Runner) -> None:
    row = built.wh.rows(
        "SELECT player_id, predicted_points, games_used FROM predictions "
        "WHERE game_date = $d AND predicted_points IS NOT NULL ORDER BY games_used DESC, player_id LIMIT 1",
        {"d": DAY},
    )[0]
    player_id, predicted, used = row
    history = [
        p
        for (p,) in duckdb.sql(
            f"SELECT pts FROM read_parquet('{DATA / 'player_boxscores.parquet'}') "
            f"WHERE player_id = {player_id} AND season = '2025-26' "
            f"AND CAST(game_date AS DATE) < DATE '{DAY}' ORDER BY game_date DESC"
        ).fetchall()
    ]
    assert len(history) == used >= 5
    expected = (
        0.5 * statistics.mean(history[:5])
        + 0.3 * statistics.mean(history[:10])
        + (0.2 * statistics.mean(history))
    )
    assert predicted == pytest.approx(expected, abs=1e-3)


def _scramble_from(runner: Runner, start: dt.date) -> None:
    """Change every box score on or after `start` (stat lines rotated within each team, so
    team totals still match the final scores the write-time audits check)."""
    for d in dates(start, SLICE[1]):
        rows = runner.wh.query("SELECT * FROM raw_player_boxscores WHERE game_date = $d", {"d": d})
        if rows.num_rows == 0:
            continue
        rows = rotate_stat_lines(rows)
        runner.wh.write_partition("raw_player_boxscores", Partition("game_date", d), rows)


def test_changing_box_scores_on_or_after_a_date_changes_no_prediction_for_it(built: Runner) -> None:
    part = Partition("game_date", DAY)
    before = built.wh.checksum("predictions", part)
    grades_before = built.wh.checksum("prediction_grades", part)
    _scramble_from(built, DAY)
    report = built.run(default_registry().select(), dates(*SLICE))
    assert not report.failed
    ran = {(o.processor, o.partition) for o in report.outcomes if o.status == "success"}
    assert ("player_game_summary", DAY.isoformat()) in ran  # the change really flowed through
    assert built.wh.checksum("predictions", part) == before
    assert built.wh.checksum("prediction_grades", part) != grades_before  # actuals did change


def test_grading_against_real_lines(built: Runner) -> None:
    rows = built.wh.query(
        "SELECT g.*, s.points AS box_points FROM prediction_grades g "
        "LEFT JOIN player_game_summary s USING (game_date, player_id) "
        "WHERE g.recommendation IN ('OVER', 'UNDER')"
    ).to_pylist()
    assert len(rows) > 50
    for r in rows:
        if r["box_points"] is None:
            assert r["result"] == "VOID" and r["profit"] == 0
            continue
        over = r["box_points"] > r["line"]
        won = over if r["recommendation"] == "OVER" else r["box_points"] < r["line"]
        assert r["result"] == ("PUSH" if r["box_points"] == r["line"] else "WIN" if won else "LOSS")
        if r["result"] == "WIN":
            odds = r["odds"]
            assert r["profit"] == pytest.approx(odds / 100 if odds > 0 else 100 / -odds)
        elif r["result"] == "LOSS":
            assert r["profit"] == -1.0
    # hit-rate totals match a hand count over the same rows
    wins = sum(r["result"] == "WIN" for r in rows)
    got = built.wh.rows(
        "SELECT count(*) FILTER (WHERE result = 'WIN') FROM prediction_grades "
        "WHERE recommendation IN ('OVER', 'UNDER')"
    )[0][0]
    assert got == wins


def test_a_player_with_a_line_but_no_box_row_is_void(built: Runner) -> None:
    voids = built.wh.rows("SELECT g.player_id, g.game_date FROM prediction_grades g WHERE g.result = 'VOID'")
    assert voids, "the real data has players ruled out after their line was posted"
    for pid, day in voids:
        assert not built.wh.rows(
            "SELECT 1 FROM player_game_summary WHERE player_id = $p AND game_date = $d",
            {"p": pid, "d": day},
        )
