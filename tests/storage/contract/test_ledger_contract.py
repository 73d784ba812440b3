"""The run ledger's bookkeeping on every backend: its SQL (bulk inserts and updates over zipped
lists, the latest-run window query, the reaper) runs through each engine's dialect."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from nbaprops.ops.ledger import Ledger
from nbaprops.storage import LedgerClose, Partition, Warehouse

D1 = dt.date(2025, 10, 21)


def test_a_batch_opens_closes_and_reads_back(warehouse: Warehouse) -> None:
    ledger = Ledger(warehouse)
    ids = ledger.insert(
        [
            ledger.entry(
                "player_game_summary",
                k,
                "running",
                input_hash=h,
                code_version="v1",
                attempt=a,
                forced=False,
                code_hash="c",
            )
            for k, h, a in (("2025-10-21", "h1", 1), ("2025-10-22", "h2", 1), ("2025-10-23", "h3", 2))
        ]
    )
    written = warehouse.write_partition("t", Partition("game_date", D1), pa.table({"game_date": [D1] * 3}))
    ledger.close(
        [
            LedgerClose(ids[0], written, rows_in=5, expected_zero=False),
            LedgerClose(ids[1], error="boom\nsecond line"),
        ]
    )
    last = ledger.latest(["player_game_summary"])
    assert set(last) == {("player_game_summary", "2025-10-21"), ("player_game_summary", "2025-10-22")}
    ok, bad = last[("player_game_summary", "2025-10-21")], last[("player_game_summary", "2025-10-22")]
    assert (ok.status, ok.rows_written, ok.input_hash, ok.code_version) == ("success", 3, "h1", "v1")
    assert (bad.status, bad.attempt) == ("failed", 2)  # the next attempt after one failure
    runs = ledger.runs(processor="player_game_summary")
    assert runs.num_rows == 3
    by_id = {r["run_id"]: r for r in runs.to_pylist()}
    assert by_id[ids[1]]["error"] == "boom" and by_id[ids[2]]["status"] == "running"
    assert by_id[ids[0]]["checksum"] == written.checksum and by_id[ids[0]]["rows_in"] == 5


def test_single_runs_skips_and_the_reaper(warehouse: Warehouse) -> None:
    ledger = Ledger(warehouse)
    run = ledger.start("schedule", "2025-26", input_hash="h", code_version="v1")
    ledger.heartbeat(run)
    ledger.skip("schedule", "2024-25", input_hash="h", code_version="v1", note="unchanged")
    stuck = ledger.start("schedule", "2023-24", input_hash="h", code_version="v1")
    zero = warehouse.write_partition(
        "s", Partition("season", "2025-26"), pa.table({"season": pa.array([], pa.string())})
    )
    assert ledger.succeed(run, zero, rows_in=0, expected_zero=False)  # zero rows, not expected: suspicious
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    assert ledger.reap(dt.timedelta(hours=1), now=later) == 1
    status = {r["run_id"]: r["status"] for r in ledger.runs().to_pylist()}
    assert status[stuck] == "failed" and status[run] == "success"
    assert ("schedule", "skipped", 1, 0) in ledger.summary()
