"""Fault scenario on real data: inject one of each fault, classify them all, heal exactly."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from _support import DATA, SLICE, TODAY, dates, make_settings
from nbaprops.ops.heal import heal
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.monitor import monitor
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import coverage_report, validate
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse
from nbaprops.storage.warehouse import Partition

OFF_SEASON = dates(dt.date(2025, 7, 1), dt.date(2025, 7, 3))
ALL_STAR = dates(dt.date(2026, 2, 13), dt.date(2026, 2, 18))
FUTURE = [dt.date(2026, 12, 1)]
CHECK = dates(*SLICE) + OFF_SEASON + ALL_STAR + FUTURE
TABLES = [p.output for p in default_registry().select()]

PARTIAL = ("player_game_summary", "2025-11-08")
LOSS = ("predictions", "2025-11-05")
MISCOUNT = ("raw_player_boxscores", "2025-10-28")
STUCK = ("player_game_summary", "2025-11-01")
NO_PAYLOAD = ("raw_prop_lines", "2025-11-07")
LINE_FILES = ("props_points.parquet", "props_other_markets.parquet")


def checksums(runner: Runner) -> dict[str, str]:
    return {t: runner.wh.checksum(t) for t in TABLES}


def data_without(tmp: Path, day: str) -> Path:
    """A copy of the public data whose prop lines (every line file) lack one date (a lost payload)."""
    out = tmp / "data"
    out.mkdir()
    for f in DATA.iterdir():
        if f.name not in LINE_FILES:
            (out / f.name).symlink_to(f)
    for name in LINE_FILES:
        duckdb.sql(
            f"COPY (SELECT * FROM read_parquet('{DATA / name}') "
            f"WHERE CAST(game_date AS DATE) <> DATE '{day}') TO '{out / name}'"
        )
    return out


def line_span() -> tuple[dt.date, dt.date]:
    """First and last date of the archive's prop lines (every market)."""
    files = ", ".join(f"'{DATA / name}'" for name in LINE_FILES)
    got = duckdb.sql(f"SELECT min(game_date)::DATE, max(game_date)::DATE FROM read_parquet([{files}])")
    lo, hi = got.fetchall()[0]
    return lo, hi


def inject(runner: Runner) -> None:
    wh = runner.wh
    # 1. rows deleted from a partition: one whole game of an 8-game night (87.5% < 90%)
    wh.execute(
        "DELETE FROM player_game_summary WHERE game_date = $d AND game_code = "
        "(SELECT min(game_code) FROM player_game_summary WHERE game_date = $d)",
        {"d": dt.date.fromisoformat(PARTIAL[1])},
    )
    # 2. a whole partition gone
    wh.execute("DELETE FROM predictions WHERE game_date = $d", {"d": dt.date.fromisoformat(LOSS[1])})
    # 3. the ledger says 0 rows where the table holds them (the real-world false alarm)
    wh.execute(
        f"UPDATE {LEDGER} SET rows_written = 0 WHERE processor = $p AND partition = $k "
        "AND status = 'success'",
        {"p": MISCOUNT[0], "k": MISCOUNT[1]},
    )
    # 4. a run stuck in 'running' since yesterday
    run_id = runner.ledger.start(*STUCK, input_hash="x", code_version="test")
    wh.execute(
        f"UPDATE {LEDGER} SET started_at = started_at - INTERVAL 1 DAY, "
        "heartbeat_at = heartbeat_at - INTERVAL 1 DAY WHERE run_id = $r",
        {"r": run_id},
    )


def test_every_injected_fault_is_classified_and_heal_restores_the_clean_state(
    built: Runner, tmp_path: Path
) -> None:
    clean = checksums(built)
    assert [f for f in validate(built, dates(*SLICE)) if f.alarm] == []  # a clean backfill

    inject(built)
    lost = make_settings(built.settings.home, data_dir=data_without(tmp_path, NO_PAYLOAD[1]))
    damaged = Runner(settings=lost, warehouse=built.wh, code_version="test")
    findings = validate(damaged, CHECK)
    got = {(f.processor, f.partition): f.classification for f in findings if f.alarm}
    assert got == {
        PARTIAL: "partial",
        LOSS: "real_loss",
        MISCOUNT: "tracking_mismatch",
        STUCK: "tracking_mismatch",
        NO_PAYLOAD: "upstream_missing",
    }  # every fault found, and zero false alarms on the untouched partitions
    quiet = {(f.partition, f.classification) for f in findings if not f.alarm}
    for d in OFF_SEASON + ALL_STAR:
        assert (d.isoformat(), "legitimate_zero") in quiet
    assert (FUTURE[0].isoformat(), "future_date") in quiet
    miscount = next(f for f in findings if (f.processor, f.partition) == MISCOUNT)
    assert miscount.ledger == 0
    assert miscount.warehouse == built.wh.count("raw_player_boxscores", _part(MISCOUNT))

    # a normal run must not erase rows whose payload was lost
    rerun = damaged.run(default_registry().select(["raw_prop_lines"]), [dt.date(2025, 11, 7)])
    assert rerun.outcomes[0].status == "failed"
    assert "refusing to erase" in (rerun.outcomes[0].error or "")

    plan, _ = heal(damaged, findings, CHECK, dry_run=True)
    assert sorted(plan.rerun) == sorted([PARTIAL, LOSS, MISCOUNT, STUCK])
    assert [(f.processor, f.partition) for f in plan.unhealable] == [NO_PAYLOAD]
    assert checksums(built) != clean  # dry run changed nothing

    _, report = heal(damaged, findings, CHECK)
    assert not report.failed
    assert checksums(built) == clean  # row for row the clean state
    after = [f for f in validate(damaged, CHECK) if f.alarm]
    assert [(f.processor, f.partition) for f in after] == [NO_PAYLOAD]
    assert [f for f in validate(built, CHECK) if f.alarm] == []  # payload back: all clean


