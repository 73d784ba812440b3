"""The runner on real data: counts, idempotency, retries, atomicity, reaping."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from _support import SLICE, dates, rotate_stat_lines
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.registry import Registry, default_registry
from nbaprops.storage import Partition

GAME_DAY = dt.date(2025, 10, 22)  # 12 games, all final
OFF_DAY = dt.date(2025, 7, 15)  # off-season


def ledger_rows(runner: Runner, **where: str) -> list[dict[str, object]]:
    return runner.ledger.runs(**where).to_pylist()  # type: ignore[arg-type]


def test_every_success_records_exactly_what_the_table_holds(built: Runner) -> None:
    successes = ledger_rows(built, status="success")
    assert len(successes) > 100
    for row in successes:
        proc = default_registry().get(str(row["processor"]))
        value = row["partition"]
        part = proc.partition_for(dt.date.fromisoformat(value) if proc.partition == "date" else value)
        assert row["rows_written"] == built.wh.count(proc.output, part), row


def test_rerun_with_unchanged_inputs_is_skipped(built: Runner) -> None:
    report = built.run(default_registry().select(), dates(*SLICE))
    assert report.count("skipped") == len(report.outcomes)
    assert report.count("success") == 0


def _tweak_raw_points(runner: Runner, day: dt.date, delta: int) -> None:
    """Every team's stat lines handed on to the next player: each player's points change, every
    team total and box-score identity stays true (the write-time audits let it in)."""
    part = Partition("game_date", day)
    rows = runner.wh.query("SELECT * FROM raw_player_boxscores WHERE game_date = $d", {"d": day})
    runner.wh.write_partition("raw_player_boxscores", part, rotate_stat_lines(rows))


def test_changed_input_reruns_only_what_reads_it(built: Runner) -> None:
    day = dt.date(2025, 11, 5)
    _tweak_raw_points(built, day, 1)
    reg = default_registry()
    report = built.run(reg.select(["player_game_summary"]), dates(*SLICE))
    ran = {o.partition for o in report.outcomes if o.status == "success"}
    # the summary reads its own date and the season so far: the changed date and later re-run
    assert day.isoformat() in ran
    assert all(p >= day.isoformat() for p in ran)
    assert report.count("skipped") == len([d for d in dates(*SLICE) if d < day])
    got = built.wh.rows("SELECT sum(points) FROM player_game_summary WHERE game_date = $d", {"d": day})
    raw = built.wh.rows("SELECT sum(pts) FROM raw_player_boxscores WHERE game_date = $d", {"d": day})
    assert got == raw


def test_changed_code_version_reruns(built: Runner) -> None:
    newer = Runner(settings=built.settings, warehouse=built.wh, code_version="test-2")
    report = newer.run(default_registry().select(["raw_player_boxscores"]), [GAME_DAY])
    assert [o.status for o in report.outcomes] == ["success"]
    row = ledger_rows(newer, partition=GAME_DAY.isoformat(), processor="raw_player_boxscores")[0]
    assert row["code_version"] == "test-2"


def _empty_summary(ctx: Context) -> pa.Table:
    return pa.table({"game_date": pa.array([], pa.date32()), "player_id": pa.array([], pa.int64())})


def test_zero_rows_on_a_game_day_is_suspicious_and_retried(built: Runner) -> None:
    broken = Processor(
        name="broken_summary",
        phase=3,
        output="broken_summary",
        partition="date",
        key=("player_id",),
        description="returns nothing",
        build=_empty_summary,
        inputs=(Input("raw_player_boxscores"),),
    )
    runner = Runner(
        settings=built.settings,
        warehouse=built.wh,
        code_version="test",
        registry=Registry([*default_registry().select(), broken]),
    )
    first = runner.run([broken], [GAME_DAY, OFF_DAY])
    by_day = {o.partition: o for o in first.outcomes}
    assert by_day[GAME_DAY.isoformat()].suspicious
    assert not by_day[OFF_DAY.isoformat()].suspicious  # the schedule says zero is right
    second = runner.run([broken], [GAME_DAY, OFF_DAY])
    by_day = {o.partition: o.status for o in second.outcomes}
    assert by_day == {GAME_DAY.isoformat(): "success", OFF_DAY.isoformat(): "skipped"}
    rows = ledger_rows(runner, processor="broken_summary", partition=GAME_DAY.isoformat())
    assert [r["suspicious"] for r in rows] == [True, True]


def _bad_rows(ctx: Context) -> pa.Table:
    rows = ctx.warehouse.query("SELECT * FROM raw_player_boxscores WHERE game_date = $d", {"d": ctx.date})
    i = rows.schema.get_field_index("pts")
    # a value the table's SMALLINT column cannot hold: the insert fails after the delete
    return rows.set_column(i, "pts", pa.array(["many"] * rows.num_rows))


def test_a_failed_write_leaves_the_previous_partition_intact(built: Runner) -> None:
    part = Partition("game_date", GAME_DAY)
    before = (built.wh.count("raw_player_boxscores", part), built.wh.checksum("raw_player_boxscores", part))
    assert before[0] > 200
    broken = Processor(
        name="raw_player_boxscores",
        phase=2,
        output="raw_player_boxscores",
        partition="date",
        key=("player_id",),
        description="writes garbage",
        build=_bad_rows,
    )
    others = [p for p in default_registry().select() if p.name != "raw_player_boxscores"]
    runner = Runner(
        settings=built.settings,
        warehouse=built.wh,
        code_version="test-x",
        registry=Registry([*others, broken]),
    )
    report = runner.run([broken], [GAME_DAY])
    (out,) = report.outcomes
    assert out.status == "failed"
    assert "partition unchanged" in (out.error or "")
    after = (built.wh.count("raw_player_boxscores", part), built.wh.checksum("raw_player_boxscores", part))
    assert after == before
    row = ledger_rows(runner, processor="raw_player_boxscores", partition=GAME_DAY.isoformat())[0]
    assert row["status"] == "failed" and row["rows_written"] is None
    # and the next run (code fixed) is not skipped: failures are always retried
    fixed = Runner(settings=built.settings, warehouse=built.wh, code_version="test-x")
    again = fixed.run(default_registry().select(["raw_player_boxscores"]), [GAME_DAY])
    assert [o.status for o in again.outcomes] == ["success"]
    assert (
        ledger_rows(fixed, processor="raw_player_boxscores", partition=GAME_DAY.isoformat())[0]["attempt"]
        == 2
    )


def test_latest_reads_only_the_runs_asked_for(built: Runner) -> None:
    """A run asks the ledger about its own partitions; the answer matches the full view."""
    full = built.ledger.latest()
    keys = [d.isoformat() for d in dates(*SLICE)[:5]]
    names = {"player_game_summary", "predictions"}
    scoped = built.ledger.latest(names, keys)
    assert scoped == {k: v for k, v in full.items() if k[0] in names and k[1] in keys}
    assert len(scoped) == 10
    assert built.ledger.latest([], keys) == {} == built.ledger.latest(names, [])


def test_which_zeros_are_expected(built: Runner) -> None:
    """Zero rows are right on days without box-scored games, and for output built from history
    in a season's first days (a backfill that starts on opening night has no history yet)."""
    opener, later = SLICE[0], SLICE[1]
    assert built.calendar.day(opener).bootstrap and not built.calendar.day(later).bootstrap
    reg = default_registry()

    def expected(name: str, day: dt.date) -> bool:
        return built._expected_zero(reg.get(name), Partition("game_date", day), None)

    assert expected("predictions", opener) and expected("player_daily_cache", opener)
    assert not expected("player_game_summary", opener)  # the opener's own games are there
    assert not expected("predictions", later)
    assert expected("player_game_summary", OFF_DAY)


