"""The command line: useful output, one-line errors, nothing written on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from _support import DATA
from nbaprops.cli import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_TODAY", "2026-11-25")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def _one_line_error(result: object, needle: str) -> None:
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    out = result.output.strip()  # type: ignore[attr-defined]
    assert needle in out
    assert "Traceback" not in out
    assert len(out.splitlines()) == 1, out


def test_processors_lists_the_dag(cli: CliRunner) -> None:
    result = cli.invoke(app, ["processors"])
    assert result.exit_code == 0
    order = [
        n
        for n in (
            "schedule",
            "raw_player_boxscores",
            "player_game_summary",
            "predictions",
            "prediction_grades",
        )
        if n in result.output
    ]
    assert len(order) == 5
    assert result.output.index("schedule") < result.output.index("player_game_summary")


def test_run_then_ledger_and_sql(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["run", "--date", "2025-10-22"])
    assert result.exit_code == 0, result.output
    assert "raw_player_boxscores" in result.output
    led = cli.invoke(app, ["ledger", "--date", "2025-10-22", "--json"])
    rows = json.loads(led.output)
    by = {r["processor"]: r for r in rows}
    assert by["raw_player_boxscores"]["status"] == "success"
    sql = cli.invoke(app, ["sql", "SELECT count(*) AS n FROM raw_player_boxscores", "--json"])
    assert json.loads(sql.output) == [{"n": by["raw_player_boxscores"]["rows_written"]}]
    again = cli.invoke(app, ["run", "--date", "2025-10-22"])
    assert again.exit_code == 0 and "skipped" in again.output
    failed = cli.invoke(app, ["ledger", "--status", "failed", "--json"])
    assert json.loads(failed.output) == []


def test_sql_is_read_only(cli: CliRunner) -> None:
    cli.invoke(app, ["run", "--date", "2025-10-22", "-p", "schedule"])
    result = cli.invoke(app, ["sql", "DROP TABLE schedule"])
    _one_line_error(result, "read-only")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--date", "2025-13-01"], "--date '2025-13-01' is not a date"),
        (["run", "--date", "2025-10-22", "-p", "nope"], "unknown processor 'nope'"),
        (["run", "--start-date", "2025-10-22", "--end-date", "2025-10-01"], "before start date"),
        (["run"], "give --date D"),
        (["demo", "--season", "2025"], "not of the form 2024-25"),
        (["ledger", "--status", "weird"], "status 'weird'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cli: CliRunner, tmp_path: Path, args: list[str], needle: str
) -> None:
    _one_line_error(cli.invoke(app, args), needle)
    assert not (tmp_path / "home").exists()


def test_missing_data_folder_is_named_and_writes_nothing(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(tmp_path / "nowhere"))
    _one_line_error(cli.invoke(app, ["run", "--date", "2025-10-22"]), "nowhere does not exist")
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "games.parquet").write_bytes((DATA / "games.parquet").read_bytes())
    result = cli.invoke(app, ["--data-dir", str(partial), "demo"])
    _one_line_error(result, "has no player_boxscores.parquet")
    assert not (tmp_path / "home").exists()


def test_ledger_before_any_run_says_so(cli: CliRunner, tmp_path: Path) -> None:
    _one_line_error(cli.invoke(app, ["ledger"]), "no warehouse at")
    assert not (tmp_path / "home").exists()


def test_a_bad_setting_is_one_line(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBAPROPS_COVERAGE_GATE", "2")
    _one_line_error(cli.invoke(app, ["run", "--date", "2025-10-22"]), "bad setting coverage_gate")


def test_heal_dry_run_plans_exactly_the_broken_partition(
    built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    monkeypatch.setenv("NBAPROPS_HOME", str(home))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_TODAY", "2026-11-25")
    monkeypatch.setenv("COLUMNS", "200")
    cli = CliRunner()
    span = ["--start-date", "2025-10-21", "--end-date", "2025-11-09", "--dry-run"]
    clean = cli.invoke(app, ["heal", *span])
    assert clean.exit_code == 0, clean.output
    assert "nothing to re-run" in clean.output
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    con.execute("DELETE FROM predictions WHERE game_date = DATE '2025-11-05'")
    con.close()
    broken = cli.invoke(app, ["heal", *span])
    assert broken.exit_code == 0, broken.output
    assert "Re-run (1), then downstream: prediction_grades" in " ".join(broken.output.split())
    assert "│ predictions │ 2025-11-05 │" in broken.output
