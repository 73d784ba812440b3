"""Storage: the warehouse (DuckDB embedded, BigQuery in production) and the raw store."""

from __future__ import annotations

from nbaprops.core.errors import ConfigError
from nbaprops.storage.duckdb_warehouse import DuckDBWarehouse
from nbaprops.storage.rawstore import RawStore, StoredPayload
from nbaprops.storage.warehouse import Partition, Query, Warehouse, WriteResult

__all__ = [
    "DuckDBWarehouse",
    "Partition",
    "Query",
    "RawStore",
    "StoredPayload",
    "Warehouse",
    "WriteResult",
    "open_warehouse",
]


def open_warehouse(url: str, *, read_only: bool = False, threads: int | None = None) -> Warehouse:
    """Open the warehouse a URL names.

    Args:
        url: a DuckDB file path (or ``:memory:``), or ``bigquery://project/dataset``.
        read_only: open without write access.
        threads: DuckDB worker threads.

    Raises:
        ConfigError: for a BigQuery URL (the adapter is not part of this release).
    """
    if url.startswith("bigquery://"):
        raise ConfigError(
            f"warehouse {url}: the BigQuery adapter is not implemented yet; "
            "use a DuckDB file path (the default) for now"
        )
    return DuckDBWarehouse(url, read_only=read_only, threads=threads)