def test_a_stuck_running_row_is_reaped(built: Runner) -> None:
    run_id = built.ledger.start(
        "player_game_summary", GAME_DAY.isoformat(), input_hash="x", code_version="test"
    )
    built.wh.execute(
        f"UPDATE {LEDGER} SET started_at = started_at - INTERVAL 3 HOUR, "
        "heartbeat_at = heartbeat_at - INTERVAL 3 HOUR WHERE run_id = $r",
        {"r": run_id},
    )
    fresh = built.ledger.start("player_game_summary", "2025-11-01", input_hash="y", code_version="test")
    assert built.ledger.reap(dt.timedelta(minutes=60)) == 1
    got = {r["run_id"]: r for r in ledger_rows(built, status="failed")}
    assert run_id in got and "reaped" in str(got[run_id]["error"])
    assert fresh not in got
    # the runner reaps on start too
    built.wh.execute(
        f"UPDATE {LEDGER} SET heartbeat_at = heartbeat_at - INTERVAL 3 HOUR WHERE run_id = $r",
        {"r": fresh},
    )
    built.run([], [])
    assert ledger_rows(built, status="running") == []


def test_unknown_processor_is_an_input_error() -> None:
    from nbaprops.core.errors import InputError

    with pytest.raises(InputError, match="unknown processor 'nope'"):
        default_registry().select(["nope"])


