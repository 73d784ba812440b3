"""Drift on a real built warehouse: which code produced the data, what is stale, deployments."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from _support import DATA, SLICE, dates
from nbaprops.cli import app
from nbaprops.core.errors import ConfigError, InputError
from nbaprops.core.version import code_version
from nbaprops.ops.drift import (
    check_services,
    drift_report,
    heal_commands,
    is_older,
    load_services,
)
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner, processor_code_hash
from nbaprops.pipeline.registry import Registry, default_registry

SUMMARY = "player_game_summary"


def _successes(runner: Runner, processor: str) -> set[str]:
    return {
        str(k)
        for (k,) in runner.wh.rows(
            f"SELECT DISTINCT partition FROM {LEDGER} WHERE processor = $p AND status = 'success'",
            {"p": processor},
        )
    }


def _changed_registry(tmp_path: Path, name: str) -> Registry:
    """The default registry with one SQL processor's code edited (same query, new comment)."""
    procs = default_registry().select()
    old = next(p for p in procs if p.name == name)
    assert old.sql is not None
    edited = tmp_path / old.sql.name
    edited.write_text(old.sql_text() + "\n-- reviewed: rounding rule unchanged\n")
    new = dataclasses.replace(old, sql=edited)
    assert processor_code_hash(new) != processor_code_hash(old)
    return Registry([new if p.name == name else p for p in procs])


# --- code hashes and changed code ---------------------------------------------------


def test_every_run_records_its_processor_code_hash(built: Runner) -> None:
    got = built.wh.rows(f"SELECT processor, code_hash FROM {LEDGER} WHERE status = 'success'")
    hashes = {p.name: processor_code_hash(p) for p in default_registry().select()}
    assert got
    assert all(h == hashes[p] for p, h in got)


def test_a_fresh_build_has_no_drift(built: Runner) -> None:
    rep = drift_report(built.wh, current_version="test")
    assert rep.stale == []
    assert rep.changed == []
    assert rep.unknown == {}
    by_proc = {g.processor: g for g in rep.versions}
    assert set(by_proc) == {p.name for p in default_registry().select()}
    assert all(g.code_version == "test" and g.current for g in rep.versions)
    assert by_proc[SUMMARY].partitions == len(dates(*SLICE))
    assert heal_commands(rep) == []


def test_changed_sql_flags_exactly_that_processors_partitions_and_heals(
    built: Runner, tmp_path: Path
) -> None:
    reg = _changed_registry(tmp_path, SUMMARY)
    rep = drift_report(built.wh, registry=reg, current_version="test")
    assert rep.changed == [SUMMARY]
    assert {s.processor for s in rep.stale} == {SUMMARY}
    assert {s.partition for s in rep.stale} == _successes(built, SUMMARY)
    assert len(rep.stale) == len(dates(*SLICE))
    first, last = SLICE
    assert heal_commands(rep, registry=reg) == [
        f"nbaprops run -p {SUMMARY} --start-date {first} --end-date {last} --force"
    ]

    # heal: re-run the stale partitions with the changed code
    healer = Runner(settings=built.settings, warehouse=built.wh, registry=reg, code_version="test")
    report = healer.run(reg.select([SUMMARY]), dates(*SLICE), force=True)
    assert not report.failed
    after = drift_report(built.wh, registry=reg, current_version="test")
    assert after.stale == []
    assert after.changed == []


def test_an_old_code_hash_flags_only_the_partitions_it_produced(built: Runner) -> None:
    old = ["2025-10-24", "2025-10-25", "2025-10-27"]
    built.wh.execute(
        f"UPDATE {LEDGER} SET code_hash = 'feedfacefeedface' "
        "WHERE processor = 'raw_prop_lines' AND status = 'success' AND partition IN ($a, $b, $c)",
        dict(zip("abc", old, strict=True)),
    )
    rep = drift_report(built.wh, current_version="test")
    assert [(s.processor, s.partition) for s in rep.stale] == [("raw_prop_lines", d) for d in old]
    assert rep.changed == ["raw_prop_lines"]
    assert all("feedfacefeedface" in s.reason for s in rep.stale)
    assert heal_commands(rep) == [
        "nbaprops run -p raw_prop_lines --start-date 2025-10-24 --end-date 2025-10-25 --force",
        "nbaprops run -p raw_prop_lines --date 2025-10-27 --force",
    ]


