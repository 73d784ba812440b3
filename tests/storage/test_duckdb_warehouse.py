"""DuckDB warehouse: engine counts, atomic partition replacement, crash safety."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nbaprops.core.errors import AuditError, DataError, WarehouseError
from nbaprops.storage import Audit, DuckDBWarehouse, Partition, Query

D1, D2 = dt.date(2025, 1, 1), dt.date(2025, 1, 2)


def rows(day: dt.date, n: int, start: int = 0) -> pa.Table:
    return pa.table({"game_date": [day] * n, "x": list(range(start, start + n))})


def test_write_returns_engine_counts_and_replaces_only_its_partition(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    r1 = wh.write_partition("t", Partition("game_date", D1), rows(D1, 5))
    wh.write_partition("t", Partition("game_date", D2), rows(D2, 3))
    r2 = wh.write_partition("t", Partition("game_date", D1), rows(D1, 2, 100))
    assert (r1.rows_written, r1.rows_replaced) == (5, 0)
    assert (r2.rows_written, r2.rows_replaced) == (2, 5)
    assert wh.count("t", Partition("game_date", D1)) == 2
    assert wh.count("t", Partition("game_date", D2)) == 3
    assert wh.counts_by("t", "game_date") == {"2025-01-01": 2, "2025-01-02": 3}
    assert r2.checksum == wh.checksum("t", Partition("game_date", D1))
    assert wh.partition_state("t")["2025-01-01"] == (2, r2.checksum)


def test_query_rows_are_materialised_in_the_engine(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    res = wh.write_partition(
        "t",
        Partition("game_date", D1),
        Query("SELECT $d::DATE AS game_date, range AS x FROM range(7)", {"d": D1}),
    )
    assert res.rows_written == 7 == wh.count("t")


def test_rows_outside_the_partition_are_refused_and_nothing_changes(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    wh.write_partition("t", Partition("game_date", D1), rows(D1, 4))
    before = wh.checksum("t")
    with pytest.raises(DataError, match="outside partition"):
        wh.write_partition("t", Partition("game_date", D1), rows(D2, 1))
    assert wh.checksum("t") == before


def test_a_type_error_mid_write_rolls_back(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    wh.write_partition("t", Partition("game_date", D1), rows(D1, 4))
    before = wh.checksum("t")
    bad = pa.table({"game_date": [D1], "x": ["not a number"]})
    with pytest.raises(WarehouseError, match="partition unchanged"):
        wh.write_partition("t", Partition("game_date", D1), bad)
    assert wh.checksum("t") == before and wh.count("t") == 4


def test_a_process_killed_mid_write_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wh = DuckDBWarehouse(db)
    wh.write_partition("t", Partition("game_date", D1), rows(D1, 50))
    before = wh.checksum("t")
    wh.close()
    # the child deletes the partition inside the write transaction, then dies before COMMIT
    script = textwrap.dedent(
        f"""
        import datetime as dt, os
        import pyarrow as pa
        import nbaprops.storage.duckdb_warehouse as m
        from nbaprops.storage import Partition
        real = m.DuckDBWarehouse._record_catalog
        def die(*a, **k):
            real(*a, **k)
            os._exit(9)   # after DELETE + INSERT, before COMMIT
        m.DuckDBWarehouse._record_catalog = die
        wh = m.DuckDBWarehouse({str(db)!r})
        d = dt.date(2025, 1, 1)
        wh.write_partition("t", Partition("game_date", d), pa.table({{"game_date": [d], "x": [1]}}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr  # it really died mid-write
    wh = DuckDBWarehouse(db)
    assert wh.checksum("t") == before
    assert wh.count("t") == 50


def test_read_only_warehouse_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no warehouse at"):
        DuckDBWarehouse(tmp_path / "missing.duckdb", read_only=True)
    assert not (tmp_path / "missing.duckdb").exists()


def test_a_warehouse_held_by_another_process_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    DuckDBWarehouse(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        with pytest.raises(WarehouseError, match=f"in use by process {holder.pid} .*backfill --status"):
            DuckDBWarehouse(path, read_only=True)
    finally:
        holder.kill()
        holder.wait()


INJECTION = 'x" INTEGER; DROP TABLE ops_ledger; --'


def test_a_column_name_is_never_ddl(tmp_path: Path) -> None:
    """The column name that once dropped the ledger is refused before anything is written."""
    from nbaprops.ops.ledger import LEDGER, Ledger

    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    Ledger(wh).start("p", "2025-01-01", input_hash="h", code_version="v")
    wh.write_partition("t", Partition("game_date", D1), rows(D1, 3))
    before = wh.checksum("t")
    hostile = pa.table({"game_date": [D1], "x": [1], INJECTION: [2]})
    pq.write_table(hostile, tmp_path / "hostile.parquet")  # it arrives as a Parquet file
    with pytest.raises(DataError) as err:
        wh.write_partition("t", Partition("game_date", D1), pq.read_table(tmp_path / "hostile.parquet"))
    assert str(err.value) == (
        f"column {INJECTION!r} in the rows for t is not a valid identifier "
        "(lower-case letters, digits, _): refused"
    )
    assert wh.has_table(LEDGER) and wh.count(LEDGER) == 1  # the ledger survives
    assert wh.columns("t") == ["game_date", "x"] and wh.checksum("t") == before
    with pytest.raises(DataError, match="not a valid identifier"):  # a new table, too
        wh.write_partition("fresh", Partition("game_date", D1), hostile)
    assert not wh.has_table("fresh")
    with pytest.raises(DataError, match="table 't; DROP TABLE ops_ledger' is not a valid"):
        wh.write_partition("t; DROP TABLE ops_ledger", Partition("game_date", D1), rows(D1, 1))
    assert wh.has_table(LEDGER)


def test_an_audit_with_bad_rows_rolls_the_write_back(tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "w.duckdb")
    wh.write_partition("t", Partition("game_date", D1), rows(D1, 3))
    wh.write_partition("t", Partition("game_date", D2), rows(D2, 2, start=-5))  # bad, but not audited
    state = wh.partition_state("t")
    no_negatives = Audit("t__no_negative_x", "SELECT game_date, x FROM t WHERE x < 0;")
    with pytest.raises(AuditError) as err:
        wh.write_partition("t", Partition("game_date", D1), rows(D1, 4, start=-1), audits=[no_negatives])
    assert (
        str(err.value)
        == "audit t__no_negative_x failed on t partition 2025-01-01: bad row game_date=2025-01-01, x=-1"
    )
    assert wh.partition_state("t") == state and wh.count("t", Partition("game_date", D1)) == 3
    # only the partitions written are audited: D2's negatives do not block a clean D1
    res = wh.write_partition("t", Partition("game_date", D1), rows(D1, 4), audits=[no_negatives])
    assert res.rows_written == 4 == wh.partition_state("t")["2025-01-01"][0]
