"""Hostile but fair input through the CLI: bad settings, paths, dates, spans and SQL.

Each case must end with exit code 1, exactly one line on stderr naming what
was wrong, no traceback, and nothing written (or read) where it should not be.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _support import DATA
from nbaprops.cli import app


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)  # no nbaprops.toml of the checkout is read
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_TODAY", "2026-11-25")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


@pytest.fixture
def sealed_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built warehouse (real 2025-26 data), used as NBAPROPS_HOME."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    monkeypatch.setenv("NBAPROPS_HOME", str(home))
    return home


def one_line_error(result: Any, *needles: str) -> str:
    """Exit 1, one line on stderr containing every needle, no traceback; returns the line."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for needle in needles:
        assert needle in lines[0], lines[0]
    return str(lines[0])


# --- settings and paths -----------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "value", "needles"),
    [
        ("NBAPROPS_EDGE", "-5", ("edge", "NBAPROPS_EDGE", "'-5'", "greater than or equal to 0")),
        ("NBAPROPS_RUN_TIMEOUT_MINUTES", "-1", ("run_timeout_minutes", "'-1'")),
        ("NBAPROPS_COVERAGE_GATE", "0", ("coverage_gate", "'0'", "greater than 0")),
        ("NBAPROPS_COVERAGE_GATE", "1.5", ("coverage_gate", "'1.5'")),
        ("NBAPROPS_BOOTSTRAP_DAYS", "-3", ("bootstrap_days", "'-3'")),
        ("NBAPROPS_DUCKDB_THREADS", "0", ("duckdb_threads", "'0'")),
        ("NBAPROPS_HTTP__MAX_ATTEMPTS", "0", ("http.max_attempts", "NBAPROPS_HTTP__MAX_ATTEMPTS", "'0'")),
        ("NBAPROPS_HTTP__DEADLINE", "-1", ("http.deadline", "'-1'")),
        ("NBAPROPS_HTTP__READ_TIMEOUT", "0", ("http.read_timeout", "'0'")),
        ("NBAPROPS_HTTP__MAX_BODY_BYTES", "0", ("http.max_body_bytes", "'0'")),
        ("NBAPROPS_HTTP__BREAKER_FAILURES", "0", ("http.breaker_failures",)),
        ("NBAPROPS_ALERTS__DEDUPE_MINUTES", "-1", ("alerts.dedupe_minutes",)),
        ("NBAPROPS_TODAY", "someday", ("today", "'someday'")),
        ("NBAPROPS_TODAY", "0001-01-01", ("today", "'0001-01-01'", "1946-11-01")),
        ("NBAPROPS_HTTP__BASE_URLS", "{bad", ("http", "NBAPROPS_HTTP__BASE_URLS='{bad'", "not valid JSON")),
        ("NBAPROPS_HTTP__BASE_URLS", '{"nbac": "ftp://x"}', ("http.base_urls", "http:// or https://")),
        ("NBAPROPS_HTTP__LIMITS", '{"pdf": {"max_body_bytes": -1}}', ("http.limits.pdf.max_body_bytes",)),
        ("NBAPROPS_HTTP__LIMITS", "[1, 2", ("NBAPROPS_HTTP__LIMITS", "not valid JSON")),
    ],
)
def test_bad_setting_is_one_line_naming_it(
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: str,
    value: str,
    needles: tuple[str, ...],
) -> None:
    monkeypatch.setenv(env, value)
    one_line_error(cli.invoke(app, ["run", "--date", "2025-10-22"]), "bad setting", *needles)
    assert not (tmp_path / "home").exists()


