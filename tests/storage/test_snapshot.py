"""Reads while a run writes (embedded DuckDB): readers get the writer's read snapshot.

A second, real process writes (the pipeline in a loop, or open-write-close cycles) while
``ledger``, ``sql``, ``validate`` and the API read: the readers get committed data (the
partition catalog equals what each table holds, partition by partition) and the writer
never fails.  A writer killed in the middle of publishing leaves the previous snapshot whole.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from _support import DATA, make_settings
from nbaprops.api import create_app
from nbaprops.cli import app
from nbaprops.core.errors import WarehouseError
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse, Partition, open_warehouse
from nbaprops.storage.snapshot import is_current, snapshot_path
from nbaprops.storage.sql_warehouse import PARTITIONS

TESTS = Path(__file__).resolve().parents[1]
D1 = dt.date(2025, 1, 1)
WRITER_DEADLINE_S = 240.0
"""A writer subprocess that has not signalled readiness by then has hung (not a timing assert)."""


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WRITER_DEADLINE_S
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"writer exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"writer never wrote {path.name}")
        time.sleep(0.05)


def _catalog_matches_tables(wh: DuckDBWarehouse) -> int:
    """Assert the catalog (written in the same transaction as the data) equals what every table
    holds per partition: a copy taken mid-commit or mid-copy would break it.  Returns rows seen."""
    seen = 0
    producers = default_registry().by_output
    for (table,) in wh.rows(f"SELECT DISTINCT table_name FROM {PARTITIONS}"):
        column = producers[table].partition_column if table in producers else "game_date"
        state = {k: n for k, (n, _) in wh.partition_state(table).items() if n}
        held = wh.counts_by(table, column)
        assert state == held, table
        seen += sum(held.values())
    return seen


PIPELINE_WRITER = """
    import datetime as dt, json, pathlib, sys
    from _support import make_settings
    from nbaprops.ops.runner import Runner
    from nbaprops.pipeline.registry import default_registry
    from nbaprops.storage import DuckDBWarehouse

    home = pathlib.Path(sys.argv[1])
    s = make_settings(home)
    wh = DuckDBWarehouse(s.warehouse_url, snapshot_every=0.2)
    runner = Runner(settings=s, warehouse=wh, code_version="test")
    procs = default_registry().select()
    days = [dt.date(2025, 10, 21), dt.date(2025, 10, 22)]
    failed, runs = len(runner.run(procs, days).failed), 1
    wh.publish_snapshot()
    (home / "ready").touch()
    while not (home / "stop").exists() or runs < 3:
        failed += len(runner.run(procs, days, force=True).failed)
        runs += 1
    print(json.dumps({"runs": runs, "failed": failed, "published": wh._snapshots.published}))
"""


@pytest.fixture
def writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, int]]:
    """A real second process running the pipeline over two dates in a loop, holding the file."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("NBAPROPS_HOME", str(home))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_TODAY", "2026-11-25")
    monkeypatch.setenv("COLUMNS", "200")
    proc = _spawn(PIPELINE_WRITER, str(home))
    try:
        _wait_for(home / "ready", proc)
        yield home, proc.pid
    finally:
        (home / "stop").touch()
        out, errs = proc.communicate(timeout=WRITER_DEADLINE_S)
    assert proc.returncode == 0, errs
    done = json.loads(out.strip().splitlines()[-1])
    assert done["failed"] == 0 and done["runs"] >= 3, done  # the writer went on, never failed
    assert done["published"] >= 2, done  # it published while it ran, not only at the start


def test_ledger_sql_validate_and_the_api_read_while_another_process_runs_the_pipeline(
    writing: tuple[Path, int],
) -> None:
    home, writer = writing
    live = home / "warehouse.duckdb"
    with pytest.raises(duckdb.IOException, match="lock"):  # the writer holds the file: no plain read
        duckdb.connect(str(live), read_only=True)
    cli = CliRunner()
    client = TestClient(create_app(make_settings(home)))
    notes = 0
    for _ in range(3):
        led = cli.invoke(app, ["ledger", "--json", "--limit", "0"])
        assert led.exit_code == 0, led.output
        runs = json.loads(led.stdout)
        assert {r["processor"] for r in runs if r["status"] == "success"} >= {"raw_player_boxscores"}
        notes += f"being written by process {writer}" in led.stderr
        query = (
            "SELECT (SELECT count(*) FROM raw_player_boxscores) AS n, (SELECT sum(rows)::BIGINT FROM "
            f"{PARTITIONS} WHERE table_name = 'raw_player_boxscores') AS catalogued"
        )
        sql = cli.invoke(app, ["sql", query, "--json"])
        assert sql.exit_code == 0, sql.output
        got = json.loads(sql.stdout)[0]
        assert got["n"] == got["catalogued"] > 0, got  # data and catalog of one committed state
        val = cli.invoke(
            app, ["validate", "--start-date", "2025-10-21", "--end-date", "2025-10-22", "--json"]
        )
        assert val.exit_code == 0, val.output
        kinds = {f["classification"] for f in json.loads(val.stdout)}
        assert not kinds & {"tampered", "tracking_mismatch", "real_loss", "partial"}, kinds
        health = client.get("/health").json()
        assert health["warehouse_reachable"] is True, health
        page = client.get("/runs", params={"limit": 5})
        assert page.status_code == 200 and page.json()["items"], page.text
        wh = open_warehouse(str(live), read_only=True)
        try:
            assert _catalog_matches_tables(wh) > 1000  # type: ignore[arg-type]
        finally:
            wh.close()
    assert notes  # at least one read said it came from an older snapshot (and whose)


