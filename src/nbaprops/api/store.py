"""Read-only access to the warehouse for the API, the dashboard and ``picks``.

DuckDB lets one process write a file, and a reader holding it open blocks that writer.
So every request opens the warehouse read-only, reads, and closes it, through
`DuckDBWarehouse.open_reading`: the writer's read snapshot when it is current or a run holds
the file (`storage.snapshot`; an older one is logged in one line), the live file otherwise.
Only a run that has not yet published a snapshot makes the open fail with a
`WarehouseError` naming the process; the API turns that into a 503 (and ``/health`` says so).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from nbaprops.core.config import Settings
from nbaprops.ops.ledger import LEDGER, MIGRATIONS
from nbaprops.ops.runner import Runner
from nbaprops.storage import DuckDBWarehouse, Warehouse, open_warehouse
from nbaprops.storage.queries.ledger import LEDGER_DDL

__all__ = ["read_runner", "reading"]

log = logging.getLogger(__name__)


@contextmanager
def reading(settings: Settings) -> Iterator[Warehouse]:
    """The warehouse opened read-only for the duration of one read.

    Raises:
        WarehouseError: no warehouse yet, or a writer holds the file.
    """
    wh = open_warehouse(settings.warehouse_url, read_only=True, threads=settings.duckdb_threads)
    _say(wh)
    try:
        yield wh
    finally:
        wh.close()


def _say(wh: Warehouse) -> None:
    """Log the one line saying a read comes from an older snapshot (a run is writing)."""
    note = getattr(wh, "read_note", None)
    if note:
        log.info(note)


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
    wh = _LedgerReadOnly.open_reading(settings.warehouse_url, threads=settings.duckdb_threads)
    _say(wh)
    try:
        yield Runner(settings=settings, warehouse=wh)
    finally:
        wh.close()