def test_a_feedback_loop_runs_date_by_date_and_is_then_unchanged(built: Runner) -> None:
    """system_predictions learns from earlier dates' grades (a feedback input, not a DAG edge):
    a run of both goes date by date, so the second run finds every input as it was."""
    reg = default_registry()
    loop = [reg.get("system_predictions"), reg.get("system_prediction_grades")]
    assert "system_prediction_grades" not in reg.upstream("system_predictions")
    assert reg.feedback_groups([p.name for p in loop]) == [[p.name for p in loop]]
    assert reg.feedback_groups(reg.order) == [[p.name for p in loop]]  # prediction_grades: not in it
    days = dates(*SLICE)[10:13]
    first = built.run(loop, days)
    assert [(o.processor, o.partition) for o in first.outcomes] == [
        (p.name, d.isoformat()) for d in days for p in loop
    ]
    assert first.count("success") == 6 and not first.failed
    assert built.wh.rows("SELECT count(*) FROM system_prediction_grades")[0][0] > 0
    again = built.run(loop, days)
    assert again.count("skipped") == 6  # run all-predictions-first, days 2-3 would re-run here
    # a changed grade of an earlier date changes what a later date's calibration reads
    proc, part = loop[0], loop[0].partition_for(days[-1])
    before = built.input_hashes(proc, [part], exts=[None], params=[{}])[0]
    built.wh.execute(
        "DELETE FROM ops_partitions WHERE table_name = 'system_prediction_grades' "
        f"AND partition = '{days[0].isoformat()}'"
    )
    assert built.input_hashes(proc, [part], exts=[None], params=[{}])[0] != before


def test_a_feedback_input_must_read_strictly_earlier_dates() -> None:
    with pytest.raises(ValueError, match="feedback input"):
        _proc("x", Input("y", "partition", feedback=True))  # would read its own date back


def _proc(name: str, *inputs: Input) -> Processor:
    return Processor(
        name=name,
        phase=5,
        output=name,
        partition="date",
        key=("k",),
        description=name,
        build=_empty_summary,
        inputs=inputs,
    )


def test_a_feedback_group_is_the_paths_from_reader_to_writer() -> None:
    """reader -> middle -> writer -(feedback)-> reader; `side` feeds the writer only."""
    reg = Registry(
        [
            _proc("side"),
            _proc("reader", Input("writer", "before", feedback=True)),
            _proc("middle", Input("reader")),
            _proc("writer", Input("middle"), Input("side")),
            _proc("after", Input("writer")),
        ]
    )
    assert reg.feedback_groups(reg.order) == [["reader", "middle", "writer"]]
    assert reg.feedback_groups(["reader", "after"]) == []  # the writer is not in the run
    assert reg.ancestors("writer") == {"side", "reader", "middle"}
    units = reg.run_units(reg.order)  # the group runs in its last member's place
    assert units.index(["side"]) < units.index(["reader", "middle", "writer"]) < units.index(["after"])
    assert len(units) == 3


def test_every_table_the_runner_writes_has_the_engines_counts_in_the_ledger(built: Runner) -> None:
    """Generic over the registry's default processors: each partition's latest success says
    what ``count(*)`` finds in the table and what the partition catalog recorded."""
    latest = built.ledger.latest()
    checked = set()
    for proc in default_registry().select():
        assert built.wh.has_table(proc.output), proc.name
        col = proc.partition_column
        counted = {
            proc.partition_for(v).key: int(n)
            for v, n in built.wh.rows(f"SELECT {col}, count(*) FROM {proc.output} GROUP BY 1")
        }
        catalog = {
            str(k): int(n)
            for k, n in built.wh.rows(
                "SELECT partition, rows FROM ops_partitions WHERE table_name = $t", {"t": proc.output}
            )
        }
        planned = [proc.partition_for(v).key for v in built.partitions_for(proc, dates(*SLICE))]
        if proc.partition == "season":
            planned = [k for k in planned if k in built.calendar.seasons]
        for key in planned:
            last = latest[(proc.name, key)]
            assert last.status == "success", (proc.name, key)
            assert last.rows_written == counted.get(key, 0) == catalog[key], (proc.name, key)
            checked.add(proc.name)
    assert checked == {p.name for p in default_registry().select()}


def _faulty_summary(ctx: Context) -> pa.Table:
    """The real summary rows of the date with one player's points off by one (his shooting
    split says otherwise): what a buggy model would write."""
    rows = ctx.warehouse.query(
        "SELECT * FROM player_game_summary WHERE game_date = $d ORDER BY player_id", {"d": ctx.date}
    )
    i = rows.schema.get_field_index("points")
    pts = rows.column("points").to_pylist()
    pts[0] += 1
    return rows.set_column(i, "points", pa.array(pts, rows.schema.field(i).type))


