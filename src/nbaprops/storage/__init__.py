"""Storage: the warehouse (DuckDB embedded, BigQuery in production) and the raw store."""

from __future__ import annotations

from nbaprops.core.config import Settings, get_settings
from nbaprops.core.errors import ConfigError
from nbaprops.storage.duckdb_warehouse import DuckDBWarehouse
from nbaprops.storage.ledger_rows import LedgerClose, LedgerEntry
from nbaprops.storage.rawstore import RawStore, StoredPayload
from nbaprops.storage.sql_warehouse import SQLWarehouse
from nbaprops.storage.warehouse import Audit, KeyRange, Partition, Query, Warehouse, WriteResult

__all__ = [
    "Audit",
    "DuckDBWarehouse",
    "KeyRange",
    "LedgerClose",
    "LedgerEntry",
    "Partition",
    "Query",
    "RawStore",
    "SQLWarehouse",
    "StoredPayload",
    "Warehouse",
    "WriteResult",
    "open_warehouse",
]


def open_warehouse(
    url: str,
    *,
    read_only: bool = False,
    threads: int | None = None,
    settings: Settings | None = None,
) -> Warehouse:
    """Open the warehouse a URL names.

    Args:
        url: a DuckDB file path (or ``:memory:``), or ``bigquery://project/dataset``.
        read_only: open without write access; on DuckDB, while a run writes, its read snapshot
            (`storage.snapshot`; ``read_note`` says so).
        threads: DuckDB worker threads.
        settings: where the BigQuery client settings come from (default: the environment).

    Raises:
        ConfigError: a BigQuery URL without the ``gcp`` extra installed, or a malformed one.
    """
    if url.startswith("bigquery://"):
        try:
            from nbaprops.storage.bigquery import BigQueryWarehouse
        except ImportError as exc:
            raise ConfigError(
                f"warehouse {url}: BigQuery needs the gcp extra (pip install 'nbaprops[gcp]'): {exc}"
            ) from exc
        bq = (settings or get_settings()).bigquery
        return BigQueryWarehouse(url, api_endpoint=bq.api_endpoint, location=bq.location, read_only=read_only)
    if read_only:  # never takes a running writer's lock: its read snapshot instead
        return DuckDBWarehouse.open_reading(url, threads=threads)
    return DuckDBWarehouse(url, threads=threads)
