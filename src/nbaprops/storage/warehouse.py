"""The warehouse interface every engine implements.

A table is written one *partition* at a time: `write_partition` replaces all
rows whose partition column equals the partition value, atomically, and
reports the number of rows the engine itself says it inserted.  That count is
the only one the run ledger trusts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import pyarrow as pa

from nbaprops.core.errors import DataError

if TYPE_CHECKING:
    from nbaprops.storage.ledger_rows import LedgerClose, LedgerEntry

__all__ = [
    "IDENTIFIER",
    "Audit",
    "KeyRange",
    "Partition",
    "PartitionValue",
    "Query",
    "Warehouse",
    "WriteResult",
    "among",
    "ident",
]

PartitionValue: TypeAlias = dt.date | str

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
"""What a table or column name may be: it is the only thing ever formatted into SQL."""


def ident(name: str, *, what: str = "name", where: str = "") -> str:
    """`name`, checked to be a plain lower-case identifier (safe to put in SQL text).

    Raises:
        DataError: one line naming the bad identifier (and `where` it came from).
    """
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        place = f" in {where}" if where else ""
        raise DataError(
            f"{what} {name!r}{place} is not a valid identifier (lower-case letters, digits, _): refused"
        )
    return name


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
class KeyRange:
    """A range of partition keys (ISO dates or seasons, compared as strings).

    `low` is inclusive, `high` inclusive unless `include_high` is False; None is unbounded.
    The runner's window rule (``ops/windows.py``) turns a processor input's window into one;
    the warehouse sums the partition catalog over it (input hashes) and `condition` reads it.
    """

    low: str | None = None
    high: str | None = None
    include_high: bool = True
    empty: bool = False

    @classmethod
    def only(cls, key: str) -> KeyRange:
        """Exactly one key."""
        return cls(key, key)

    @classmethod
    def nothing(cls) -> KeyRange:
        """No key at all."""
        return cls(empty=True)

    def contains(self, key: str) -> bool:
        """Whether `key` lies in the range."""
        if self.empty or (self.low is not None and key < self.low):
            return False
        if self.high is None:
            return True
        return key <= self.high if self.include_high else key < self.high

    def condition(self, column: str, name: str = "r") -> tuple[str, dict[str, Any]]:
        """A SQL condition selecting the range on `column` (bound as ``$<name>_lo/_hi``)."""
        if self.empty:
            return "false", {}
        parts, params = [], dict[str, Any]()
        if self.low is not None:
            parts.append(f"{ident(column)} >= ${name}_lo")
            params[f"{name}_lo"] = self.low
        if self.high is not None:
            parts.append(f"{ident(column)} {'<=' if self.include_high else '<'} ${name}_hi")
            params[f"{name}_hi"] = self.high
        return (" AND ".join(parts) or "true"), params


@dataclass(frozen=True)
class Audit:
    """A SELECT returning a table's bad rows (empty = pass), run inside its writes.

    The SELECT must return the table's partition column, so a write checks only the
    partitions it replaces (convention: ``Processor.audits``, ``docs/analytics.md``).
    """

    name: str
    sql: str


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

    def write_partition(
        self, table: str, partition: Partition, rows: pa.Table | Query, *, audits: Sequence[Audit] = ()
    ) -> WriteResult:
        """Replace one partition atomically; return the engine's counts."""
        ...

    def write_partitions(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        rows: pa.Table | Query,
        *,
        audits: Sequence[Audit] = (),
    ) -> dict[str, WriteResult]:
        """Replace several partitions of one table in one transaction; an audit that finds a
        bad row in them rolls it back (`AuditError`)."""
        ...

    def catalog_sums(self, table: str, ranges: Sequence[KeyRange]) -> list[tuple[int, int]]:
        """(digest sum, rows) of a table's non-empty catalogued partitions in each range."""
        ...

    def ledger_insert(self, entries: Sequence[LedgerEntry]) -> None:
        """Insert new run-ledger rows (running, skipped or failed) in one statement."""
        ...

    def ledger_close(self, closes: Sequence[LedgerClose]) -> None:
        """Close running ledger rows (success with engine counts, or failed) in one statement."""
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
