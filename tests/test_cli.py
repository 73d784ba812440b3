"""The command line: useful output, one-line errors, nothing written on bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

import nbaprops
from _support import DATA, FIXTURES
from nbaprops.cli import app
from nbaprops.cli.console import REPORT_KEYS
from nbaprops.core.version import code_version
from nbaprops.pipeline.registry import default_registry


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
    sql = cli.invoke(
        app,
        ["sql", "SELECT count(*) AS n FROM raw_player_boxscores WHERE game_date = '2025-10-22'", "--json"],
    )
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


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["backfill", "--workers", "0"], "nbaprops backfill: Invalid value for '--workers'"),
        (["backfill", "--chunk", "0"], "nbaprops backfill: Invalid value for '--chunk'"),
        (["run", "--bogus"], "nbaprops run: No such option: --bogus"),
    ],
)
def test_a_usage_error_is_one_line_naming_the_option(
    cli: CliRunner, tmp_path: Path, args: list[str], needle: str
) -> None:
    res = cli.invoke(app, args)
    assert res.exit_code == 2, res.output  # click's usage exit code
    out = res.output.strip()
    assert out.splitlines() == [out] and needle in out and "╭" not in out, out
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


@pytest.fixture
def built_cli(cli: CliRunner, built_home: Path, tmp_path: Path) -> CliRunner:
    """The CLI on a private copy of the session's built warehouse (SLICE)."""
    shutil.copytree(built_home, tmp_path / "home")
    return cli


def test_heal_dry_run_plans_exactly_the_broken_partition(built_cli: CliRunner, tmp_path: Path) -> None:
    cli, home = built_cli, tmp_path / "home"
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


def test_backfill_dry_run_lists_the_history_the_run_adds(built_cli: CliRunner) -> None:
    span = ["--start-date", "2025-11-05", "--end-date", "2025-11-06", "-p", "predictions", "--workers", "1"]
    res = built_cli.invoke(app, ["backfill", *span, "--dry-run", "--json"])
    assert res.exit_code == 0, res.output
    rows = {
        r["processor"]: r
        for r in _report(res, "backfill", "backfill-dry-run")["result"]["plan"]["processors"]
    }  # type: ignore[index]
    assert rows["predictions"]["history"] is None  # asked for: its own two dates
    summary = rows["player_game_summary"]  # not asked for: the box-score history predictions reads
    assert summary["history"]["first"] == "2025-10-21" and summary["history"]["last"] == "2025-11-05"
    assert summary["history"]["count"] == summary["partitions"] > 2
    text = built_cli.invoke(app, ["backfill", *span, "--dry-run"])
    assert text.exit_code == 0, text.output
    assert (
        f"history: +{summary['partitions']} partitions of player_game_summary from 2025-10-21 .. 2025-11-05"
        in text.output
    )
    ran = _report(built_cli.invoke(app, ["backfill", *span, "--json"]), "backfill")["result"]  # type: ignore[index]
    assert {p["processor"]: p["planned"] for p in ran["backfill"]["processors"]} == {
        name: r["partitions"] for name, r in rows.items()
    }


# --- --json: one envelope for every command that reports (docs/cli.md) --------------------

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _doc_examples() -> dict[str, dict[str, object]]:
    """The example output of each command in docs/cli.md: a ```json block after a
    ``<!-- example: NAME -->`` marker."""
    text = DOC.read_text()
    return {
        m[1]: json.loads(m[2]) for m in re.finditer(r"<!-- example: (\S+) -->\n```json\n(.*?)```", text, re.S)
    }


def _shape(v: object) -> object:
    """The keys of a JSON value, recursively (lists by their first element)."""
    if isinstance(v, dict):
        return {k: _shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_shape(v[0])] if v else []
    return None


def _same_keys(got: object, doc: object, where: str = "") -> None:
    """Every key the docs show is in the output and vice versa (null and [] match any shape)."""
    if isinstance(doc, dict) and isinstance(got, dict):
        assert set(got) == set(doc), f"{where}: output {sorted(got)} vs docs {sorted(doc)}"
        for k in doc:
            _same_keys(got[k], doc[k], f"{where}.{k}")
    elif isinstance(doc, list) and isinstance(got, list) and doc and got:
        _same_keys(got[0], doc[0], f"{where}[0]")


def _report(result: object, command: str, example: str | None = None) -> dict[str, object]:
    """The one JSON object on stdout, checked against the envelope and the docs' example."""
    out = json.loads(result.stdout)  # type: ignore[attr-defined]  # stdout holds JSON and nothing else
    assert tuple(out) == REPORT_KEYS
    assert out["command"] == command
    assert out["version"] == code_version()
    doc = _doc_examples()[example or command]
    _same_keys(_shape(out), _shape(doc), command)
    return out


