"""The embedded default: one DuckDB file."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import duckdb
import pyarrow as pa

from nbaprops.core.errors import DataError, WarehouseError
from nbaprops.storage.queries import catalog as q
from nbaprops.storage.snapshot import (
    PUBLISH_EVERY_S,
    Publisher,
    WarehouseLocked,
    connect,
    lock_holder,
    open_reading,
)
from nbaprops.storage.sql_warehouse import PARTITIONS, SQLWarehouse
from nbaprops.storage.warehouse import Audit, Partition, PartitionValue, Query, WriteResult, among, ident

__all__ = ["PARTITIONS", "DuckDBWarehouse"]

_ROWS = "__nbaprops_rows"
_SAFE_TYPE = re.compile(r"^[A-Za-z0-9_ (),\[\]]+$")
"""A column type DuckDB describes for new data: no quotes, no statement separators."""

# DuckDB-only statements of the write path (the engine's own; not shared with other engines)
_STAGED_OUTSIDE = (
    f"SELECT count(*) FROM {_ROWS} WHERE {{column}} IS NULL OR NOT list_contains($vals, {{column}})"
)
_STAGED_INSERT = f"INSERT INTO {{table}} BY NAME SELECT * FROM {_ROWS}"
_STAGED_CREATE = f"CREATE TABLE {{table}} AS SELECT * FROM {_ROWS} LIMIT 0"
_STAGED_DESCRIBE = f"DESCRIBE SELECT * FROM {_ROWS}"
_ADD_COLUMN = "ALTER TABLE {table} ADD COLUMN {column} {type}"


def _checked_columns(table: str, rows: pa.Table) -> None:
    """Refuse data whose column names could not be table columns (before anything is written)."""
    for name in rows.column_names:
        ident(name, what="column", where=f"the rows for {table}")


def _closing(conn: duckdb.DuckDBPyConnection, snapshots: Publisher | None, lock: threading.RLock) -> None:
    """Publish a writer's final read snapshot, then close its database."""
    if snapshots:
        with lock:
            snapshots.final(conn.cursor())
    conn.close()
    if snapshots:
        snapshots.release()  # only now: closing it earlier would drop DuckDB's file lock


