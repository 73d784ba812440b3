"""Backfill: kill -9 mid-run, resume, and end identical to an uninterrupted run."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from _support import DATA, SLICE, dates, make_settings
from nbaprops.cli import app
from nbaprops.ops.backfill import checkpoint_path, load_state, run_backfill
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

RANGE = ["--start-date", "2025-10-21", "--end-date", "2025-11-20"]
ARGS = ["backfill", *RANGE, "--phases", "2,3", "--workers", "2", "--chunk", "2"]
TABLES = ["schedule", "raw_player_boxscores", "raw_prop_lines", "player_game_summary"]


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NBAPROPS_HOME": str(home),
        "NBAPROPS_DATA_DIR": str(DATA),
        "NBAPROPS_TODAY": "2026-11-25",
    }


def _cli(home: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli.__main__", *args],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _checksums(home: Path) -> dict[str, str]:
    wh = DuckDBWarehouse(home / "warehouse.duckdb", read_only=True)
    try:
        return {t: wh.checksum(t) for t in TABLES}
    finally:
        wh.close()


@pytest.mark.slow
def test_kill_9_mid_backfill_then_resume_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    assert _cli(clean, *ARGS).wait(timeout=300) == 0

    proc = _cli(killed, *ARGS)
    ckpt = killed / "backfills" / "checkpoint.json"
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists():
            state = json.loads(ckpt.read_text())
            done = sum(len(v) for v in state["done"].values())
            if done >= 6:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "the backfill finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = json.loads(ckpt.read_text())
    total = sum(state["totals"].values())
    assert 0 < sum(len(v) for v in state["done"].values()) < total  # really interrupted
    out, _ = _cli(killed, "backfill", "--status").communicate(timeout=60)
    assert f"interrupted (process {proc.pid} is gone)" in out.decode()

    resumed = _cli(killed, *ARGS)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    assert _checksums(killed) == _checksums(clean)
    wh = DuckDBWarehouse(killed / "warehouse.duckdb", read_only=True)
    dupes = wh.rows(
        f"SELECT processor, partition, count(*) FROM {LEDGER} WHERE status = 'success' "
        "GROUP BY 1, 2 HAVING count(*) > 1"
    )
    running = wh.rows(f"SELECT count(*) FROM {LEDGER} WHERE status = 'running'")[0][0]
    wh.close()
    assert dupes == []
    assert running == 0


def test_resume_skips_done_partitions_and_partials_are_not_checkpointed(tmp_path: Path) -> None:
    s = make_settings(tmp_path / "home")
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    procs = default_registry().select(["schedule", "raw_player_boxscores"])
    days = dates(*SLICE)
    state, _ = run_backfill(runner, procs, days, workers=2, chunk=4)
    assert state.state == "done"
    assert len(state.done["raw_player_boxscores"]) == len(days)
    _, rep2 = run_backfill(runner, procs, days, workers=2)
    assert rep2.outcomes == []  # nothing left to do
    assert load_state(s) is not None


def test_status_and_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    cli = CliRunner()
    res = cli.invoke(app, ["backfill", "--start-date", "2025-11-02", "--end-date", "2025-11-01"])
    assert res.exit_code == 1
    assert "before start date" in res.output
    res = cli.invoke(app, ["backfill", "--season", "1990-91"])
    assert res.exit_code == 1
    assert "not in the schedule" in res.output
    res = cli.invoke(app, ["backfill", "--season", "2025-26", "-p", "nope"])
    assert res.exit_code == 1
    assert "unknown processor 'nope'" in res.output
    assert not (tmp_path / "home").exists()  # bad input wrote nothing
    res = cli.invoke(app, ["backfill", "--status"])
    assert "no backfill" in res.output


def test_a_partial_partition_is_not_checkpointed(tmp_path: Path) -> None:
    s = make_settings(tmp_path / "home")
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    days = dates(*SLICE)
    raw = default_registry().select(["schedule", "raw_player_boxscores"])
    run_backfill(runner, raw, days)
    damaged = days[-2]  # 2025-11-08: 8 games; drop one -> 7/8 = 87.5% < 90%
    runner.wh.execute(
        "DELETE FROM raw_player_boxscores WHERE game_date = $d AND game_code = "
        "(SELECT min(game_code) FROM raw_player_boxscores WHERE game_date = $d)",
        {"d": damaged},
    )
    summary = default_registry().select(["player_game_summary"])
    state, report = run_backfill(runner, summary, days, force=True)  # force: past the input gate
    assert not report.failed
    assert {k: v for k, v in state.partial.items() if v} == {"player_game_summary": [damaged.isoformat()]}
    assert damaged.isoformat() not in state.done["player_game_summary"]
    assert (
        len(state.done["player_game_summary"]) == len([d for d in days if runner.calendar.day(d).games]) - 1
    )
    assert state.state == "incomplete"


def test_a_feedback_loop_is_backfilled_date_by_date(built: Runner) -> None:
    """system_predictions reads earlier dates' system_prediction_grades: even with two workers
    the loop's dates run in order, each date's grades before the next date's predictions."""
    loop = default_registry().select(["system_predictions", "system_prediction_grades"])
    days = dates(*SLICE)[10:14]
    state, report = run_backfill(built, loop, days, workers=2, chunk=2)
    assert state.state == "done" and not report.failed
    # (the plan also holds the history the loop reads: upstream tables, all skipped here, and
    # the loop itself on every earlier game day from the opener: calibration reads those grades)
    planned = sorted(state.done["system_predictions"])
    assert sorted(state.done["system_prediction_grades"]) == planned
    assert planned[0] == SLICE[0].isoformat() and {d.isoformat() for d in days} <= set(planned)
    ran = built.wh.rows(
        f"SELECT processor, partition FROM {LEDGER} WHERE status = 'success' "
        "AND processor LIKE 'system_%' ORDER BY started_at"
    )
    assert ran == [(p.name, d) for d in planned for p in loop]
    # interrupted between the two members of the last date: the resume finishes that date only
    state.done["system_prediction_grades"].pop()
    state.state = "interrupted"
    state.save(checkpoint_path(built.settings))
    state, report = run_backfill(built, loop, days, workers=2, chunk=2)
    mine = {p.name for p in loop}
    assert [(o.processor, o.status) for o in report.outcomes if o.processor in mine] == [
        ("system_predictions", "skipped"),
        ("system_prediction_grades", "skipped"),
    ]
    assert {p.name: sorted(state.done[p.name]) for p in loop} == {  # no key twice
        p.name: planned for p in loop
    }