def test_docs_show_one_example_per_reporting_command() -> None:
    assert set(_doc_examples()) == {
        "processors", "run", "demo", "backfill", "backfill-status", "backfill-dry-run", "heal", "scrape", "error",
        "daily",
    }  # fmt: skip
    for example in _doc_examples().values():
        assert tuple(example) == REPORT_KEYS


def test_processors_json_names_every_processor_and_its_source_file(cli: CliRunner) -> None:
    res = cli.invoke(app, ["processors", "--json"])
    assert res.exit_code == 0, res.output
    out = _report(res, "processors")
    assert out["ok"] is True and out["error"] is None
    listed = out["result"]["processors"]  # type: ignore[index]
    reg = default_registry()
    assert [p["name"] for p in listed] == reg.order
    root = Path(nbaprops.__file__).parent
    for p in listed:
        assert (root / p["source_file"]).is_file(), p
    by = {p["name"]: p for p in listed}
    assert by["player_game_summary"]["source_file"] == "pipeline/analytics/player_game_summary.sql"
    assert by["schedule"]["selection"] == "default"
    assert by["scrape_bdl_box_scores"]["selection"] == "network"
    assert by["system_predictions"]["selection"] == "opt-in"
    table = cli.invoke(app, ["processors"])
    assert "pipeline/raw/schedule.py" in table.output.replace("\n", "")


def test_run_json_counts_are_the_ledger_and_the_engine(cli: CliRunner, tmp_path: Path) -> None:
    res = cli.invoke(app, ["run", "--date", "2025-10-22", "--json"])
    assert res.exit_code == 0, res.output
    out = _report(res, "run")
    assert out["ok"] is True
    runs = out["result"]["runs"]  # type: ignore[index]
    assert out["result"]["dates"] == {"first": "2025-10-22", "last": "2025-10-22", "count": 1}  # type: ignore[index]
    assert runs["failed"] == 0 and runs["success"] == runs["runs"] > 0
    con = duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True)
    ledger = dict(
        con.execute(
            "SELECT processor, sum(rows_written) FROM ops_ledger WHERE status = 'success' GROUP BY 1"
        ).fetchall()
    )
    (box,) = con.execute(
        "SELECT count(*) FROM raw_player_boxscores WHERE game_date = DATE '2025-10-22'"
    ).fetchone()  # type: ignore[misc]
    con.close()
    per = {p["processor"]: p for p in runs["processors"]}
    assert {p: r["rows_written"] for p, r in per.items()} == ledger
    # the run also built the history its windows read (the opener, 2025-10-21)
    (both,) = (
        duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True)
        .execute("SELECT count(*) FROM raw_player_boxscores")
        .fetchone()
    )  # type: ignore[misc]
    assert per["raw_player_boxscores"]["rows_written"] == both > box > 0
    assert runs["rows_written"] == sum(ledger.values())
    again = _report(cli.invoke(app, ["run", "--date", "2025-10-22", "--json"]), "run")["result"]["runs"]  # type: ignore[index]
    assert again["success"] == again["failed"] == 0 and again["skipped"] == again["runs"] > 0


def test_json_error_is_the_envelope_with_ok_false(cli: CliRunner, tmp_path: Path) -> None:
    res = cli.invoke(app, ["run", "--date", "2025-13-01", "--json"])
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert tuple(out) == REPORT_KEYS
    assert out["ok"] is False and out["result"] is None
    assert "--date '2025-13-01' is not a date" in out["error"]
    assert "is not a date" in res.stderr
    assert not (tmp_path / "home").exists()


def test_run_json_reports_a_failed_run_like_the_ledger(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("games.parquet", "player_boxscores.parquet"):
        (data / name).symlink_to(DATA / name)
    (data / "props_points.parquet").write_bytes(b"not parquet")  # a damaged download
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(data))
    res = cli.invoke(app, ["run", "--date", "2025-10-22", "-p", "schedule,raw_prop_lines", "--json"])
    assert res.exit_code == 1
    out = _report(res, "run")
    assert out["ok"] is False and out["error"] is None
    runs = out["result"]["runs"]  # type: ignore[index]
    (failure,) = runs["failures"]
    assert runs["failed"] == 1 and failure["processor"] == "raw_prop_lines"
    assert "props_points.parquet" in failure["error"]
    led = json.loads(cli.invoke(app, ["ledger", "--status", "failed", "--json"]).stdout)
    assert [(r["run_id"], r["error"]) for r in led] == [(failure["run_id"], failure["error"])]


