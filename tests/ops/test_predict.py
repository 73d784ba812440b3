"""`predict` and `grade` through the runner: real ledger rows, skips, the coverage gate, bets."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from _support import DATA, make_settings
from nbaprops.ops.predict import grade_date, predict_date
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.predict.coordinator import Coordinator
from nbaprops.pipeline.predict.systems import Matchup, MovingAverage
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2025, 11, 5)


def _quick() -> Coordinator:
    return Coordinator(systems=[MovingAverage(), Matchup()])


def _ledger(runner: Runner, processor: str, day: dt.date) -> list[tuple[object, ...]]:
    return runner.wh.rows(
        "SELECT status, input_hash, rows_written, error FROM ops_ledger "
        "WHERE processor = $p AND partition = $k ORDER BY started_at",
        {"p": processor, "k": day.isoformat()},
    )


def test_predict_and_grade_write_through_the_runner_and_skip_when_unchanged(built: Runner) -> None:
    rep = predict_date(built.settings, built.wh, DAY, coordinator=_quick(), prepare=False)
    assert rep.status == "success", rep.error
    graded = grade_date(built.settings, built.wh, DAY)
    assert graded.status == "success", graded.error
    for table in ("system_predictions", "system_prediction_grades"):
        engine = built.wh.rows(f"SELECT count(*) FROM {table} WHERE game_date = $d", {"d": DAY})[0][0]
        [(status, input_hash, rows, _)] = _ledger(built, table, DAY)
        assert (status, rows) == ("success", engine) and engine > 100
        assert isinstance(input_hash, str) and len(input_hash) == 32  # a real input hash
    assert rep.rows_written == graded.rows_written
    # a second identical run finds inputs and code unchanged
    again = predict_date(built.settings, built.wh, DAY, coordinator=_quick(), prepare=False)
    assert again.status == "skipped" and again.summary == rep.summary
    assert grade_date(built.settings, built.wh, DAY).status == "skipped"
    assert [r[0] for r in _ledger(built, "system_predictions", DAY)] == ["success", "skipped"]


def test_grade_counts_neither_void_nor_pass_as_a_bet(built: Runner) -> None:
    predict_date(built.settings, built.wh, DAY, coordinator=_quick(), prepare=False)
    rep = grade_date(built.settings, built.wh, DAY)
    res = dict(
        built.wh.rows(
            "SELECT result, count(*) FROM system_prediction_grades WHERE game_date = $d GROUP BY 1",
            {"d": DAY},
        )
    )
    assert res.get("PASS", 0) > 0 and res.get("WIN", 0) + res.get("LOSS", 0) > 0
    bad = built.wh.rows(  # a bet on a player who then had no box row is VOID, never a LOSS
        "SELECT count(*) FROM system_prediction_grades WHERE game_date = $d AND actual_points IS NULL "
        "AND result = 'LOSS'",
        {"d": DAY},
    )[0][0]
    assert bad == 0
    assert sum(r["bets"] for r in rep.by_system) == sum(res.get(k, 0) for k in ("WIN", "LOSS", "PUSH"))
    assert all(r["bets"] == r["won"] + r["lost"] + r["push"] for r in rep.by_system)
    assert {r["system"] for r in rep.by_system} == {"moving_average", "matchup", "ensemble"}
    assert sum(r["n"] for r in rep.reliability) == sum(r["decided"] for r in rep.by_edge) > 50
    assert {r["confidence"] for r in rep.by_confidence} <= {"<5pt", "5-10pt", "10pt+"}


def _losing(tmp_path: Path, day: dt.date, games: int = 6) -> Path:
    """A data folder like the real one whose box scores lack `games` of `day`'s games."""
    import duckdb

    folder = tmp_path / "data"
    folder.mkdir()
    for f in DATA.iterdir():
        if f.name != "player_boxscores.parquet":
            (folder / f.name).symlink_to(f)
    src, d = DATA / "player_boxscores.parquet", day.isoformat()
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{src}') WHERE NOT (CAST(game_date AS DATE) = DATE '{d}' "
        f"AND game_key IN (SELECT DISTINCT game_key FROM read_parquet('{src}') "
        f"WHERE CAST(game_date AS DATE) = DATE '{d}' ORDER BY 1 LIMIT {games}))) "
        f"TO '{folder / 'player_boxscores.parquet'}'"
    )
    con.close()
    return folder


def test_grade_is_blocked_when_the_dates_box_scores_are_under_the_gate(tmp_path: Path) -> None:
    """The source lost half the date's games: the date's summary is gated, so its grades wait,
    and so does its prediction: on a final date the feature store lists the date's players from
    its summary, and the systems read the store (w-minutes)."""
    s = make_settings(tmp_path / "home", data_dir=_losing(tmp_path, DAY))
    wh = DuckDBWarehouse(s.warehouse_url)
    try:
        pred = predict_date(s, wh, DAY, coordinator=_quick(), history_seasons=0)
        assert (pred.status, pred.error) == ("failed", f"upstream ml_feature_store failed for {DAY}")
        rep = grade_date(s, wh, DAY)
        assert rep.status == "failed"
        assert rep.error == f"upstream player_game_summary failed for {DAY}"
        runner = Runner(settings=s, warehouse=wh)
        [(status, _, rows, error)] = _ledger(runner, "player_game_summary", DAY)[-1:]
        assert status == "failed" and rows is None
        assert str(error).startswith("gate: raw_player_boxscores covers 5 of 11 final games")
        assert not wh.has_table("system_prediction_grades") or wh.rows(
            "SELECT count(*) FROM system_prediction_grades WHERE game_date = $d", {"d": DAY}
        ) == [(0,)]
    finally:
        wh.close()


def test_predict_is_blocked_when_its_history_is_under_the_gate(tmp_path: Path) -> None:
    """The source lost half the games of the day before: that summary is gated, so the
    prediction, which reads every earlier date, is refused (ledger says why), nothing written."""
    before = DAY - dt.timedelta(days=1)
    s = make_settings(tmp_path / "home", data_dir=_losing(tmp_path, before, games=4))
    wh = DuckDBWarehouse(s.warehouse_url)
    try:
        rep = predict_date(s, wh, DAY, coordinator=_quick(), history_seasons=0)
        assert (rep.status, rep.error) == ("failed", f"upstream ml_feature_store failed for {DAY}")
        runner = Runner(settings=s, warehouse=wh)
        # the feature store's inputs, which read every earlier date, are refused by the history gate
        gated = runner.wh.rows(
            "SELECT error FROM ops_ledger WHERE partition = $k AND error LIKE 'gate: history incomplete: %'",
            {"k": DAY.isoformat()},
        )
        assert gated and all(
            re.match(r"gate: history incomplete: \w+ lacks 1 of the \d+ game days", str(e))
            and str(e).endswith(f"before {DAY} ({before}); run them first")
            for (e,) in gated
        )
        assert any("player_game_summary lacks 1 of the" in str(e) for (e,) in gated)
        [(summary, *_)] = _ledger(runner, "player_game_summary", before)
        assert summary == "failed"  # gated when `predict` prepared the history
        [(status, _, rows, error)] = _ledger(runner, "system_predictions", DAY)
        assert (status, rows, error) == ("failed", None, rep.error)
        assert not wh.has_table("system_predictions") or wh.rows(
            "SELECT count(*) FROM system_predictions WHERE game_date = $d", {"d": DAY}
        ) == [(0,)]
    finally:
        wh.close()
