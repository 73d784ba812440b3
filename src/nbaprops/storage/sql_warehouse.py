"""Engine-neutral warehouse operations, written once over three primitives.

An engine adapter implements `rows`, `execute` and `query` (plus `columns`, `close` and its
write path, `write_partitions`); everything else a `Warehouse` offers is here, written with
the DuckDB-dialect constants of `nbaprops.storage.queries`, so an adapter that transpiles
them (sqlglot) inherits the partition catalog, input-hash sums, the run ledger's bulk
writes and write-time audits.  Engine quirks are small overrides: `checksum` (row hashes,
DuckDB's ``hash``) is the only one today.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from nbaprops.core.errors import AuditError
from nbaprops.storage.ledger_rows import LedgerClose, LedgerEntry
from nbaprops.storage.queries import catalog as q
from nbaprops.storage.queries import ledger as ql
from nbaprops.storage.warehouse import (
    Audit,
    KeyRange,
    Partition,
    PartitionValue,
    Query,
    WriteResult,
    among,
    ident,
)

__all__ = ["PARTITIONS", "SQLWarehouse", "catalog_digest"]

PARTITIONS = "ops_partitions"
"""Catalog of every written partition: rows, checksum and digest, updated with the data."""
_ERROR_CHARS = 2000


def catalog_digest(partition: str, checksum: str) -> int:
    """A 40-bit fingerprint of one catalogued partition (sums of it stay inside BIGINT)."""
    return int.from_bytes(hashlib.blake2b(f"{partition}|{checksum}".encode(), digest_size=5).digest())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _first_line(text: str | None) -> str | None:
    return (text.splitlines() or ["failed"])[0][:_ERROR_CHARS] if text else text


class SQLWarehouse(ABC):
    """The shared half of every warehouse adapter (see the module docstring)."""

    url: str

    # --- primitives an engine implements ----------------------------------
    @abstractmethod
    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read query; return plain tuples."""

    @abstractmethod
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement that returns nothing."""

    @abstractmethod
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a read query; return an Arrow table."""

    @abstractmethod
    def columns(self, table: str) -> list[str]:
        """The table's column names, in order ([] if absent)."""

    @abstractmethod
    def write_partitions(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        rows: pa.Table | Query,
        *,
        audits: Sequence[Audit] = (),
    ) -> dict[str, WriteResult]:
        """Replace several partitions of one table in one transaction."""

    # --- writes ---------------------------------------------------------
    def write_partition(
        self, table: str, partition: Partition, rows: pa.Table | Query, *, audits: Sequence[Audit] = ()
    ) -> WriteResult:
        """Replace one partition atomically and return the engine's counts.

        Raises:
            DataError: a row lies outside the partition, or the rows do not fit the table.
            AuditError: an audit found a bad row; the partition is unchanged.
            WarehouseError: the engine failed; the partition is unchanged.
        """
        return self.write_partitions(table, partition.column, [partition.value], rows, audits=audits)[
            partition.key
        ]

    def _run_audits(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        audits: Sequence[Audit],
        *,
        query: Callable[[str, Mapping[str, Any]], pa.Table] | None = None,
    ) -> None:
        """Run audits over the partitions being written (inside the write's transaction:
        an engine whose transaction lives in a session passes its own `query`).

        Raises:
            AuditError: naming table, partition, audit and the first bad row found.
        """
        if not audits:
            return
        within, bounds = among(ident(column), values, "vals")
        for audit in audits:
            body = audit.sql.strip().rstrip(";")
            sql = f"SELECT * FROM (\n{body}\n) AS bad WHERE {within} LIMIT 1"
            got = (query or self.query)(sql, bounds)
            if got.num_rows:
                row = got.to_pylist()[0]
                value = row.get(column)
                key = Partition(column, value).key if value is not None else "?"
                sample = ", ".join(f"{k}={v}" for k, v in row.items())
                raise AuditError(f"audit {audit.name} failed on {table} partition {key}: bad row {sample}")

    def _record_catalog(
        self,
        table: str,
        values: Sequence[PartitionValue],
        keys: Sequence[str],
        per: Mapping[Any, tuple[int, str]],
        *,
        execute: Callable[[str, Mapping[str, Any]], object] | None = None,
    ) -> None:
        """Keep the partition catalog in step with the data (call inside the write; an engine
        whose transaction lives in a session passes its own `execute`)."""
        run = execute or self.execute
        run(q.CATALOG_DELETE, {"t": table, "k": list(keys)})
        counts = [per.get(v, (0, "0:0")) for v in values]
        run(
            q.CATALOG_INSERT,
            {
                "t": table,
                "k": list(keys),
                "n": [n for n, _ in counts],
                "c": [c for _, c in counts],
                "d": [catalog_digest(k, c) for k, (_, c) in zip(keys, counts, strict=True)],
            },
        )

    def _open_catalog(self) -> None:
        """Create (or migrate) the catalog: older ones get their digests filled in."""
        self.execute(q.PARTITIONS_DDL)
        self.execute(q.PARTITIONS_ADD_DIGEST)
        old = self.rows(q.PARTITIONS_WITHOUT_DIGEST)
        if old:
            self.execute(
                q.PARTITIONS_SET_DIGEST,
                {
                    "t": [t for t, _, _ in old],
                    "k": [k for _, k, _ in old],
                    "d": [catalog_digest(k, c) for _, k, c in old],
                },
            )

    # --- the partition catalog --------------------------------------------
    def partition_state(self, table: str) -> dict[str, tuple[int, str]]:
        """The catalog's (rows, checksum) per partition of a table, as last written."""
        if not self.has_table(PARTITIONS):
            return {}
        return {p: (int(n), c) for p, n, c in self.rows(q.PARTITION_STATE, {"t": table})}

    def catalog_sums(self, table: str, ranges: Sequence[KeyRange]) -> list[tuple[int, int]]:
        """(digest sum, rows) of a table's non-empty catalogued partitions in each range.

        Everything below the lowest bound any range names is summed by the engine into one
        row, so a batch late in a long backfill reads a few catalog rows, not the history.
        """
        if not ranges or not self.has_table(PARTITIONS):
            return [(0, 0)] * len(ranges)
        bounds = [b for r in ranges if not r.empty for b in (r.low, r.high) if b is not None]
        floor = min(bounds, default=None)
        base_sum, base_rows = 0, 0
        if floor is not None:
            s, n = self.rows(q.CATALOG_SUM_BELOW, {"t": table, "floor": floor})[0]
            base_sum, base_rows = int(s), int(n)
            cat = self.rows(q.CATALOG_FROM, {"t": table, "floor": floor})
        else:
            cat = self.rows(q.CATALOG_ALL, {"t": table})
        entries = sorted((str(k), int(d), int(n)) for k, d, n in cat)
        keys = [k for k, _, _ in entries]
        sums, counts = [base_sum], [base_rows]
        for _, d, n in entries:
            sums.append(sums[-1] + d)
            counts.append(counts[-1] + n)
        out = []
        for r in ranges:
            if r.empty:
                out.append((0, 0))
                continue
            i = 0 if r.low is None else bisect.bisect_left(keys, r.low)
            cut = bisect.bisect_right if r.include_high else bisect.bisect_left
            j = len(keys) if r.high is None else cut(keys, r.high)
            s_lo, n_lo = (0, 0) if r.low is None else (sums[i], counts[i])
            out.append((sums[j] - s_lo, counts[j] - n_lo) if j >= i else (0, 0))
        return out

    # --- table reads ----------------------------------------------------
    def has_table(self, table: str) -> bool:
        """Whether the table exists."""
        return bool(self.columns(table))

    def count(self, table: str, partition: Partition | None = None) -> int:
        """Rows in a table or one partition (0 if the table does not exist)."""
        if not self.has_table(ident(table)):
            return 0
        if partition is None:
            return int(self.rows(q.TABLE_COUNT.format(table=table))[0][0])
        sql = q.PARTITION_COUNT.format(table=table, column=ident(partition.column))
        return int(self.rows(sql, {"v": partition.value})[0][0])

    def counts_by(self, table: str, column: str) -> dict[str, int]:
        """Rows per partition value ({} if the table does not exist)."""
        if not self.has_table(ident(table)):
            return {}
        got = self.rows(q.COUNTS_BY.format(table=table, column=ident(column)))
        return {Partition(column, v).key: int(n) for v, n in got}

    def checksum(self, table: str, partition: Partition | None = None) -> str:
        """Order-independent checksum ``<sum of row hashes>:<rows>`` (DuckDB's ``hash``:
        another engine overrides this)."""
        if not self.has_table(ident(table)):
            return "0:0"
        if partition is None:
            return str(self.rows(q.TABLE_CHECKSUM.format(table=table))[0][0])
        sql = q.PARTITION_CHECKSUM.format(table=table, column=ident(partition.column))
        return str(self.rows(sql, {"v": partition.value})[0][0])

    # --- the run ledger's bulk writes --------------------------------------
    def ledger_insert(self, entries: Sequence[LedgerEntry]) -> None:
        """Insert new ledger rows of any status in one statement (no NULL inside the bound
        lists: the SQL turns '' and 0 back into NULL)."""
        if not entries:
            return
        self.execute(
            ql.LEDGER_INSERT,
            {
                "run_id": [e.run_id for e in entries],
                "processor": [e.processor for e in entries],
                "partition": [e.partition for e in entries],
                "status": [e.status for e in entries],
                "input_hash": [e.input_hash for e in entries],
                "code_version": [e.code_version for e in entries],
                "error": [_first_line(e.error) or "" for e in entries],
                "attempt": [e.attempt or 0 for e in entries],
                "forced": [bool(e.forced) for e in entries],
                "note": [e.note or "" for e in entries],
                "code_hash": [e.code_hash or "" for e in entries],
                "pid": [e.pid or 0 for e in entries],
                "host": [e.host or "" for e in entries],
                "run_group": [e.run_group or "" for e in entries],
                "t": entries[0].at,
            },
        )

    def ledger_close(self, closes: Sequence[LedgerClose]) -> None:
        """Close running ledger rows (success with the engine's counts, or failed), one
        statement (no NULL inside the bound lists: -1 and '' stand for none)."""
        if not closes:
            return

        def num(v: int | None) -> int:
            return -1 if v is None else int(v)

        res = [c.result for c in closes]
        self.execute(
            ql.LEDGER_CLOSE,
            {
                "r": [c.run_id for c in closes],
                "status": [c.status for c in closes],
                "w": [num(r.rows_written) if r else -1 for r in res],
                "d": [num(r.rows_replaced) if r else -1 for r in res],
                "c": [r.checksum if r else "" for r in res],
                "i": [num(c.rows_in) if r else -1 for c, r in zip(closes, res, strict=True)],
                "e": [bool(c.expected_zero) for c in closes],
                "s": [bool(c.suspicious) for c in closes],
                "err": [
                    "" if r else (_first_line(c.error) or "failed") for c, r in zip(closes, res, strict=True)
                ],
                "n": [c.note or "" for c in closes],
                "t": _now(),
            },
        )