def test_backfill_json_plan_run_and_status_agree(cli: CliRunner, tmp_path: Path) -> None:
    span = ["--start-date", "2025-10-21", "--end-date", "2025-10-23", "--phases", "2", "--workers", "1"]
    empty = _report(cli.invoke(app, ["backfill", "--status", "--json"]), "backfill", "backfill-status")
    assert empty["result"] == {
        "mode": "status",
        "plan": None,
        "backfill": None,
        "runs": None,
        "elapsed_s": None,
    }
    res = cli.invoke(app, ["backfill", *span, "--dry-run", "--json"])
    assert res.exit_code == 0, res.output
    plan = _report(res, "backfill", "backfill-dry-run")["result"]["plan"]  # type: ignore[index]
    assert plan["dates"] == {"first": "2025-10-21", "last": "2025-10-23", "count": 3}
    planned = {p["processor"]: p["partitions"] for p in plan["processors"]}
    assert planned["raw_player_boxscores"] == 3
    res = cli.invoke(app, ["backfill", *span, "--json"])
    assert res.exit_code == 0, res.output
    done = _report(res, "backfill")["result"]  # type: ignore[index]
    assert done["mode"] == "run" and done["runs"]["failed"] == 0
    progress = done["backfill"]
    assert {p["processor"]: p["planned"] for p in progress["processors"]} == planned
    assert progress["done"] == progress["planned"] == sum(planned.values())
    status = _report(cli.invoke(app, ["backfill", "--status", "--json"]), "backfill", "backfill-status")
    assert status["result"]["backfill"] == progress  # type: ignore[index]
    ledger = json.loads(cli.invoke(app, ["ledger", "--status", "success", "--limit", "0", "--json"]).stdout)
    written = sum(r["rows_written"] for r in ledger if r["processor"] == "raw_player_boxscores")
    per = {p["processor"]: p for p in done["runs"]["processors"]}
    assert per["raw_player_boxscores"]["rows_written"] == written > 0


def test_heal_json_plans_and_repairs_a_deleted_partition(built_cli: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "home" / "warehouse.duckdb")
    query = "SELECT count(*) FROM predictions WHERE game_date = DATE '2025-11-05'"
    con = duckdb.connect(db)
    (rows,) = con.execute(query).fetchone()  # type: ignore[misc]
    con.execute("DELETE FROM predictions WHERE game_date = DATE '2025-11-05'")
    con.close()
    span = ["--start-date", "2025-10-21", "--end-date", "2025-11-09"]
    res = built_cli.invoke(app, ["heal", *span, "--dry-run", "--json"])
    assert res.exit_code == 0, res.output
    plan = _report(res, "heal")["result"]  # type: ignore[index]
    assert plan["dry_run"] is True and plan["runs"] is None and plan["alarms_after"] is None
    assert plan["rerun"] == [{"processor": "predictions", "partition": "2025-11-05"}]
    assert "prediction_grades" in plan["downstream"]
    assert plan["alarms_before"] >= 1
    res = built_cli.invoke(app, ["heal", *span, "--json"])
    assert res.exit_code == 0, res.output
    healed = _report(res, "heal")["result"]  # type: ignore[index]
    assert healed["alarms_after"] == 0 and healed["runs"]["failed"] == 0
    per = {p["processor"]: p for p in healed["runs"]["processors"]}
    assert per["predictions"]["success"] >= 1 and per["predictions"]["rows_written"] >= rows
    con = duckdb.connect(db, read_only=True)
    assert con.execute(query).fetchone() == (rows,)
    con.close()


