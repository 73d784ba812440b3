"""The embedded default: one DuckDB file."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from nbaprops.core.errors import DataError, WarehouseError
from nbaprops.storage.warehouse import Partition, PartitionValue, Query, WriteResult, among

__all__ = ["PARTITIONS", "DuckDBWarehouse"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ROWS = "__nbaprops_rows"
PARTITIONS = "ops_partitions"
"""Catalog of every written partition: rows and checksum, updated with the data."""
PARTITIONS_DDL = f"""CREATE TABLE IF NOT EXISTS {PARTITIONS} (
    table_name VARCHAR, partition VARCHAR, rows BIGINT, checksum VARCHAR, written_at TIMESTAMPTZ
)"""


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise WarehouseError(f"{name!r} is not a valid table or column name")
    return name


_CHECKSUM = "coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR || ':' || count(*)"
"""Order-independent content checksum of the rows aliased ``t``: ``<sum of row hashes>:<rows>``."""


def _checksum_sql(table: str, where: str = "") -> str:
    return f"SELECT {_CHECKSUM} FROM {table} t {where}"


class DuckDBWarehouse:
    """A warehouse in one DuckDB file (or ``:memory:``).

    Threads share one database through per-thread cursors, so a worker pool in
    one process can read and write concurrently; DuckDB serialises commits.

    Args:
        path: the database file; its folder is created.
        read_only: open without write access (``nbaprops sql``).
        threads: DuckDB worker threads (default: all cores).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, threads: int | None = None):
        self.url = str(path)
        if self.url != ":memory:":
            if read_only and not Path(self.url).exists():
                raise WarehouseError(f"no warehouse at {self.url}: run the pipeline first")
            Path(self.url).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        try:
            self._conn = duckdb.connect(self.url, read_only=read_only, config=config)
        except duckdb.Error as exc:
            held = re.search(r"Conflicting lock is held in .* \(PID (\d+)\)", str(exc))
            if held:  # DuckDB allows one writing process; readers wait for it too
                raise WarehouseError(
                    f"warehouse {self.url} is in use by process {held.group(1)} (a run or backfill): "
                    "wait for it to finish; `nbaprops backfill --status` works meanwhile"
                ) from exc
            raise WarehouseError(f"cannot open warehouse {self.url}: {exc}") from exc
        self._local = threading.local()
        self._write_lock = threading.RLock()
        """Writes are serialised across threads (reads are not): concurrent writers on one
        DuckDB database were seen to corrupt a string segment under load; SQL models are
        computed outside the lock and only the replace itself holds it."""
        self._known: dict[str, list[str]] = {}
        """Column lists of tables known to exist (dropped on any schema change we make)."""
        if not read_only:
            self._conn.execute(PARTITIONS_DDL)

    # --- connections ----------------------------------------------------
    @property
    def _cur(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._conn.cursor()
            self._local.cur = cur
        return cur

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cur = self._cur
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")

    # --- writes ---------------------------------------------------------
    def write_partition(self, table: str, partition: Partition, rows: pa.Table | Query) -> WriteResult:
        """Replace one partition atomically and return the engine's counts.

        Raises:
            DataError: a row lies outside the partition, or the rows do not fit the table.
            WarehouseError: the engine failed; the partition is unchanged.
        """
        results = self.write_partitions(table, partition.column, [partition.value], rows)
        return results[partition.key]

    def write_partitions(
        self, table: str, column: str, values: Sequence[PartitionValue], rows: pa.Table | Query
    ) -> dict[str, WriteResult]:
        """Replace several partitions of one table in one transaction.

        Every row must fall in one of `values`; partitions in `values` with no
        rows end up empty (a legitimate zero is still a write).
        """
        table, column = _ident(table), _ident(column)
        keys = [Partition(column, v).key for v in values]
        try:
            if isinstance(rows, Query):  # compute in parallel; only the replace is serialised
                rows = self._cur.sql(rows.sql, params=dict(rows.params)).to_arrow_table()
            with self._write_lock:
                return self._replace(table, column, values, keys, rows)
        except duckdb.Error as exc:
            raise WarehouseError(f"write to {table} failed, partition unchanged: {exc}") from exc

    def _replace(
        self, table: str, column: str, values: Sequence[PartitionValue], keys: list[str], rows: pa.Table
    ) -> dict[str, WriteResult]:
        """The replace itself, under the write lock: one transaction, engine counts."""
        have = self.columns(table)
        if not have or set(rows.column_names) - set(have):
            self._ensure_table(table, rows)
        within, bounds = among(column, values, "vals")  # costs what the partitions hold
        with self._transaction() as cur:
            cur.register(_ROWS, rows)
            if column not in self._columns(cur, table):
                raise DataError(f"{table} has no partition column {column!r}")
            outside = cur.execute(
                f"SELECT count(*) FROM {_ROWS} WHERE {column} IS NULL OR NOT list_contains($vals, {column})",
                {"vals": list(values)},
            ).fetchone()
            if outside and outside[0]:
                raise DataError(
                    f"{outside[0]} rows for {table} fall outside partition(s) "
                    f"{', '.join(keys[:3])}{'...' if len(keys) > 3 else ''}"
                )
            before = dict(
                cur.execute(
                    f"SELECT {column}, count(*) FROM {table} WHERE {within} GROUP BY 1", bounds
                ).fetchall()
            )
            cur.execute(f"DELETE FROM {table} WHERE {within}", bounds)
            inserted = cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {_ROWS}").fetchone()
            total = int(inserted[0]) if inserted else 0
            per = {
                r[0]: (int(r[1]), str(r[2]))
                for r in cur.execute(
                    f"SELECT {column}, count(*), {_CHECKSUM} FROM {table} t WHERE {within} GROUP BY 1",
                    bounds,
                ).fetchall()
            }
            if sum(n for n, _ in per.values()) != total:
                raise WarehouseError(
                    f"{table}: engine inserted {total} rows but the partitions hold "
                    f"{sum(n for n, _ in per.values())}"
                )
            self._record_partitions(cur, table, keys, values, per)
            cur.unregister(_ROWS)
        out: dict[str, WriteResult] = {}
        for value, key in zip(values, keys, strict=True):
            n, chk = per.get(value, (0, "0:0"))
            out[key] = WriteResult(table, key, int(n), int(before.get(value, 0)), chk)
        return out

    @staticmethod
    def _record_partitions(
        cur: duckdb.DuckDBPyConnection,
        table: str,
        keys: Sequence[str],
        values: Sequence[PartitionValue],
        per: Mapping[Any, tuple[int, str]],
    ) -> None:
        """Keep the partition catalog in step with the data, in the same transaction."""
        cur.execute(
            f"DELETE FROM {PARTITIONS} WHERE table_name = $t AND list_contains($k, partition)",
            {"t": table, "k": list(keys)},
        )
        counts = [per.get(v, (0, "0:0")) for v in values]
        cur.execute(  # one statement for the batch (executemany is a round trip per row)
            f"INSERT INTO {PARTITIONS} SELECT $t, unnest($k), unnest($n), unnest($c), now()",
            {"t": table, "k": list(keys), "n": [n for n, _ in counts], "c": [c for _, c in counts]},
        )

    def partition_state(self, table: str) -> dict[str, tuple[int, str]]:
        """The catalog's (rows, checksum) per partition of a table, as last written."""
        if not self.has_table(PARTITIONS):
            return {}
        got = self.rows(
            f"SELECT partition, rows, checksum FROM {PARTITIONS} WHERE table_name = $t", {"t": table}
        )
        return {p: (int(n), c) for p, n, c in got}

    def _ensure_table(self, table: str, rows: pa.Table) -> None:
        """Create the table, or add new columns, in a short transaction of its own.

        An empty table (or a new NULL column) is safe to commit on its own; the caller holds
        the write lock.
        """
        cur = self._cur
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.register(_ROWS, rows)
            existing = self._columns(cur, table)
            if not existing:
                cur.execute(f"CREATE TABLE {table} AS SELECT * FROM {_ROWS} LIMIT 0")
            else:
                described = cur.execute(f"DESCRIBE SELECT * FROM {_ROWS}").fetchall()
                for name, dtype, *_ in described:
                    if name not in existing:
                        cur.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {dtype}')
            cur.unregister(_ROWS)
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")
        self._known.pop(table, None)

    @staticmethod
    def _columns(cur: duckdb.DuckDBPyConnection, table: str) -> list[str]:
        return [
            r[0]
            for r in cur.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = $t AND table_schema = 'main' ORDER BY ordinal_position",
                {"t": table},
            ).fetchall()
        ]

    # --- reads ----------------------------------------------------------
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a read query and return an Arrow table."""
        try:
            return self._cur.sql(sql, params=dict(params or {})).to_arrow_table()
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {exc}") from exc

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read query and return plain tuples (small results)."""
        try:
            return self._cur.execute(sql, dict(params or {})).fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {exc}") from exc

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement (DDL, ledger bookkeeping)."""
        if not sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self._known.clear()  # DDL may change any table's columns
        try:
            with self._write_lock:
                self._cur.execute(sql, dict(params or {}))
        except duckdb.Error as exc:
            raise WarehouseError(f"statement failed: {exc}") from exc

    def has_table(self, table: str) -> bool:
        """Whether the table exists."""
        return bool(self.columns(table))

    def columns(self, table: str) -> list[str]:
        """The table's columns, in order ([] if absent; cached once the table exists)."""
        cols = self._known.get(table)
        if cols is None:
            cols = self._columns(self._cur, table)
            if cols:
                self._known[table] = cols
        return list(cols)

    def count(self, table: str, partition: Partition | None = None) -> int:
        """Rows in a table or one partition (0 if the table does not exist)."""
        if not self.has_table(_ident(table)):
            return 0
        if partition is None:
            got = self.rows(f"SELECT count(*) FROM {table}")
        else:
            got = self.rows(
                f"SELECT count(*) FROM {table} WHERE {_ident(partition.column)} = $v",
                {"v": partition.value},
            )
        return int(got[0][0])

    def counts_by(self, table: str, column: str) -> dict[str, int]:
        """Rows per partition value ({} if the table does not exist)."""
        if not self.has_table(_ident(table)):
            return {}
        got = self.rows(f"SELECT {_ident(column)}, count(*) FROM {table} GROUP BY 1")
        return {Partition(column, v).key: int(n) for v, n in got}

    def checksum(self, table: str, partition: Partition | None = None) -> str:
        """Order-independent checksum ``<sum of row hashes>:<rows>``."""
        if not self.has_table(_ident(table)):
            return "0:0"
        if partition is None:
            return str(self.rows(_checksum_sql(table))[0][0])
        where = f"WHERE {_ident(partition.column)} = $v"
        return str(self.rows(_checksum_sql(table, where), {"v": partition.value})[0][0])

    def close(self) -> None:
        """Close the database."""
        self._conn.close()