def test_rows_without_a_code_hash_are_unknown_not_stale(built: Runner) -> None:
    built.wh.execute(f"UPDATE {LEDGER} SET code_hash = NULL WHERE processor = 'predictions'")
    rep = drift_report(built.wh, current_version="test")
    assert rep.stale == []
    assert rep.unknown == {"predictions": len(_successes(built, "predictions"))}
    assert [g.current for g in rep.versions if g.processor == "predictions"] == [None]


# --- versions ---------------------------------------------------------------------


def test_min_version_flags_everything_older_than_a_rerun(built: Runner) -> None:
    new = Runner(settings=built.settings, warehouse=built.wh, code_version="0.2.0+gabc1234567")
    fresh = [dt.date(2025, 11, 1), dt.date(2025, 11, 2)]
    report = new.run(default_registry().select(["raw_prop_lines"]), fresh, force=True)
    assert report.count("success") == 2

    rep = drift_report(built.wh, min_version="0.2.0+gabc1234567", current_version="0.2.0+gabc1234567")
    flagged = {(s.processor, s.partition) for s in rep.stale}
    everything = {(p.name, k) for p in default_registry().select() for k in _successes(built, p.name)}
    kept = {("raw_prop_lines", d.isoformat()) for d in fresh}
    assert flagged == everything - kept
    assert all(s.code_version == "test" for s in rep.stale)
    groups = {(g.code_version, g.partitions) for g in rep.versions if g.processor == "raw_prop_lines"}
    assert groups == {("0.2.0+gabc1234567", 2), ("test", len(dates(*SLICE)) - 2)}

    # a bare release is as old as its first build
    assert {(s.processor, s.partition) for s in drift_report(built.wh, min_version="0.2.0").stale} == flagged
    # nothing is older than the oldest version
    assert drift_report(built.wh, min_version="test").stale == []


def test_min_version_must_be_orderable(built: Runner) -> None:
    with pytest.raises(InputError, match="neither a release number"):
        drift_report(built.wh, min_version="nightly")


@pytest.mark.parametrize(
    ("version", "reference", "older"),
    [
        ("0.1.9+gabc", "0.2.0", True),
        ("0.10.0", "0.9.0", False),
        ("0.2.0+gabc", "0.2.0", False),
        ("0.2", "0.2.0", False),
        ("0.2.0", "0.2.0", False),
        ("1.0.0+gabc.dirty", "1.0.1+gdef", True),
        (None, "0.1.0", True),
    ],
)
def test_is_older_compares_release_numbers(version: str | None, reference: str, older: bool) -> None:
    assert is_older(version, reference) is older


def test_is_older_falls_back_to_ledger_order() -> None:
    t = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    seen = {"0.2.0+gaaa": t, "0.2.0+gbbb": t + dt.timedelta(days=1)}
    assert is_older("0.2.0+gaaa", "0.2.0+gbbb", first_seen=seen)
    assert not is_older("0.2.0+gbbb", "0.2.0+gaaa", first_seen=seen)
    assert not is_older("0.2.0+gccc", "0.2.0+gbbb", first_seen=seen)  # cannot tell: not flagged


# --- deployments --------------------------------------------------------------------


