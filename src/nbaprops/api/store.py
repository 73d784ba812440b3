"""Read-only access to the warehouse for the API, the dashboard and ``picks``.

DuckDB lets one process write a file, and a reader holding it open blocks that writer.
So every request opens the file read-only, reads, and closes it: the pipeline can start
between two requests.  While a writer holds the file the open fails with a
`WarehouseError` naming the process; the API turns that into a 503 (and ``/health`` says so).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from nbaprops.core.config import Settings
from nbaprops.ops.ledger import LEDGER, MIGRATIONS
from nbaprops.ops.runner import Runner
from nbaprops.storage import DuckDBWarehouse, Warehouse, open_warehouse
from nbaprops.storage.queries.ledger import LEDGER_DDL

__all__ = ["read_runner", "reading"]


@contextmanager
def reading(settings: Settings) -> Iterator[Warehouse]:
    """The warehouse opened read-only for the duration of one read.

    Raises:
        WarehouseError: no warehouse yet, or a writer holds the file.
    """
    wh = open_warehouse(settings.warehouse_url, read_only=True, threads=settings.duckdb_threads)
    try:
        yield wh
    finally:
        wh.close()


class _LedgerReadOnly(DuckDBWarehouse):
    """A read-only DuckDB warehouse on which the ledger's own set-up is a no-op.

    `Runner` (needed by ``validate``) prepares its ledger on open (``CREATE TABLE IF NOT
    EXISTS`` and migrations); on a read-only file with a ledger there is nothing to do.
    Any other statement still fails as a read-only file must.
    """

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Skip the ledger's set-up statements when the ledger exists; run anything else."""
        if sql in (LEDGER_DDL, *MIGRATIONS) and self.has_table(LEDGER):
            return
        super().execute(sql, params)


@contextmanager
def read_runner(settings: Settings) -> Iterator[Runner]:
    """A `Runner` over the read-only warehouse, for ``validate`` (it never runs anything).

    Raises:
        WarehouseError: no warehouse or no ledger yet, or a writer holds the file.
    """
    wh = _LedgerReadOnly(settings.warehouse_url, read_only=True, threads=settings.duckdb_threads)
    try:
        yield Runner(settings=settings, warehouse=wh)
    finally:
        wh.close()