def test_scrape_json_lists_the_stored_payloads(
    cli: CliRunner, threaded_server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (FIXTURES / "nbac_scoreboard_v2" / "raw_055ff78d.json").read_bytes()
    threaded_server.expect_request("/stats/scoreboardV2").respond_with_data(
        body, content_type="application/json"
    )
    base = threaded_server.url_for("").rstrip("/")
    monkeypatch.setenv("NBAPROPS_HTTP__BASE_URLS", json.dumps({"nbac_stats": f"{base}/stats"}))
    res = cli.invoke(app, ["scrape", "nbac_scoreboard_v2", "--date", "2024-01-15", "--json"])
    assert res.exit_code == 0, res.output
    out = _report(res, "scrape")["result"]  # type: ignore[index]
    assert out["kind"] == "nbac_scoreboard_v2" and out["date"] == "2024-01-15"
    (payload,) = out["payloads"]
    assert payload["status"] == 200 and payload["bytes"] == len(body)
    assert payload["game_date"] == "2024-01-15"


@pytest.mark.slow
def test_demo_json_tables_are_the_warehouse(cli: CliRunner, tmp_path: Path) -> None:
    res = cli.invoke(app, ["demo", "--json"])
    assert res.exit_code == 0, res.stderr
    out = _report(res, "demo")["result"]  # type: ignore[index]
    assert out["season"] == "2025-26" and out["runs"]["failed"] == 0
    con = duckdb.connect(str(tmp_path / "home" / "warehouse.duckdb"), read_only=True)
    for t in out["tables"]:
        assert con.execute(f"SELECT count(*) FROM {t['table']}").fetchone() == (t["rows"],)
    (graded,) = con.execute(
        "SELECT count(actual_points) FROM prediction_grades WHERE predicted_points IS NOT NULL"
    ).fetchone()  # type: ignore[misc]
    con.close()
    pred = out["predictions"]
    assert pred["graded"] == graded > 0
    assert pred["wins"] + pred["losses"] > 0 and 0 < pred["hit_rate"] < 1


def test_version_is_the_package_version_and_the_commit(cli: CliRunner) -> None:
    res = cli.invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.stdout.strip() == f"nbaprops {code_version()}"
    assert code_version().startswith(f"{nbaprops.__version__}+")


def test_python_m_nbaprops_is_the_same_program(tmp_path: Path) -> None:
    env = {**os.environ, "NBAPROPS_HOME": str(tmp_path / "home")}
    out = subprocess.run(
        [sys.executable, "-m", "nbaprops", "--version"], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.strip() == f"nbaprops {code_version()}"
    help_text = subprocess.run(
        [sys.executable, "-m", "nbaprops", "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "Usage: nbaprops" in help_text and "backfill" in help_text


@pytest.mark.parametrize(
    ("now", "word", "expected"),
    [
        ("2025-10-23T02:30:00Z", "today", "2025-10-22"),  # 22:30 EDT: New York's date, not UTC's
        ("2025-10-23T02:30:00Z", "yesterday", "2025-10-21"),
        ("2025-10-23T04:30:00Z", "today", "2025-10-23"),  # 00:30 EDT
        ("2025-12-23T04:30:00Z", "today", "2025-12-22"),  # 23:30 EST
    ],
)
def test_run_date_today_and_yesterday_are_eastern_dates(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, now: str, word: str, expected: str
) -> None:
    monkeypatch.delenv("NBAPROPS_TODAY")
    monkeypatch.setenv("NBAPROPS_NOW", now)
    res = cli.invoke(app, ["run", "--date", word, "-p", "schedule", "--json"])
    assert res.exit_code == 0, res.output
    assert _report(res, "run")["result"]["dates"] == {"first": expected, "last": expected, "count": 1}  # type: ignore[index]


def test_daily_auto_runs_the_pass_the_eastern_clock_calls_for(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NBAPROPS_TODAY")
    monkeypatch.setenv("NBAPROPS_NOW", "2025-10-23T08:00:00Z")  # 04:00 EDT: the night of 22 Oct
    res = cli.invoke(app, ["daily", "--json"])
    assert res.exit_code == 0, res.output
    out = _report(res, "daily")["result"]
    assert (out["pass_name"], out["chosen_by"], out["date"]) == ("night", "clock", "2025-10-22")  # type: ignore[index]
    assert "prediction_grades" in out["processors"] and "scrape_bdl_box_scores" not in out["processors"]  # type: ignore[index]
    assert out["runs"]["failed"] == 0 and out["runs"]["success"] > 0  # type: ignore[index]
    led = json.loads(cli.invoke(app, ["ledger", "--group", out["label"], "--limit", "0", "--json"]).output)  # type: ignore[index]
    assert len(led) == out["runs"]["runs"] and {r["run_group"] for r in led} == {out["label"]}  # type: ignore[index]
    passes = json.loads(cli.invoke(app, ["ledger", "--passes", "--json"]).output)
    assert [(p["run_group"], p["runs"]) for p in passes] == [(out["label"], out["runs"]["runs"])]  # type: ignore[index]
    assert cli.invoke(app, ["daily", "--pass", "noon"]).exit_code == 1


def test_now_without_a_zone_is_refused(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBAPROPS_NOW", "2025-10-23T02:30:00")
    _one_line_error(cli.invoke(app, ["run", "--date", "today"]), "time zone")