def slice_game_days(runner: Runner) -> list[dt.date]:
    return [d for d in dates(*SLICE) if runner.calendar.day(d).final_games]


def _part(key: tuple[str, str]):  # type: ignore[no-untyped-def]
    proc = default_registry().get(key[0])
    return proc.partition_for(dt.date.fromisoformat(key[1]))


def test_season_coverage_report(built: Runner) -> None:
    first, last = built.calendar.season_bounds("2025-26")
    findings = validate(built, dates(first, last))
    row = coverage_report(built, "2025-26", findings)
    assert row["season"] == "2025-26"
    assert row["games"] == 1230 + 81  # regular season + playoffs, all final
    # only SLICE was backfilled: the rest of the season is real loss, not hidden; prop-line
    # dates after the lines' last date are not covered by the source and not counted
    lo, hi = line_span()
    days = [d for d in dates(first, last) if built.calendar.day(d).final_games]
    lined = [d for d in days if lo <= d <= hi]
    done = len(slice_game_days(built))
    # box scores and source disagreements (every game day), lines, the schedule
    share = (3 * done + 1) / (2 * len(days) + len(lined) + 1)
    assert row["raw"] == pytest.approx(100 * share, abs=1.0)


@pytest.mark.parametrize("phase", [2, 3, 5])
def test_phase_filter(built: Runner, phase: int) -> None:
    inject(built)
    findings = validate(built, dates(*SLICE), phases=[phase])
    assert findings
    assert {f.phase for f in findings} == {phase}


def test_monitor_tells_false_alarms_from_expected_zeros_and_real_problems(built: Runner) -> None:
    inject(built)
    # an earlier zero-row run of a partition that a later run filled: a false alarm now
    built.wh.execute(
        f"INSERT INTO {LEDGER} SELECT * REPLACE (run_id || '-early' AS run_id, 0::BIGINT AS rows_written, "
        "started_at - INTERVAL 1 HOUR AS started_at, finished_at - INTERVAL 1 HOUR AS finished_at) "
        f"FROM {LEDGER} WHERE processor = 'player_game_summary' AND partition = '2025-11-05' "
        "AND status = 'success'"
    )
    rep = monitor(built, dt.timedelta(days=7))
    got = {(str(r[1]), str(r[2])): r[5] for r in rep.rows}
    assert got.pop(("player_game_summary", "2025-11-05")) == "ok now (false alarm)"
    assert got.pop(MISCOUNT) == "tracking_mismatch"  # a zero the table contradicts: real
    # the archive's game lines stop on 2024-11-15: outside their source's span, not an alarm
    lines = {k: got.pop(k) for k in [k for k in got if k[0] == "raw_game_lines"]}
    assert lines and set(lines.values()) == {"not_covered"}
    # the rest are zeros the runner expected when it ran (no upcoming games: all are final;
    # no injury report was scraped, so no availability rows; the sources agree, so no disagreements)
    assert got and set(got.values()) == {"expected zero"}
    assert {p for p, _ in got} == {
        "upcoming_player_game_context",
        "player_availability",
        "source_disagreements",
    }
    assert (rep.false_alarms, rep.real, rep.expected) == (1, 1, len(got) + len(lines))
    assert rep.alarm_classes == {"tracking_mismatch": 1}


def test_grouped_checksums_equal_the_warehouse_checksum_of_each_partition(built: Runner) -> None:
    from nbaprops.storage.queries.validate import PARTITION_CONTENT

    for table in ("raw_player_boxscores", "predictions", "schedule"):
        column = "season" if table == "schedule" else "game_date"
        got = built.wh.rows(PARTITION_CONTENT.format(table=table, column=column))
        assert got
        for value, rows, checksum in got:
            part = Partition(column, value)
            assert checksum == built.wh.checksum(table, part)
            assert (rows, checksum) == built.wh.partition_state(table)[part.key]  # what the write recorded


