"""The warehouse contract, on every backend: atomic partition writes, engine counts, the catalog,
order-independent checksums, parameterised reads.  Rows are real box scores from ../shared."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from _support import DATA
from nbaprops.core.errors import DataError
from nbaprops.storage import Partition, Query, Warehouse

D1, D2, D3 = dt.date(2025, 10, 21), dt.date(2025, 10, 22), dt.date(2025, 10, 23)
COLUMNS = ["game_date", "player_id", "player_name", "team", "pts", "minutes"]


@pytest.fixture(scope="module")
def box() -> pa.Table:
    """Three real game dates of box scores, a few columns."""
    t = pq.read_table(DATA / "player_boxscores.parquet", columns=COLUMNS)
    t = t.set_column(0, "game_date", pc.cast(t["game_date"], pa.date32()))
    return t.filter(pc.is_in(t["game_date"], pa.array([D1, D2, D3], pa.date32())))


def day(box: pa.Table, d: dt.date) -> pa.Table:
    return box.filter(pc.equal(box["game_date"], pa.scalar(d, pa.date32())))


def test_real_rows_are_there(box: pa.Table) -> None:
    assert all(day(box, d).num_rows > 20 for d in (D1, D2, D3))


def test_write_counts_come_from_the_engine_and_replace_only_the_partition(
    warehouse: Warehouse, box: pa.Table
) -> None:
    d1, d2 = day(box, D1), day(box, D2)
    first = warehouse.write_partition("box", Partition("game_date", D1), d1)
    warehouse.write_partition("box", Partition("game_date", D2), d2)
    again = warehouse.write_partition("box", Partition("game_date", D1), d1.slice(0, 7))
    assert (first.rows_written, first.rows_replaced) == (d1.num_rows, 0)
    assert (again.rows_written, again.rows_replaced) == (7, d1.num_rows)
    assert warehouse.counts_by("box", "game_date") == {D1.isoformat(): 7, D2.isoformat(): d2.num_rows}
    assert warehouse.count("box", Partition("game_date", D2)) == d2.num_rows
    assert warehouse.count("box") == 7 + d2.num_rows
    assert warehouse.partition_state("box")[D1.isoformat()] == (7, again.checksum)
    assert again.checksum == warehouse.checksum("box", Partition("game_date", D1))


def test_rows_outside_the_partition_are_refused_and_nothing_changes(
    warehouse: Warehouse, box: pa.Table
) -> None:
    warehouse.write_partition("box", Partition("game_date", D1), day(box, D1))
    before, state = warehouse.checksum("box"), warehouse.partition_state("box")
    with pytest.raises(DataError, match="outside partition"):
        warehouse.write_partition(
            "box", Partition("game_date", D1), pa.concat_tables([day(box, D1), day(box, D2)])
        )
    assert warehouse.checksum("box") == before
    assert warehouse.partition_state("box") == state


def test_many_partitions_in_one_write_with_a_legitimate_zero(warehouse: Warehouse, box: pa.Table) -> None:
    rows = pa.concat_tables([day(box, D1), day(box, D3)])
    got = warehouse.write_partitions("box", "game_date", [D1, D2, D3], rows)
    assert {k: r.rows_written for k, r in got.items()} == {
        D1.isoformat(): day(box, D1).num_rows,
        D2.isoformat(): 0,
        D3.isoformat(): day(box, D3).num_rows,
    }
    state = warehouse.partition_state("box")
    assert state[D2.isoformat()] == (0, "0:0")
    assert sum(n for n, _ in state.values()) == warehouse.count("box") == rows.num_rows


def test_checksum_ignores_row_order_and_sees_content(warehouse: Warehouse, box: pa.Table) -> None:
    d1 = day(box, D1)
    a = warehouse.write_partition("box", Partition("game_date", D1), d1).checksum
    b = warehouse.write_partition("box", Partition("game_date", D1), d1.take(list(range(d1.num_rows))[::-1]))
    assert a == b.checksum
    changed = d1.set_column(d1.schema.get_field_index("pts"), "pts", pc.add(d1["pts"], 1))
    c = warehouse.write_partition("box", Partition("game_date", D1), changed).checksum
    assert c != a and c.endswith(f":{d1.num_rows}")


def test_absent_tables_read_as_empty(warehouse: Warehouse) -> None:
    assert not warehouse.has_table("nope")
    assert warehouse.columns("nope") == []
    assert warehouse.count("nope") == 0
    assert warehouse.counts_by("nope", "game_date") == {}
    assert warehouse.checksum("nope") == "0:0"


def test_query_and_rows_bind_parameters(warehouse: Warehouse, box: pa.Table) -> None:
    warehouse.write_partitions("box", "game_date", [D1, D2], pa.concat_tables([day(box, D1), day(box, D2)]))
    top = pc.max(day(box, D2)["pts"]).as_py()
    got = warehouse.rows(
        "SELECT count(*), max(pts) FROM box WHERE game_date = $d AND pts >= $p", {"d": D2, "p": top}
    )
    assert got[0][1] == top and got[0][0] >= 1
    listed = warehouse.rows(
        "SELECT game_date, count(*) FROM box WHERE list_contains($ds, game_date) GROUP BY 1 ORDER BY 1",
        {"ds": [D1, D3]},
    )
    assert listed == [(D1, day(box, D1).num_rows)]
    name = day(box, D1)["player_name"][0].as_py()
    table = warehouse.query(
        "SELECT player_name, coalesce($missing, 'none') AS m FROM box WHERE player_name = $n",
        {"n": name, "missing": None},
    )
    assert table.column("player_name").to_pylist()[0] == name
    assert set(table.column("m").to_pylist()) == {"none"}


def test_query_rows_are_materialised_in_the_engine(warehouse: Warehouse, box: pa.Table) -> None:
    warehouse.write_partition("box", Partition("game_date", D1), day(box, D1))
    res = warehouse.write_partition(
        "top",
        Partition("game_date", D1),
        Query("SELECT game_date, player_name, pts FROM box WHERE game_date = $d AND pts >= 20", {"d": D1}),
    )
    expected = pc.sum(pc.greater_equal(day(box, D1)["pts"], 20)).as_py()
    assert res.rows_written == expected == warehouse.count("top")


def test_new_columns_are_added_and_missing_ones_read_null(warehouse: Warehouse, box: pa.Table) -> None:
    d1, d2 = day(box, D1), day(box, D2)
    warehouse.write_partition("box", Partition("game_date", D1), d1.drop_columns(["pts"]))
    warehouse.write_partition("box", Partition("game_date", D2), d2)
    assert "pts" in warehouse.columns("box")
    nulls = warehouse.rows("SELECT count(*) FROM box WHERE pts IS NULL AND game_date = $d", {"d": D1})
    assert nulls[0][0] == d1.num_rows


def test_statements_change_tables(warehouse: Warehouse) -> None:
    warehouse.execute("CREATE TABLE IF NOT EXISTS notes (k VARCHAR, n BIGINT, noted_at TIMESTAMPTZ)")
    now = dt.datetime(2025, 10, 21, 12, tzinfo=dt.UTC)
    warehouse.execute(
        "INSERT INTO notes SELECT unnest($k), unnest($n), $t", {"k": ["a", "b"], "n": [1, 2], "t": now}
    )
    warehouse.execute("UPDATE notes SET n = n + $d WHERE k = $k", {"d": 10, "k": "b"})
    assert warehouse.rows("SELECT k, n FROM notes ORDER BY k") == [("a", 1), ("b", 12)]
    assert warehouse.rows("SELECT k || ':' || n FROM notes WHERE noted_at = $t ORDER BY 1", {"t": now}) == [
        ("a:1",),
        ("b:12",),
    ]