@pytest.fixture
def health() -> Iterator[HTTPServer]:
    """Three services on one local server: current, old, and broken."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    server.expect_request("/current/health").respond_with_json({"version": code_version(), "status": "ok"})
    server.expect_request("/old/health").respond_with_json({"version": "0.0.1+gdeadbeef00"})
    server.expect_request("/new/health").respond_with_json({"version": "99.0.0"})
    server.expect_request("/broken/health").respond_with_data("boom", status=500)
    server.expect_request("/noversion/health").respond_with_json({"status": "ok"})
    yield server
    server.clear()
    server.stop()


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _services_file(tmp_path: Path, server: HTTPServer) -> Path:
    base = server.url_for("").rstrip("/")
    path = tmp_path / "services.toml"
    entries = [(n, f"{base}/{n}") for n in ("current", "old", "new", "broken", "noversion")]
    entries.append(("down", f"http://127.0.0.1:{_closed_port()}"))
    path.write_text("".join(f'[[services]]\nname = "{n}"\nurl = "{u}/"\n\n' for n, u in entries))
    return path


def test_services_are_compared_with_the_local_version(health: HTTPServer, tmp_path: Path) -> None:
    services = load_services(_services_file(tmp_path, health))
    assert [n for n, _ in services] == ["current", "old", "new", "broken", "noversion", "down"]
    got = {s.name: s for s in check_services(services, timeout=2.0)}
    assert {n: s.state for n, s in got.items()} == {
        "current": "up_to_date",
        "old": "behind",
        "new": "ahead",
        "broken": "unreachable",
        "noversion": "unreachable",
        "down": "unreachable",
    }
    assert got["old"].version == "0.0.1+gdeadbeef00"
    assert got["broken"].detail == "HTTP 500"
    assert got["noversion"].detail == "no version in /health"
    assert got["down"].detail == "ConnectError"
    assert all(s.local_version == code_version() for s in got.values())


def test_a_bad_services_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_services(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[services]]\nname = "api"\n')
    with pytest.raises(ConfigError, match="entry 1 needs a name and a url"):
        load_services(bad)


# --- the command line ------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, built: Runner) -> CliRunner:
    built.wh.close()  # the CLI opens the file itself (read-only)
    monkeypatch.setenv("NBAPROPS_HOME", str(built.settings.home))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_TODAY", "2026-11-25")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_cli_drift_table_and_json(cli: CliRunner) -> None:
    result = cli.invoke(app, ["drift"])
    assert result.exit_code == 0, result.output
    assert "Code that produced the data" in result.output
    assert SUMMARY in result.output
    assert "no stale partitions" in result.output

    result = cli.invoke(app, ["drift", "--min-version", "0.1.0", "--json", "-p", "predictions"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["min_version"] == "0.1.0"
    assert {v["processor"] for v in doc["versions"]} == {"predictions"}
    # "test" is not a release and 0.1.0 never ran here: nothing can be called older
    assert doc["stale"] == []


def test_cli_drift_lists_stale_partitions_with_heal_commands(cli: CliRunner, built: Runner) -> None:
    import duckdb

    con = duckdb.connect(str(built.settings.warehouse_url))
    con.execute(
        f"UPDATE {LEDGER} SET code_version = '0.0.9+gold', code_hash = 'feedfacefeedface' "
        "WHERE processor = 'raw_prop_lines' AND partition = '2025-10-30'"
    )
    con.close()
    result = cli.invoke(app, ["drift"])
    assert result.exit_code == 0, result.output
    assert "Stale partitions" in result.output
    assert "nbaprops run -p raw_prop_lines --date 2025-10-30 --force" in result.output

    result = cli.invoke(app, ["drift", "--json"])
    doc = json.loads(result.output)
    assert [(s["processor"], s["partition"]) for s in doc["stale"]] == [("raw_prop_lines", "2025-10-30")]
    assert doc["changed"] == ["raw_prop_lines"]
    assert doc["heal"] == ["nbaprops run -p raw_prop_lines --date 2025-10-30 --force"]


def test_cli_drift_services(cli: CliRunner, health: HTTPServer, tmp_path: Path) -> None:
    path = _services_file(tmp_path, health)
    result = cli.invoke(app, ["drift", "--services", str(path), "--json", "--timeout", "2"])
    assert result.exit_code == 0, result.output
    states = {s["name"]: s["state"] for s in json.loads(result.output)}
    assert states["current"] == "up_to_date"
    assert states["old"] == "behind"
    assert states["down"] == "unreachable"

    result = cli.invoke(app, ["drift", "--services", str(path)])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert "unreachable" in result.output


def test_cli_drift_unknown_processor_is_one_red_line(cli: CliRunner) -> None:
    result = cli.invoke(app, ["drift", "-p", "nope"])
    assert result.exit_code == 1
    assert "unknown processor 'nope'" in result.output
    assert "Traceback" not in result.output


def test_a_ledger_from_before_code_hashes_is_read_and_migrated(tmp_path: Path) -> None:
    from nbaprops.ops.ledger import Ledger
    from nbaprops.storage import DuckDBWarehouse
    from nbaprops.storage.queries.ledger import LEDGER_DDL

    wh = DuckDBWarehouse(tmp_path / "old.duckdb")
    wh.execute(LEDGER_DDL.split(",\n    code_hash VARCHAR")[0] + "\n)")
    assert "code_hash" not in wh.columns(LEDGER)
    wh.execute(
        f"INSERT INTO {LEDGER} (run_id, processor, partition, status, code_version, started_at) "
        "VALUES ('r1', 'predictions', '2025-10-22', 'success', '0.1.0+gold', now())"
    )
    rep = drift_report(wh, current_version="0.2.0")
    assert rep.stale == []
    assert rep.unknown == {"predictions": 1}
    assert [s.partition for s in drift_report(wh, min_version="0.2.0").stale] == ["2025-10-22"]
    Ledger(wh)  # opening it for writing adds the column; old rows keep NULL
    assert "code_hash" in wh.columns(LEDGER)
    assert wh.rows(f"SELECT code_hash FROM {LEDGER}") == [(None,)]
    wh.close()