OPEN_WRITE_CLOSE = """
    import datetime as dt, pathlib, sys
    import pyarrow as pa
    from nbaprops.storage import DuckDBWarehouse, Partition

    db, n = pathlib.Path(sys.argv[1]), int(sys.argv[2])
    for i in range(n):
        wh = DuckDBWarehouse(db)  # fails on a lock a reader holds: that would be a blocked writer
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 5)
        wh.write_partition("t", Partition("game_date", day), pa.table({"game_date": [day] * (i + 1), "x": list(range(i + 1))}))
        wh.close()
        if i == 0:
            (db.parent / "ready").touch()
    print(n)
"""


def test_readers_in_a_loop_never_block_a_writer_that_opens_and_closes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    writer = _spawn(OPEN_WRITE_CLOSE, str(db), "40")
    _wait_for(tmp_path / "ready", writer)
    reads = 0
    while writer.poll() is None:
        wh = open_warehouse(str(db), read_only=True)
        try:
            _catalog_matches_tables(wh)  # type: ignore[arg-type]
            reads += 1
        finally:
            wh.close()
    out, errs = writer.communicate()
    assert writer.returncode == 0 and out.strip() == "40", errs  # every open of the writer succeeded
    assert reads > 0
    assert is_current(db)  # its last close published the final state
    final = DuckDBWarehouse.open_reading(db)
    assert final.read_note is None and final.count("t") == sum(range(36, 41))


def test_a_running_writer_publishes_throttled_and_at_close(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = DuckDBWarehouse(db, snapshot_every=3600)
    wh.write_partition("t", Partition("game_date", D1), pa.table({"game_date": [D1], "x": [1]}))
    assert not snapshot_path(db).exists()  # not yet: at most once an hour here
    wh.publish_snapshot()
    wh.write_partition("t", Partition("game_date", D1), pa.table({"game_date": [D1] * 2, "x": [1, 2]}))
    assert not is_current(db)
    snap = DuckDBWarehouse(snapshot_path(db), read_only=True)
    assert snap.count("t") == 1  # the published state, not the later write
    snap.close()
    wh.close()
    assert is_current(db)
    reader = DuckDBWarehouse.open_reading(db)
    assert reader.count("t") == 2 and reader.read_note is None
    reader.close()


def test_no_snapshot_yet_while_a_writer_holds_the_file_is_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = _spawn(
        """
        import pathlib, sys, time
        from nbaprops.storage import DuckDBWarehouse
        wh = DuckDBWarehouse(sys.argv[1], snapshot_every=None)
        (pathlib.Path(sys.argv[1]).parent / "ready").touch()
        time.sleep(120)
        """,
        str(db),
    )
    try:
        _wait_for(tmp_path / "ready", holder)
        with pytest.raises(WarehouseError, match=rf"in use by process {holder.pid}.*no read snapshot yet"):
            open_warehouse(str(db), read_only=True)
    finally:
        holder.kill()
        holder.wait()


KILLED_MID_COPY = """
    import datetime as dt, os, pathlib, sys, time
    import pyarrow as pa
    import nbaprops.storage.snapshot as snapshot
    from nbaprops.storage import DuckDBWarehouse, Partition

    db = pathlib.Path(sys.argv[1])
    day = dt.date(2025, 1, 1)
    wh = DuckDBWarehouse(db, snapshot_every=3600)
    wh.write_partition("t", Partition("game_date", day), pa.table({"game_date": [day] * 3, "x": [1, 2, 3]}))
    wh.publish_snapshot()  # the previous snapshot: 3 rows
    wh.write_partition("t", Partition("game_date", day), pa.table({"game_date": [day] * 7, "x": list(range(7))}))

    def half_copy(src_fd, dst):  # writes half the file, then waits to be killed
        size = os.fstat(src_fd).st_size
        with open(dst, "wb") as fh:
            fh.write(os.pread(src_fd, size // 2, 0))
            fh.flush()
            os.fsync(fh.fileno())
        (db.parent / "mid-copy").touch()
        time.sleep(120)

    snapshot._copy = half_copy
    wh.publish_snapshot()
"""


def test_a_writer_killed_mid_copy_leaves_the_previous_snapshot_whole(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    writer = _spawn(KILLED_MID_COPY, str(db))
    _wait_for(tmp_path / "mid-copy", writer)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL
    torn = snapshot_path(db).with_name(snapshot_path(db).name + ".tmp")
    assert torn.exists() and torn.stat().st_size < db.stat().st_size  # the copy really was cut
    reader = DuckDBWarehouse.open_reading(db)  # the live file is free again (the writer died)
    assert reader.count("t") == 7  # its committed state (DuckDB replays the writer's WAL)
    reader.close()
    snap = DuckDBWarehouse(snapshot_path(db), read_only=True)
    assert snap.count("t") == 3  # the previous snapshot, whole
    assert _catalog_matches_tables(snap) == 3
    snap.close()
    writer2 = DuckDBWarehouse(db)  # the next writer's publish replaces the stray copy
    writer2.close()
    assert is_current(db) and not torn.exists()
    again = DuckDBWarehouse(snapshot_path(db), read_only=True)
    assert again.count("t") == 7
    again.close()