def test_progress_counts_each_planned_partition_once_and_stays_the_same(tmp_path: Path) -> None:
    """On a fresh warehouse the schedule is loaded first, so the plan is made on the real
    calendar: done never exceeds planned and a resume plans exactly the same totals."""
    s = make_settings(tmp_path / "home")
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    procs = default_registry().select(["schedule", "raw_player_boxscores"])
    days = dates(*SLICE)
    planned: list[dict[str, int]] = []
    state, _ = run_backfill(runner, procs, days, workers=2, chunk=4, on_plan=planned.append)
    game_days = [d for d in days if runner.calendar.day(d).games]
    # the schedule loads the dates' season and the one before (2020: the bubble ran into October)
    assert state.totals == {"schedule": 2, "raw_player_boxscores": len(game_days)}
    assert state.progress == (2 + len(game_days), 2 + len(game_days))
    assert sorted(state.done["schedule"]) == ["2024-25", "2025-26"]
    again, _ = run_backfill(runner, procs, days, workers=2, chunk=4, on_plan=planned.append)
    assert again.totals == state.totals and again.progress == state.progress
    assert planned[0] == planned[1] == {"raw_player_boxscores": len(game_days)}


def test_preflight_counts_the_schedule_the_backfill_loads_itself(tmp_path: Path) -> None:
    from nbaprops.ops.backfill import preflight

    s = make_settings(tmp_path / "home")
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    reg = default_registry()
    runner.run([reg.get("schedule")], dates(*SLICE))  # the calendar knows 2025-26 only
    last_season = dates(dt.date(2024, 3, 1), dt.date(2024, 3, 5))
    assert runner.calendar.season_of(last_season[0]) not in runner.calendar.seasons
    assert preflight(runner, reg.select(["schedule", "raw_player_boxscores"]), last_season).ok
    alone = preflight(runner, reg.select(["raw_player_boxscores"]), last_season)
    assert alone.missing == ["no scheduled season covers 2024-03-01 .. 2024-03-05"]