def test_an_audit_failing_at_write_time_rolls_back_and_fails_the_run(built: Runner) -> None:
    part = Partition("game_date", GAME_DAY)
    before = built.wh.partition_state("player_game_summary")[GAME_DAY.isoformat()]
    assert before == (
        built.wh.count("player_game_summary", part),
        built.wh.checksum("player_game_summary", part),
    )
    reg = default_registry()
    faulty = Processor(
        name="player_game_summary",
        phase=3,
        output="player_game_summary",
        partition="date",
        key=("game_code", "player_id"),
        description="fault injected: one player's points off by one",
        build=_faulty_summary,
    )
    others = [p for p in reg.select() if p.name != "player_game_summary"]
    runner = Runner(
        settings=built.settings, warehouse=built.wh, code_version="test", registry=Registry([*others, faulty])
    )
    (out,) = runner.run([faulty], [GAME_DAY]).outcomes
    assert out.status == "failed"
    err = str(out.error)
    assert err.startswith("audit player_game_summary")
    assert f"failed on player_game_summary partition {GAME_DAY}: bad row" in err
    assert "player_id=" in err and "\n" not in err
    assert built.wh.partition_state("player_game_summary")[GAME_DAY.isoformat()] == before  # unchanged
    assert (
        built.wh.count("player_game_summary", part),
        built.wh.checksum("player_game_summary", part),
    ) == before
    row = ledger_rows(built, processor="player_game_summary", partition=GAME_DAY.isoformat())[0]
    assert row["status"] == "failed" and row["error"] == err and row["rows_written"] is None


def test_audits_are_found_next_to_the_model(tmp_path: Path) -> None:
    (tmp_path / "audits").mkdir()
    model = tmp_path / "t_out.sql"
    model.write_text("SELECT $game_date AS game_date")
    for name in ("t_out", "t_out__no_negative_counts", "other"):
        (tmp_path / "audits" / f"{name}.sql").write_text("SELECT game_date FROM t_out WHERE false")
    proc = Processor(name="t", phase=3, output="t_out", partition="date", key=(), description="", sql=model)
    assert [a.name for a in proc.audits] == ["t_out", "t_out__no_negative_counts"]
    assert [a.name for a in default_registry().get("ml_feature_store").audits] == ["ml_feature_store"]


def test_a_running_row_of_a_dead_process_is_reaped_at_once(built: Runner) -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(child.stdout)  # exited: no process has this id now (ids are not reused this fast)
    alive = built.ledger.start("player_game_summary", "2025-11-02", input_hash="x", code_version="test")
    dead = built.ledger.start("player_game_summary", "2025-11-03", input_hash="x", code_version="test")
    built.wh.execute(f"UPDATE {LEDGER} SET pid = $p WHERE run_id = $r", {"p": dead_pid, "r": dead})
    assert built.ledger.reap(dt.timedelta(days=1)) == 1  # long before any timeout
    got = {r["run_id"]: r for r in ledger_rows(built)}
    assert got[dead]["status"] == "failed"
    assert got[dead]["error"] == f"reaped: its process {dead_pid} on {socket.gethostname()} is gone"
    assert got[alive]["status"] == "running"  # this process: alive


def _fails(ctx: Context) -> pa.Table:
    raise ValueError("upstream broke")


def _one_row(ctx: Context) -> pa.Table:
    return pa.table({"game_date": [ctx.date], "x": [1]})


def test_a_failed_upstream_date_blocks_only_readers_of_that_date(built: Runner) -> None:
    up = Processor(
        name="t_up", phase=3, output="t_up", partition="date", key=(), description="", build=_fails
    )
    readers = [
        Processor(
            name=f"t_{w}",
            phase=4,
            output=f"t_{w}",
            partition="date",
            key=(),
            description="",
            build=_one_row,
            inputs=(Input("t_up", w),),  # type: ignore[arg-type]
        )
        for w in ("partition", "through", "before")
    ]
    reg = Registry([*default_registry().select(), up, *readers])
    runner = Runner(settings=built.settings, warehouse=built.wh, code_version="test", registry=reg)
    by = {o.processor: o for o in runner.run([up, *readers], [GAME_DAY]).outcomes}
    assert by["t_up"].error == "ValueError: upstream broke"
    blocked = f"upstream t_up failed for {GAME_DAY}"
    assert by["t_partition"].error == blocked and by["t_through"].error == blocked
    # the before-reader reads only earlier dates of t_up: the failure on GAME_DAY does not block
    # it; t_up's earlier dates were never built, so the history gate refuses it for them instead
    assert by["t_before"].error != blocked
    assert (by["t_before"].error or "").startswith("gate: history incomplete: t_up lacks")
