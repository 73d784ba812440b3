"""`nbaprops evaluate`: the JSON contract, ledger rows, bad input, a data folder missing a file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nbaprops.cli import app
from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError, InputError
from nbaprops.ops.predict import evaluate_range as evaluate
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.systems import LastTen, LineSystem, MovingAverage

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data" / "nba"
KEYS = {"n", "mae", "n_edge3", "hit_rate_edge3", "hit_rate_edge3_ci", "roi", "brier"}


@pytest.mark.slow
def test_evaluate_json_contract(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "home"),
            "--data-dir",
            str(DATA),
            "evaluate",
            "--start-date",
            "2025-10-22",
            "--end-date",
            "2025-10-22",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"start", "end", "market", "systems", "market_calls"}
    assert out["market"] == "player_points"
    for name in ("l10", "ensemble"):  # the market-aware calls, beside the systems
        m = out["market_calls"][name]
        assert {"brier_model", "brier_market", "brier_blend", "n_bets", "roi", "clv", "bankroll"} <= set(m)
        assert set(m["bankroll"]) == {"kelly", "flat"} and m["bankroll"]["kelly"]["start"] == 100.0
    assert "line" not in out["market_calls"]
    assert out["start"] == "2025-10-22"
    assert out["end"] == "2025-10-22"
    for name in ("line", "ensemble", "season_average", "l10", "moving_average", "lightgbm"):
        assert set(out["systems"][name]) >= KEYS, name
    line = out["systems"]["line"]
    assert line["n_edge3"] == 0  # the line never disagrees with itself
    assert line["n"] == out["systems"]["ensemble"]["n"] > 50
    assert 3 < line["mae"] < 8
    # the warehouse it builds lives under the home given
    assert (tmp_path / "home" / "warehouse.duckdb").is_file()


def test_market_section_over_real_dates_in_memory(tmp_path: Path) -> None:
    """Blend, shopped calls, CLV (none: one snapshot a day) and both bankrolls, per model system."""
    s = Settings(home=tmp_path / "home", data_dir=DATA, staking={"bankroll": 50.0})
    quick = DayPredictor(systems=[LineSystem(), LastTen(), MovingAverage()])
    rep = evaluate(s, dt.date(2025, 11, 10), dt.date(2025, 11, 12), write=False, predictor=quick)
    assert set(rep.market_calls) == {"l10", "moving_average", "ensemble"}
    m = rep.market_calls["l10"]
    assert m["n_eligible"] >= m["n_bets"] > 10
    assert m["clv"]["n_clv"] == 0
    kelly, flat = m["bankroll"]["kelly"], m["bankroll"]["flat"]
    assert kelly["start"] == flat["start"] == 50.0 and flat["n_bets"] >= m["n_bets"]
    assert rep.to_json()["market_calls"] == rep.market_calls


def test_range_without_games_says_no_games_scheduled(tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "home", data_dir=DATA)
    with pytest.raises(InputError, match="no games scheduled"):
        evaluate(s, dt.date(2025, 7, 10), dt.date(2025, 7, 12), write=False)


def test_end_before_start_is_refused(tmp_path: Path) -> None:
    s = Settings(home=tmp_path / "home", data_dir=DATA)
    with pytest.raises(InputError, match="before start"):
        evaluate(s, dt.date(2025, 11, 12), dt.date(2025, 11, 10), write=False)


@pytest.mark.parametrize("missing", ["props_points.parquet", "player_boxscores.parquet", "games.parquet"])
def test_data_folder_missing_a_required_file_names_it(tmp_path: Path, missing: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for f in ("games.parquet", "player_boxscores.parquet", "props_points.parquet"):
        if f != missing:
            (folder / f).symlink_to(DATA / f)
    s = Settings(home=tmp_path / "home", data_dir=folder)
    with pytest.raises(ConfigError, match=missing.replace(".", r"\.")):
        evaluate(s, dt.date(2025, 11, 10), dt.date(2025, 11, 11), write=False)
    res = CliRunner().invoke(
        app,
        ["--data-dir", str(folder), "evaluate", "--start-date", "2025-11-10", "--end-date", "2025-11-11"],
    )
    assert res.exit_code == 1
    assert missing in res.output


@pytest.mark.slow
def test_folder_with_later_dates_gives_the_same_result(tmp_path: Path) -> None:
    """A folder holding more (later) lines than the range changes nothing inside the range."""
    import duckdb

    folder = tmp_path / "data"
    folder.mkdir()
    for f in ("games.parquet", "player_boxscores.parquet"):
        shutil.copy(DATA / f, folder / f)
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{DATA / 'props_points.parquet'}') "
        "UNION ALL SELECT * REPLACE (game_date + INTERVAL 40 DAY AS game_date) "
        f"FROM read_parquet('{DATA / 'props_points.parquet'}')) TO '{folder / 'props_points.parquet'}'"
    )
    con.close()
    day = dt.date(2025, 11, 10)

    def run(data: Path, home: str) -> dict[str, dict[str, object]]:
        s = Settings(home=tmp_path / home, data_dir=data)
        quick = DayPredictor(systems=[LineSystem(), LastTen(), MovingAverage()])
        return evaluate(s, day, day, write=False, predictor=quick).systems

    a, b = run(DATA, "a"), run(folder, "b")
    assert a == b
    assert a["line"]["n"] > 50


def test_walk_forward_writes_through_the_runner_and_reports_from_the_table(tmp_path: Path) -> None:
    from nbaprops.storage import DuckDBWarehouse

    s = Settings(home=tmp_path / "home", data_dir=DATA)
    start, end = dt.date(2025, 10, 21), dt.date(2025, 10, 22)  # the season's first two dates
    rep = evaluate(s, start, end)
    wh = DuckDBWarehouse(s.warehouse_url)
    try:
        engine = dict(
            wh.rows("SELECT game_date::VARCHAR, count(*) FROM evaluation_predictions GROUP BY 1 ORDER BY 1")
        )
        led = wh.rows(
            "SELECT partition, status, input_hash, rows_written FROM ops_ledger "
            "WHERE processor = 'evaluation_predictions' ORDER BY partition"
        )
        assert [(k, st, n) for k, st, _, n in led] == [(k, "success", n) for k, n in engine.items()]
        assert len(engine) == 2 and min(engine.values()) > 100
        assert all(isinstance(h, str) and len(h) == 32 for _, _, h, _ in led)  # real input hashes
        assert len(rep.graded) == sum(engine.values())
    finally:
        wh.close()
    # the report read back from the table is the walk computed in memory
    assert evaluate(s, start, end, write=False).systems == rep.systems
    again = evaluate(s, start, end)  # a second identical run skips every date
    assert again.systems == rep.systems
    wh = DuckDBWarehouse(s.warehouse_url)
    try:
        got = wh.rows(
            "SELECT status, count(*) FROM ops_ledger WHERE processor = 'evaluation_predictions' GROUP BY 1 ORDER BY 1"
        )
        assert got == [("skipped", 2), ("success", 2)]
    finally:
        wh.close()


MARKET_KEYS = KEYS | {"brier_same_rows", "brier_market", "brier_diff_ci", "brier_normal", "n_brier"}
MARKET_KEYS |= {"bet_hit_rate", "bet_hit_rate_ci", "break_even"}


def test_evaluate_a_market_json_has_the_keys_and_writes_its_rows(tmp_path: Path) -> None:
    from nbaprops.storage import DuckDBWarehouse

    home = tmp_path / "home"
    args = ["--home", str(home), "--data-dir", str(DATA), "evaluate", "--market", "player_threes"]
    res = CliRunner().invoke(app, [*args, "--start-date", "2024-10-23", "--end-date", "2024-10-23", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"start", "end", "market", "systems", "market_calls"}
    assert out["market"] == "player_threes"
    for name in ("line", "ensemble", "season_average", "l10", "moving_average", "matchup"):
        assert set(out["systems"][name]) >= MARKET_KEYS, name
    line = out["systems"]["line"]
    assert line["n"] > 50 and line["n_edge3"] == 0
    assert line["brier_same_rows"] == line["brier_market"]  # the line's P(over) is the market's
    assert 0 < line["mae"] < 3  # threes, not points
    wh = DuckDBWarehouse(Settings(home=home).warehouse_url)
    try:
        got = wh.rows("SELECT DISTINCT market FROM evaluation_predictions")
        led = wh.rows("SELECT status FROM ops_ledger WHERE processor = 'evaluation_predictions'")
    finally:
        wh.close()
    assert got == [("player_threes",)]
    assert led == [("success",)]  # the walk's first date (2024-10-22) is walked, only the asked one kept


@pytest.mark.parametrize("market", ["player_dunks", "points"])
def test_a_bad_market_name_is_a_one_line_error(tmp_path: Path, market: str) -> None:
    res = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path),
            "evaluate",
            "--market",
            market,
            "--start-date",
            "2025-11-04",
            "--end-date",
            "2025-11-04",
        ],
    )
    assert res.exit_code == 1
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1, res.output
    assert f"unknown market '{market}'" in lines[0] and "player_threes" in lines[0]
    assert not (tmp_path / "warehouse.duckdb").exists()  # nothing was built