class DuckDBWarehouse(SQLWarehouse):
    """A warehouse in one DuckDB file (or ``:memory:``).

    Threads share one database through per-thread cursors, so a worker pool in
    one process can read and write concurrently; DuckDB serialises commits.

    Args:
        path: the database file; its folder is created.
        read_only: open without write access (``nbaprops sql``).
        threads: DuckDB worker threads (default: all cores).
        snapshot_every: a writer on a file publishes its read snapshot (`storage.snapshot`)
            at most this often in seconds, and when it closes; None: never.
    """

    read_note: str | None = None
    """Set by `open_reading` when what is read is an older snapshot (one line saying so)."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        threads: int | None = None,
        snapshot_every: float | None = PUBLISH_EVERY_S,
    ):
        self.url = str(path)
        if self.url != ":memory:":
            if read_only and not Path(self.url).exists():
                raise WarehouseError(f"no warehouse at {self.url}: run the pipeline first")
            Path(self.url).parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        try:
            self._conn = connect(self.url, read_only=read_only, config=config)
        except duckdb.Error as exc:
            held = lock_holder(exc)
            if held is not None:  # DuckDB allows one writing process (readers read its snapshot)
                raise WarehouseLocked(
                    f"warehouse {self.url} is in use by process {held} (a run or backfill): "
                    "wait for it to finish; `nbaprops backfill --status` works meanwhile",
                    held,
                ) from exc
            raise WarehouseError(f"cannot open warehouse {self.url}: {exc}") from exc
        self._snapshots = (
            Publisher(Path(self.url), snapshot_every)
            if snapshot_every is not None and not read_only and self.url != ":memory:"
            else None
        )
        self._local = threading.local()
        self._write_lock = threading.RLock()
        """Writes are serialised across threads (reads are not): concurrent writers on one
        DuckDB database were seen to corrupt a string segment under load; SQL models are
        computed outside the lock and only the replace itself holds it."""
        self._known: dict[str, list[str]] = {}
        """Column lists of tables known to exist (dropped on any schema change we make); a
        writer also remembers absent tables (``[]``): it holds the file's only write lock, so
        no one else can create them."""
        self._read_only = read_only
        if not read_only:
            self._open_catalog()
        self._closer = weakref.finalize(self, _closing, self._conn, self._snapshots, self._write_lock)
        """Closes the database once: at `close`, when collected, or at interpreter exit (so a
        run that never closes its warehouse still publishes its final snapshot)."""

    @classmethod
    def open_reading(cls, path: str | Path, *, threads: int | None = None) -> Self:
        """Open for reading without taking a running writer's lock: the live file, or the
        writer's read snapshot (`storage.snapshot`); `read_note` says when it is an older one.

        Raises:
            WarehouseError: no warehouse yet; a writer holds it and has published no snapshot.
        """
        if str(path) == ":memory:":
            return cls(path, read_only=True, threads=threads)
        if not Path(path).exists():
            raise WarehouseError(f"no warehouse at {path}: run the pipeline first")
        wh, note = open_reading(path, lambda p: cls(p, read_only=True, threads=threads))
        wh.url, wh.read_note = str(path), note
        return wh

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
        self._local.in_transaction = True  # no snapshot is published inside it
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        finally:
            self._local.in_transaction = False
        cur.execute("COMMIT")

    # --- writes ---------------------------------------------------------
    def write_partitions(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        rows: pa.Table | Query,
        *,
        audits: Sequence[Audit] = (),
    ) -> dict[str, WriteResult]:
        """Replace several partitions of one table in one transaction.

        Every row must fall in one of `values`; partitions in `values` with no
        rows end up empty (a legitimate zero is still a write).  `audits` run inside the
        transaction over those partitions; a bad row rolls everything back.

        Raises:
            DataError: bad identifiers, rows outside the partitions, rows that do not fit.
            AuditError: an audit found a bad row; the partitions are unchanged.
            WarehouseError: the engine failed; the partitions are unchanged.
        """
        table = ident(table, what="table")
        column = ident(column, what="partition column", where=table)
        keys = [Partition(column, v).key for v in values]
        try:
            if isinstance(rows, Query):  # compute in parallel; only the replace is serialised
                rows = self._cur.sql(rows.sql, params=dict(rows.params)).to_arrow_table()
            _checked_columns(table, rows)
            with self._write_lock:
                out = self._replace(table, column, values, keys, rows, audits)
                if self._snapshots:
                    self._snapshots.wrote(self._cur)
                return out
        except duckdb.Error as exc:
            raise WarehouseError(f"write to {table} failed, partition unchanged: {exc}") from exc

    def _replace(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        keys: list[str],
        rows: pa.Table,
        audits: Sequence[Audit],
    ) -> dict[str, WriteResult]:
        """The replace itself, under the write lock: one transaction, engine counts."""
        have = self.columns(table)
        if not have or set(rows.column_names) - set(have):
            self._ensure_table(table, rows)
        _, bounds = among(column, values, "vals")  # costs what the partitions hold
        named = {"table": table, "column": column}
        with self._transaction() as cur:
            cur.register(_ROWS, rows)
            if column not in self._columns(cur, table):
                raise DataError(f"{table} has no partition column {column!r}")
            outside = cur.execute(_STAGED_OUTSIDE.format(**named), {"vals": list(values)}).fetchone()
            if outside and outside[0]:
                raise DataError(
                    f"{outside[0]} rows for {table} fall outside partition(s) "
                    f"{', '.join(keys[:3])}{'...' if len(keys) > 3 else ''}"
                )
            before = dict(cur.execute(q.PARTITION_COUNTS.format(**named), bounds).fetchall())
            cur.execute(q.PARTITIONS_DELETE.format(**named), bounds)
            inserted = cur.execute(_STAGED_INSERT.format(**named)).fetchone()
            total = int(inserted[0]) if inserted else 0
            per = {
                r[0]: (int(r[1]), str(r[2]))
                for r in cur.execute(q.PARTITION_CHECKSUMS.format(**named), bounds).fetchall()
            }
            if sum(n for n, _ in per.values()) != total:
                raise WarehouseError(
                    f"{table}: engine inserted {total} rows but the partitions hold "
                    f"{sum(n for n, _ in per.values())}"
                )
            cur.unregister(_ROWS)
            self._run_audits(table, column, values, audits)
            self._record_catalog(table, values, keys, per)
        out: dict[str, WriteResult] = {}
        for value, key in zip(values, keys, strict=True):
            n, chk = per.get(value, (0, "0:0"))
            out[key] = WriteResult(table, key, int(n), int(before.get(value, 0)), chk)
        return out

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
                cur.execute(_STAGED_CREATE.format(table=table))
            else:
                described = cur.execute(_STAGED_DESCRIBE).fetchall()
                for name, dtype, *_ in described:
                    if name not in existing:
                        if not _SAFE_TYPE.match(str(dtype)):
                            raise DataError(
                                f"column {name!r} for {table} has an unsafe type {dtype!r}: refused"
                            )
                        cur.execute(
                            _ADD_COLUMN.format(table=table, column=ident(name, what="column"), type=dtype)
                        )
            cur.unregister(_ROWS)
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        cur.execute("COMMIT")
        self._known.pop(table, None)

    @staticmethod
    def _columns(cur: duckdb.DuckDBPyConnection, table: str) -> list[str]:
        return [r[0] for r in cur.execute(q.TABLE_COLUMNS, {"t": table}).fetchall()]

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
                if self._snapshots and not getattr(self._local, "in_transaction", False):
                    self._snapshots.wrote(self._cur)
        except duckdb.Error as exc:
            raise WarehouseError(f"statement failed: {exc}") from exc

    def columns(self, table: str) -> list[str]:
        """The table's columns, in order ([] if absent; cached once the table exists)."""
        cols = self._known.get(table)
        if cols is None:
            cols = self._columns(self._cur, table)
            if cols or not self._read_only:
                self._known[table] = cols
        return list(cols)

    def publish_snapshot(self) -> None:
        """Publish the read snapshot now (a writer on a file; no-op otherwise)."""
        if self._snapshots:
            with self._write_lock:
                self._snapshots.now(self._cur)

    def close(self) -> None:
        """Close the database (a writer publishes its read snapshot first)."""
        self._snapshots = None
        self._closer()
