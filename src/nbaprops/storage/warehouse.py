"""The warehouse interface every engine implements.

A table is written one *partition* at a time: `write_partition` replaces all
rows whose partition column equals the partition value, atomically, and
reports the number of rows the engine itself says it inserted.  That count is
the only one the run ledger trusts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias

import pyarrow as pa

__all__ = ["Partition", "PartitionValue", "Query", "Warehouse", "WriteResult", "among"]

PartitionValue: TypeAlias = dt.date | str


def among(column: str, values: Sequence[Any], name: str) -> tuple[str, dict[str, Any]]:
    """A SQL condition "column is one of values" (bound as $name...) that prunes storage.

    A list test alone makes the engine read the whole table; the BETWEEN on the list's
    bounds lets it skip row groups by their min/max, so a filter on a few dates costs
    what those dates hold, not what the table holds.  `values` must not be empty.
    """
    return (
        f"{column} BETWEEN ${name}_lo AND ${name}_hi AND list_contains(${name}, {column})",
        {name: list(values), f"{name}_lo": min(values), f"{name}_hi": max(values)},
    )


@dataclass(frozen=True)
class Partition:
    """One slice of a table: the rows whose `column` equals `value`."""

    column: str
    value: PartitionValue

    @property
    def key(self) -> str:
        """The value as the ledger stores it (ISO date or season string)."""
        return self.value.isoformat() if isinstance(self.value, dt.date) else self.value


@dataclass(frozen=True)
class Query:
    """A SELECT to be materialised inside the engine (no round trip via Python)."""

    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult:
    """What the engine reported for one partition write."""

    table: str
    partition: str
    rows_written: int
    """Rows inserted, as counted by the engine in the write transaction."""
    rows_replaced: int
    """Rows deleted from the partition before the insert."""
    checksum: str
    """Order-independent content checksum of the partition after the write."""


class Warehouse(Protocol):
    """What processors and the operations layer may ask of a warehouse."""

    url: str

    def write_partition(self, table: str, partition: Partition, rows: pa.Table | Query) -> WriteResult:
        """Replace one partition atomically; return the engine's counts."""
        ...

    def write_partitions(
        self, table: str, column: str, values: Sequence[PartitionValue], rows: pa.Table | Query
    ) -> dict[str, WriteResult]:
        """Replace several partitions of one table in one transaction."""
        ...

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a read query; return an Arrow table."""
        ...

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read query; return plain tuples (small results)."""
        ...

    def partition_state(self, table: str) -> dict[str, tuple[int, str]]:
        """(rows, checksum) per partition of a table, as recorded by the last writes."""
        ...

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement that returns nothing (DDL, ledger updates)."""
        ...

    def count(self, table: str, partition: Partition | None = None) -> int:
        """Rows in a table, or in one partition of it (0 if the table is absent)."""
        ...

    def counts_by(self, table: str, column: str) -> dict[str, int]:
        """Rows per partition value of a table ({} if the table is absent)."""
        ...

    def checksum(self, table: str, partition: Partition | None = None) -> str:
        """Order-independent content checksum of a table or partition."""
        ...

    def has_table(self, table: str) -> bool:
        """Whether the table exists."""
        ...

    def columns(self, table: str) -> list[str]:
        """The table's column names, in order ([] if absent)."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...