def test_home_that_is_a_file_is_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "afile").write_text("not a folder")
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "afile"))
    one_line_error(
        cli.invoke(app, ["run", "--date", "2025-10-22"]), "NBAPROPS_HOME", "is a file, not a folder"
    )
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "afile" / "below"))
    one_line_error(cli.invoke(app, ["ledger"]), "cannot be created", "is a file")
    monkeypatch.delenv("NBAPROPS_HOME")
    one_line_error(cli.invoke(app, ["--home", str(tmp_path / "afile"), "ledger"]), "home (option)")
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_warehouse_that_is_a_folder_is_refused(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBAPROPS_WAREHOUSE", str(tmp_path))
    one_line_error(cli.invoke(app, ["ledger"]), "warehouse", "is a folder, not a file")


def test_home_the_system_refuses_is_one_line(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBAPROPS_HOME", "/proc/nbaprops-cannot-be-here")
    one_line_error(
        cli.invoke(app, ["run", "--date", "2025-10-22"]), "cannot use /proc/nbaprops-cannot-be-here"
    )


@pytest.mark.parametrize("toml", ["edge = [\n", "[http\nmax_attempts = 2\n", "edge = 'x'\n"])
def test_malformed_config_file_is_one_line(cli: CliRunner, tmp_path: Path, toml: str) -> None:
    (tmp_path / "nbaprops.toml").write_text(toml)
    line = one_line_error(cli.invoke(app, ["run", "--date", "2025-10-22"]))
    assert "nbaprops.toml" in line or "bad setting edge" in line
    assert not (tmp_path / "home").exists()


def test_config_file_named_but_absent_is_one_line(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBAPROPS_CONFIG", str(tmp_path))  # a folder, not a file
    one_line_error(cli.invoke(app, ["ledger"]), "config file", str(tmp_path))


# --- dates, spans and counts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["run", "--date", "0001-01-01"], ("--date 0001-01-01", "outside the range", "1946-11-01")),
        (["run", "--date", "1900-05-01"], ("--date 1900-05-01", "outside the range")),
        (["run", "--date", "2999-01-01"], ("--date 2999-01-01", "outside the range")),
        (["run", "--start-date", "0001-01-01", "--end-date", "2025-10-22"], ("--start-date 0001-01-01",)),
        (["backfill", "--start-date", "2025-10-21", "--end-date", "9999-12-31"], ("--end-date 9999-12-31",)),
        (["ledger", "--date", "0001-01-01"], ("--date 0001-01-01",)),
        (["monitor", "--since", "99999999d"], ("--since '99999999d'", "at most 100 years")),
        (["monitor", "--since", "0h"], ("--since '0h'", "more than 0")),
        (["monitor", "--since", "soon"], ("--since 'soon'", "like 7d")),
        (["monitor", "--since", "-3d"], ("--since '-3d'",)),
        (["predict", "--date", "2025-10-22", "--workers", "0"], ("--workers 0 is outside 1..64",)),
        (["predict", "--date", "2025-10-22", "--batch-size", "-1"], ("--batch-size -1",)),
        (
            ["evaluate", "--start-date", "2025-10-21", "--end-date", "2025-10-25", "--cadence-days", "0"],
            ("--cadence-days 0",),
        ),
        (["ledger", "--limit", "-1"], ("--limit -1 is outside",)),
    ],
)
def test_bad_date_or_span_is_one_line(
    cli: CliRunner, tmp_path: Path, args: list[str], needles: tuple[str, ...]
) -> None:
    one_line_error(cli.invoke(app, args), *needles)
    assert not (tmp_path / "home").exists()


# --- the sealed SQL console -------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sql_caps_rows_by_default_and_says_more_are_available(cli: CliRunner, sealed_home: Path) -> None:
    total = json.loads(
        cli.invoke(app, ["sql", "SELECT count(*) AS n FROM player_game_summary", "--json"]).stdout
    )
    assert total[0]["n"] > 1000  # the real slice has more rows than the cap
    got = cli.invoke(app, ["sql", "SELECT * FROM player_game_summary", "--json"])
    assert got.exit_code == 0, got.stderr
    assert len(json.loads(got.stdout)) == 1000
    assert got.stderr.strip() == "1,000 rows shown, more available (raise --limit)"
    few = cli.invoke(app, ["sql", "SELECT player_lookup FROM player_game_summary ORDER BY 1", "--limit", "3"])
    assert few.exit_code == 0 and "3 rows shown, more available" in few.stdout
    exact = cli.invoke(app, ["sql", "SELECT 1 AS one", "--json"])
    assert json.loads(exact.stdout) == [{"one": 1}] and exact.stderr == ""


def test_sql_attacks_are_refused_and_touch_nothing_outside(
    cli: CliRunner, sealed_home: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("token\nTOPSECRET-4711\n")
    out, attached, exported = tmp_path / "out.csv", tmp_path / "other.duckdb", tmp_path / "export"
    warehouse = sealed_home / "warehouse.duckdb"
    before = digest(warehouse)
    attacks = [
        (f"COPY (SELECT * FROM schedule) TO '{out}'", "refused"),
        (f"SELECT * FROM read_csv('{secret}')", "refused"),
        (f"SELECT * FROM read_text('{secret}')", "refused"),
        ("SELECT * FROM read_csv('/etc/passwd')", "refused"),
        (f"SELECT * FROM glob('{tmp_path}/*')", "refused"),
        ("INSTALL httpfs", "refused"),
        ("LOAD httpfs", "refused"),
        ("SELECT * FROM read_parquet('https://example.com/x.parquet')", "refused"),
        (f"ATTACH '{attached}' AS other", "refused"),
        (f"EXPORT DATABASE '{exported}'", "refused"),
        ("SET enable_external_access = true", "read-only"),
        ("SET lock_configuration = false", "read-only"),
        ("DROP TABLE schedule", "read-only"),
        ("DELETE FROM player_game_summary", "read-only"),
        ("CREATE TABLE evil AS SELECT 1", "read-only"),
    ]
    for query, needle in attacks:
        result = cli.invoke(app, ["sql", query])
        line = one_line_error(result, needle)
        assert "TOPSECRET" not in result.output and "TOPSECRET" not in line, query
    assert not out.exists() and not attached.exists() and not exported.exists()
    assert digest(warehouse) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "secret.csv"]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["sql", ""], ("sql: the query is empty",)),
        (["sql", "   \n\t "], ("sql: the query is empty",)),
        (["sql", "SELEC 1"], ("sql:", "syntax error")),
        (["sql", "SELECT * FROM no_such_table"], ("sql:", "no_such_table")),
        (["sql", "SELECT 1", "--limit", "0"], ("--limit must be at least 1",)),
        (["sql", "SELECT 1", "--timeout", "-1"], ("--timeout above 0",)),
        (["sql", "SELECT count(*) FROM range(1000000000000) a", "--timeout", "0.5"], ("0.5s timeout",)),
    ],
)
def test_sql_bad_queries_are_one_line(
    cli: CliRunner, sealed_home: Path, args: list[str], needles: tuple[str, ...]
) -> None:
    one_line_error(cli.invoke(app, args), *needles)


def test_sql_without_a_warehouse_says_so(cli: CliRunner, tmp_path: Path) -> None:
    one_line_error(cli.invoke(app, ["sql", "SELECT 1"]), "no warehouse at")
    assert not (tmp_path / "home").exists()
