"""kill -9 during a BigQuery-backed backfill (on the emulator): the resumed backfill ends with every
partition present once, with the same rows per partition as an uninterrupted DuckDB run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from _emulators import PROJECT
from _support import DATA
from nbaprops.ops.ledger import LEDGER
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse, Warehouse
from nbaprops.storage.bigquery import BigQueryWarehouse

ARGS = ["backfill", "--start-date", "2025-10-21", "--end-date", "2025-10-23", "--phases", "2,3"]
ARGS += ["--workers", "2", "--chunk", "1"]
TABLES = ["schedule", "raw_player_boxscores", "raw_prop_lines", "player_game_summary"]


def _cli(
    home: Path, *args: str, warehouse: str | None = None, endpoint: str | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NBAPROPS_HOME": str(home),
        "NBAPROPS_DATA_DIR": str(DATA),
        "NBAPROPS_TODAY": "2026-11-25",
    }
    if warehouse:
        env |= {"NBAPROPS_WAREHOUSE": warehouse, "NBAPROPS_BIGQUERY__API_ENDPOINT": endpoint or ""}
    return subprocess.Popen(
        [sys.executable, "-m", "nbaprops.cli.__main__", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _per_partition(wh: Warehouse) -> dict[str, dict[str, int]]:
    reg = default_registry()
    return {t: wh.counts_by(t, reg.by_output[t].partition_column) for t in TABLES}


@pytest.mark.slow  # a few real dates through every processor on the emulator
def test_kill_9_mid_bigquery_backfill_then_resume_loses_and_doubles_nothing(
    bigquery_endpoint: str, tmp_path: Path
) -> None:
    clean = tmp_path / "clean"
    assert _cli(clean, *ARGS).wait(timeout=300) == 0
    duck = DuckDBWarehouse(clean / "warehouse.duckdb", read_only=True)
    expected = _per_partition(duck)
    duck.close()

    url = f"bigquery://{PROJECT}/bf_{uuid.uuid4().hex[:8]}"
    killed = tmp_path / "killed"
    proc = _cli(killed, *ARGS, warehouse=url, endpoint=bigquery_endpoint)
    ckpt = killed / "backfills" / "checkpoint.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists():
            state = json.loads(ckpt.read_text())
            if sum(len(v) for v in state["done"].values()) >= 3:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the backfill finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = json.loads(ckpt.read_text())
    assert 0 < sum(len(v) for v in state["done"].values()) < sum(state["totals"].values())

    resumed = _cli(killed, *ARGS, warehouse=url, endpoint=bigquery_endpoint)
    _, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err.decode()[-2000:]
    bq = BigQueryWarehouse(url, api_endpoint=bigquery_endpoint, read_only=True)
    assert _per_partition(bq) == expected
    for table in TABLES:  # the catalog agrees with the data, partition by partition
        state_rows = {k: n for k, (n, _) in bq.partition_state(table).items() if n}
        assert state_rows == expected[table], table
    dupes = bq.rows(
        f"SELECT processor, partition, count(*) FROM {LEDGER} WHERE status = 'success' "
        "GROUP BY 1, 2 HAVING count(*) > 1"
    )
    running = bq.rows(f"SELECT count(*) FROM {LEDGER} WHERE status = 'running'")[0][0]
    assert dupes == [] and running == 0