def test_an_audit_names_bad_rows_the_writer_recorded(built: Runner) -> None:
    """Bad rows with a consistent catalog (a writer bug, not tampering): audit_failed."""
    day = dt.date(2025, 11, 3)
    wh = built.wh
    wh.execute(
        "UPDATE raw_player_boxscores SET pts = pts + 1 WHERE game_date = $d AND player_id = "
        "(SELECT max(player_id) FROM raw_player_boxscores WHERE game_date = $d)",
        {"d": day},
    )
    part = Partition("game_date", day)
    wh.execute(  # the catalog agrees: as if the writer itself had produced the bad row
        "UPDATE ops_partitions SET checksum = $c WHERE table_name = 'raw_player_boxscores' AND partition = $k",
        {"c": wh.checksum("raw_player_boxscores", part), "k": part.key},
    )
    findings = [f for f in validate(built, dates(*SLICE)) if f.alarm]
    assert [(f.processor, f.partition, f.classification) for f in findings] == [
        ("raw_player_boxscores", day.isoformat(), "audit_failed")
    ]
    assert "raw_player_boxscores__team_points (1 row(s))" in findings[0].detail


def test_dates_outside_a_source_coverage_are_not_alarms(built: Runner) -> None:
    _, hi = line_span()
    after = dates(hi + dt.timedelta(days=1), hi + dt.timedelta(days=4))
    inside = [hi]  # a date with lines that was never loaded: a real loss
    findings = validate(built, after + inside, processors=["raw_prop_lines"])
    got = {f.partition: (f.classification, f.alarm) for f in findings}
    for d in after:
        if built.calendar.day(d).final_games:
            assert got[d.isoformat()] == ("not_covered", False)
    assert got[hi.isoformat()] == ("real_loss", True)


def test_heal_never_starts_an_opt_in_processor_outside_the_range(built: Runner) -> None:
    reg = default_registry()
    opt_in = reg.opt_in() - reg.network()
    assert opt_in  # e.g. the heavy model systems, run only by name
    built.wh.execute(
        "UPDATE player_game_summary SET points = points + 1 WHERE game_date = '2025-11-04' AND player_id = "
        "(SELECT max(player_id) FROM player_game_summary WHERE game_date = '2025-11-04')"
    )
    findings = validate(built, dates(*SLICE))
    plan, report = heal(built, findings, dates(*SLICE))
    assert plan.rerun == [("player_game_summary", "2025-11-04")]
    assert "predictions" in plan.downstream and not set(plan.downstream) & opt_in
    assert not {o.processor for o in report.outcomes} & opt_in
    ran = {r[0] for r in built.wh.rows(f"SELECT DISTINCT processor FROM {LEDGER}")}
    assert not ran & opt_in


@pytest.fixture
def cli_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cli-home"
    shutil.copytree(built_home, home)
    monkeypatch.setenv("NBAPROPS_HOME", str(home))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_TODAY", TODAY.isoformat())
    monkeypatch.setenv("COLUMNS", "200")
    return home


def test_cli_is_quiet_when_fine_and_fails_on_a_deleted_partition(cli_home: Path) -> None:
    from typer.testing import CliRunner

    from nbaprops.cli import app

    cli = CliRunner()
    span = ["--start-date", SLICE[0].isoformat(), "--end-date", SLICE[1].isoformat()]
    res = cli.invoke(app, ["validate", *span, "--fail-on", "alarm", "--alarms-only"])
    assert res.exit_code == 0, res.output
    assert "0 alarm(s)" in res.output
    res = cli.invoke(app, ["monitor", "--fail-on", "alarm"])
    assert res.exit_code == 0, res.output
    assert "0 real problem(s)" in res.output

    con = duckdb.connect(str(cli_home / "warehouse.duckdb"))
    con.execute("DELETE FROM team_defense_game_summary WHERE game_date = '2025-11-06'")
    con.close()
    res = cli.invoke(app, ["validate", *span, "--fail-on", "alarm", "--alarms-only"])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if "team_defense_game_summary" in ln.replace("│", " ")]
    assert any("real_loss" in ln and "2025-11-06" in ln for ln in lines), res.output
    res = cli.invoke(app, ["validate", *span, "--json", "--alarms-only"])  # no --fail-on: exit 0
    assert res.exit_code == 0
    assert [(f["processor"], f["partition"]) for f in json.loads(res.output)] == [
        ("team_defense_game_summary", "2025-11-06")
    ]


def test_days_with_only_games_the_box_source_lacks_are_quiet(settings) -> None:  # type: ignore[no-untyped-def]
    """Play-in days: the box-score source has no play-in games, so no rows is no loss."""
    days = dates(dt.date(2025, 4, 13), dt.date(2025, 4, 18))  # regular season end, play-in
    wh = DuckDBWarehouse(settings.warehouse_url)
    runner = Runner(settings=settings, warehouse=wh, code_version="test")
    report = runner.run(default_registry().select(["schedule", "raw_player_boxscores"]), days)
    assert not report.failed
    play_in = [
        d for d in days if runner.calendar.day(d).final_games and not runner.calendar.day(d).box_final_games
    ]
    assert play_in  # 2025-04-15, -16 and -18
    found = {f.partition: f for f in validate(runner, days, processors=["raw_player_boxscores"])}
    assert [k for k, f in found.items() if f.alarm] == []
    for d in play_in:
        assert found[d.isoformat()].classification == "legitimate_zero"
    wh.close()
