"""A sealed SQL console on the DuckDB warehouse: read-only, no files, no network, capped, timed.

`open_console` opens the warehouse file read-only with DuckDB's external
access disabled and the configuration locked, so a console query can read the
warehouse's tables and nothing else:

- no file reads or writes outside the warehouse (``read_csv('/etc/passwd')``,
  ``COPY ... TO``, ``EXPORT DATABASE``, ``ATTACH``, ``glob``);
- no extensions (``INSTALL``/``LOAD``; autoinstall and autoload are off);
- no writes to the warehouse (``CREATE``/``INSERT``/``DELETE``/``DROP``);
- no way back (``SET``/``RESET`` of those options fails: the configuration is locked).

`SealedConsole.query` returns at most ``limit`` rows (the cap is pushed into
the query plan, so a million-row table is never fetched to print a thousand)
and interrupts the query after ``timeout`` seconds.  Every refusal is an
`InputError` of one line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from nbaprops.core.errors import ConfigError, InputError, WarehouseError
from nbaprops.storage.snapshot import WarehouseLocked, lock_holder, open_reading

__all__ = ["SEALED_CONFIG", "ConsoleResult", "SealedConsole", "open_console"]

SEALED_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}
"""DuckDB options of a console connection (``lock_configuration`` last: it freezes the rest)."""


@dataclass(frozen=True)
class ConsoleResult:
    """The first rows of a query's result."""

    table: pa.Table
    """At most ``limit`` rows."""
    more: bool
    """The result has more rows than were returned."""


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class SealedConsole:
    """One sealed read-only connection; see the module docstring.

    Args:
        conn: a connection opened by `open_console`.
        url: the warehouse file, for messages.
    """

    def __init__(self, conn: duckdb.DuckDBPyConnection, url: str, read_note: str | None = None) -> None:
        self._conn = conn
        self.url = url
        self.read_note = read_note
        """One line when what is read is an older snapshot (a run is writing)."""

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> SealedConsole:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, *, limit: int = 1000, timeout: float = 30.0) -> ConsoleResult:
        """Run one query (DuckDB dialect): its first `limit` rows, interrupted after `timeout` seconds.

        Args:
            sql: the query; the last statement's result is returned.
            limit: the row cap (at least 1).
            timeout: seconds before the query is interrupted (more than 0).

        Returns:
            The rows, and whether more were available.

        Raises:
            InputError: an empty query, a refused one (files, network, extensions,
                writes), one that does not parse or fails, or one past the timeout.
        """
        if not sql.strip():
            raise InputError("sql: the query is empty")
        if limit < 1 or timeout <= 0:
            raise InputError(
                f"sql: --limit must be at least 1 and --timeout above 0 (got {limit}, {timeout:g})"
            )
        fired = threading.Event()

        def interrupt() -> None:
            fired.set()
            self._conn.interrupt()

        timer = threading.Timer(timeout, interrupt)
        timer.daemon = True
        timer.start()
        try:
            rel = self._conn.sql(sql)
            table = rel.limit(limit + 1).to_arrow_table() if rel is not None else pa.table({})
        except duckdb.PermissionException as exc:
            raise InputError(
                f"sql: refused, the console reads only the warehouse (no files, network or extensions): "
                f"{_first_line(exc)}"
            ) from None
        except duckdb.Error as exc:
            if fired.is_set():
                raise InputError(f"sql: interrupted after the {timeout:g}s timeout (--timeout)") from None
            if "read-only mode" in str(exc) or "configuration has been locked" in str(exc):
                raise InputError(f"sql: refused, the console is read-only: {_first_line(exc)}") from None
            raise InputError(f"sql: {_first_line(exc)}") from None
        finally:
            timer.cancel()
        return ConsoleResult(table=table.slice(0, limit), more=table.num_rows > limit)


def open_console(url: str, *, threads: int | None = None) -> SealedConsole:
    """Open the warehouse a URL names as a sealed console.

    Args:
        url: the DuckDB warehouse file.
        threads: DuckDB worker threads (default: all cores).

    Raises:
        ConfigError: a BigQuery URL (no console there yet) or ``:memory:``.
        WarehouseError: no warehouse file yet, or it cannot be opened (a writer holds it).
    """
    if url.startswith("bigquery://") or url == ":memory:":
        raise ConfigError(
            f"warehouse {url}: the sealed SQL console opens a DuckDB warehouse file only "
            "(query BigQuery with `bq query` under a read-only role)"
        )
    if not Path(url).is_file():
        raise WarehouseError(f"no warehouse at {url}: run the pipeline first")
    config = dict(SEALED_CONFIG)
    if threads:
        config = {"threads": threads, **config}

    def connect(path: str) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(path, read_only=True, config=config)
        except duckdb.Error as exc:
            held = lock_holder(exc)
            msg = f"cannot open warehouse {url} read-only: {_first_line(exc)}"
            raise (WarehouseLocked(msg, held) if held is not None else WarehouseError(msg)) from None

    conn, note = open_reading(url, connect)  # a running writer's read snapshot, never its lock
    return SealedConsole(conn, url, note)
