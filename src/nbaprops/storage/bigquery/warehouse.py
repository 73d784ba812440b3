"""The production warehouse: one BigQuery dataset, through the official client.

A partition write is a load job (Parquet) or a ``CREATE TABLE ... AS`` into a staging table,
then one multi-statement transaction in a BigQuery session: count what the partitions held,
``DELETE`` them, ``INSERT`` the staged rows, count and checksum the partitions, and update the
``ops_partitions`` catalog, then ``COMMIT``.  Each statement is its own job, so the ledger's
count is the ``num_dml_affected_rows`` of the ``INSERT`` that moved the staged rows in, checked
against the per-partition counts read inside the same transaction (a load job's
``output_rows`` is never used: the emulator reports the table's total there).
Point the client at a local emulator with ``NBAPROPS_BIGQUERY__API_ENDPOINT``.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, ClassVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from google.api_core import exceptions as gexc
from google.cloud import bigquery

from nbaprops.core.errors import ConfigError, DataError, WarehouseError
from nbaprops.storage.bigquery.dialect import to_bigquery
from nbaprops.storage.bigquery.types import bigquery_schema, query_parameters
from nbaprops.storage.queries.catalog import PARTITIONS_DDL
from nbaprops.storage.sql_warehouse import SQLWarehouse
from nbaprops.storage.warehouse import Audit, Partition, PartitionValue, Query, WriteResult, ident

__all__ = ["BigQueryWarehouse", "parse_url"]

_CHECKSUM = "coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR || ':' || count(*)"
"""The same order-independent checksum the DuckDB warehouse keeps, transpiled (see `dialect`)."""
STAGING_HOURS = 6
"""A staging table left behind by a killed process expires on its own after this long."""


def parse_url(url: str) -> tuple[str, str]:
    """(project, dataset) of ``bigquery://project/dataset``.

    Raises:
        ConfigError: the URL does not name both.
    """
    rest = url.removeprefix("bigquery://")
    parts = [p for p in rest.split("/") if p]
    if not url.startswith("bigquery://") or len(parts) != 2:
        raise ConfigError(f"warehouse {url!r}: expected bigquery://project/dataset")
    return parts[0], parts[1]


def _wait(job: bigquery.LoadJob) -> None:
    """Wait for a job, polling from 20 ms up (the client's own polling sleeps a second at first,
    which is most of a small load's time); raises the job's error."""
    delay = 0.02
    while not job.done():  # done() reloads the job's state
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    job.result()


def _outside_locally(rows: pa.Table, column: str, values: Sequence[PartitionValue]) -> int | None:
    """Rows of an Arrow table outside `values` (None: no such column, or types pyarrow cannot
    compare, so the engine must check the staged rows)."""
    if column not in rows.column_names:
        return None
    try:
        allowed = pa.array(list(values)).cast(rows.schema.field(column).type)
        inside = pc.is_in(rows[column], value_set=allowed)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return int(rows.num_rows) - int(pc.sum(pc.fill_null(inside, False)).as_py() or 0)


def _ident(name: str) -> str:
    if not name.replace("_", "a").isalnum() or name[0].isdigit():
        raise WarehouseError(f"{name!r} is not a valid table or column name")
    return name


class BigQueryWarehouse(SQLWarehouse):
    """A warehouse in one BigQuery dataset (created if absent).

    Capability flags (class attributes) describe what differs from the embedded engine, so no
    code outside ``storage/`` ever asks which engine it talks to.

    Args:
        url: ``bigquery://project/dataset``.
        api_endpoint: REST endpoint override (an emulator); anonymous credentials are used with it.
        location: dataset and job location.
        read_only: refuse writes (reads work as usual).
    """

    dialect: ClassVar[str] = "bigquery"
    """sqlglot dialect every DuckDB-dialect statement is transpiled to (`dialect.to_bigquery`)."""
    transactional_ddl: ClassVar[bool] = False
    """DDL cannot run inside a transaction: tables and new columns are made before the write."""
    partition_by_date: ClassVar[bool] = True
    """Date-partitioned tables are DAY-partitioned on the partition column (prunes by date)."""
    cluster_columns: ClassVar[tuple[str, ...]] = ("player_lookup", "team_abbr", "game_code")
    """Columns a new table is clustered by, in this order, where it has them (at most four)."""
    checksum_is_engine_specific: ClassVar[bool] = True
    """Checksums compare within one engine only (BigQuery hashes rows with MD5 of their JSON text)."""

    def __init__(
        self,
        url: str,
        *,
        api_endpoint: str | None = None,
        location: str = "US",
        read_only: bool = False,
    ) -> None:
        self.url = url
        self.project, self.dataset = parse_url(url)
        self.location = location
        self.read_only = read_only
        options: dict[str, Any] = {"project": self.project, "location": location}
        if api_endpoint:
            from google.api_core.client_options import ClientOptions
            from google.auth.credentials import AnonymousCredentials

            options["credentials"] = AnonymousCredentials()  # type: ignore[no-untyped-call]
            options["client_options"] = ClientOptions(api_endpoint=api_endpoint)
        self.client = bigquery.Client(**options)
        self._write_lock = threading.RLock()
        """One write transaction at a time per process: concurrent transactions on the shared
        catalog table would abort each other."""
        self._known: dict[str, list[str]] = {}
        try:
            if read_only:
                self.client.get_dataset(f"{self.project}.{self.dataset}")
            else:
                self.client.create_dataset(f"{self.project}.{self.dataset}", exists_ok=True)
                self.execute(PARTITIONS_DDL)
        except gexc.NotFound as exc:
            raise WarehouseError(f"no warehouse at {url}: run the pipeline first") from exc
        except gexc.GoogleAPICallError as exc:
            raise WarehouseError(f"cannot open warehouse {url}: {exc.message}") from exc

    # --- statements -------------------------------------------------------
    def _fq(self, table: str) -> str:
        return f"{self.project}.{self.dataset}.{_ident(table)}"

    def _job(
        self, sql: str, params: Mapping[str, Any] | None, session: str | None = None, *, native: bool = False
    ) -> bigquery.table.RowIterator:
        """Run one statement (DuckDB dialect, transpiled; or `native` BigQuery text as it is)."""
        params = dict(params or {})
        nulls = frozenset(k for k, v in params.items() if v is None)
        text = sql if native else to_bigquery(sql, self.dataset, nulls)
        config = bigquery.QueryJobConfig(query_parameters=query_parameters(params))
        if session:
            config.connection_properties = [bigquery.ConnectionProperty("session_id", session)]
        try:
            return self.client.query_and_wait(text, job_config=config, location=self.location)
        except gexc.GoogleAPICallError as exc:
            raise WarehouseError(f"BigQuery statement failed: {exc.message}") from exc

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run a read query (DuckDB dialect, ``$name`` parameters) and return an Arrow table."""
        return self._job(sql, params).to_arrow(create_bqstorage_client=False)

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a read query and return plain tuples (small results)."""
        return [tuple(r.values()) for r in self._job(sql, params)]

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement (DDL, ledger bookkeeping)."""
        self._refuse_if_read_only()
        if not sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self._known.clear()  # DDL may change any table's columns
        with self._write_lock:
            self._job(sql, params)

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise WarehouseError(f"warehouse {self.url} is open read-only")

    # --- writes -----------------------------------------------------------
    def write_partitions(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        rows: pa.Table | Query,
        *,
        audits: Sequence[Audit] = (),
    ) -> dict[str, WriteResult]:
        """Replace several partitions of one table in one transaction (engine counts per
        partition); `audits` run inside it over those partitions (a bad row rolls back)."""
        self._refuse_if_read_only()
        table = ident(table, what="table")
        column = ident(column, what="partition column", where=table)
        if isinstance(rows, pa.Table):
            for name in rows.column_names:
                ident(name, what="column", where=f"the rows for {table}")
        keys = [Partition(column, v).key for v in values]
        stage = f"_nbaprops_stage_{table}_{uuid.uuid4().hex[:12]}"
        try:
            outside = _outside_locally(rows, column, values) if isinstance(rows, pa.Table) else None
            if outside is None or not outside:
                staged = self._stage(stage, rows)
                if column not in {f.name for f in staged}:
                    raise DataError(f"{table} rows have no partition column {column!r}")
            if outside is None:  # a Query, or types pyarrow cannot compare: ask the engine
                outside = self.rows(
                    f"SELECT count(*) FROM {stage} WHERE {column} IS NULL OR NOT list_contains($vals, {column})",
                    {"vals": list(values)},
                )[0][0]
            if outside:
                raise DataError(
                    f"{outside} rows for {table} fall outside partition(s) "
                    f"{', '.join(keys[:3])}{'...' if len(keys) > 3 else ''}"
                )
            with self._write_lock:
                self._ensure_table(table, column, staged)
                return self._replace(table, column, values, keys, stage, [f.name for f in staged], audits)
        finally:
            self.client.delete_table(self._fq(stage), not_found_ok=True)

    def _stage(self, stage: str, rows: pa.Table | Query) -> list[bigquery.SchemaField]:
        """Materialise the rows in a staging table (a Parquet load job, or a query inside the
        engine); return its columns."""
        if isinstance(rows, Query):
            self._job(f"CREATE TABLE {stage} AS {rows.sql}", rows.params)
            return list(self.client.get_table(self._fq(stage)).schema)
        rows = rows.cast(
            pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in rows.schema])
        )
        schema = bigquery_schema(rows.schema)
        table = bigquery.Table(self._fq(stage), schema=schema)
        table.expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=STAGING_HOURS)
        self.client.create_table(table)
        buf = io.BytesIO()
        pq.write_table(rows, buf)
        buf.seek(0)
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.PARQUET,
            write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        )
        config.parquet_options = bigquery.ParquetOptions()  # type: ignore[no-untyped-call]
        config.parquet_options.enable_list_inference = True
        try:
            _wait(self.client.load_table_from_file(buf, self._fq(stage), job_config=config))
        except gexc.GoogleAPICallError as exc:
            raise WarehouseError(f"load into {stage} failed: {exc.message}") from exc
        return schema

    def _ensure_table(self, table: str, column: str, staged: Sequence[bigquery.SchemaField]) -> None:
        """Create the table from the staged schema, or add the staged columns it lacks (DDL, so
        before the transaction: an empty table or a new NULL column is safe on its own)."""
        known = self._known.get(table)
        if known is not None and {f.name for f in staged} <= set(known):
            return
        try:
            have = self.client.get_table(self._fq(table))
        except gexc.NotFound:
            new = bigquery.Table(self._fq(table), schema=list(staged))
            kinds = {f.name: f.field_type for f in staged}
            if self.partition_by_date and kinds.get(column) == "DATE":
                new.time_partitioning = bigquery.TimePartitioning(field=column)
                new.clustering_fields = [c for c in self.cluster_columns if c in kinds][:4] or None
            else:
                new.clustering_fields = [column]
            self.client.create_table(new)
            self._known.pop(table, None)
            return
        names = {f.name for f in have.schema}
        missing = [f for f in staged if f.name not in names]
        for f in missing:  # DDL, as the engine applies it to data (a schema patch alone may not)
            kind = f"ARRAY<{f.field_type}>" if f.mode == "REPEATED" else f.field_type
            self._job(f"ALTER TABLE `{self._fq(table)}` ADD COLUMN `{f.name}` {kind}", None, native=True)
        if missing:
            have = self.client.get_table(self._fq(table))
            present = {f.name for f in have.schema}
            if any(f.name not in present for f in missing):  # the DDL left the metadata behind
                have.schema = [*have.schema, *(f for f in missing if f.name not in present)]
                self.client.update_table(have, ["schema"])
        self._known.pop(table, None)

    @contextmanager
    def _transaction(self) -> Iterator[str]:
        """A BigQuery session holding one open transaction; yields its id, commits on success."""
        begin = self.client.query(
            "BEGIN TRANSACTION",
            job_config=bigquery.QueryJobConfig(create_session=True),
            location=self.location,
        )
        begin.result()
        if begin.session_info is None or not begin.session_info.session_id:
            raise WarehouseError(f"{self.url}: BigQuery opened no session for the transaction")
        session = begin.session_info.session_id
        try:
            yield session
        except BaseException:
            try:
                self._job("ROLLBACK TRANSACTION", None, session, native=True)
            finally:
                self._end_session(session)
            raise
        self._job("COMMIT TRANSACTION", None, session, native=True)
        self._end_session(session)

    def _end_session(self, session: str) -> None:
        with suppress(WarehouseError):  # an idle session expires on its own; the transaction is closed
            self._job("CALL BQ.ABORT_SESSION()", None, session, native=True)

    def _replace(
        self,
        table: str,
        column: str,
        values: Sequence[PartitionValue],
        keys: list[str],
        stage: str,
        names: Sequence[str],
        audits: Sequence[Audit] = (),
    ) -> dict[str, WriteResult]:
        """The replace itself: one transaction; the count is the INSERT's own DML statistics."""
        cols = ", ".join(f'"{c}"' for c in names)
        vals = {"vals": list(values)}
        within = f"list_contains($vals, {column})"
        with self._transaction() as session:
            before: dict[Any, int] = {}
            if len(values) > 1:  # one partition: the DELETE's own count says what it held
                before = {
                    r[0]: int(r[1])
                    for r in self._job(
                        f"SELECT {column}, count(*) FROM {table} WHERE {within} GROUP BY 1", vals, session
                    )
                }
            deleted = self._job(f"DELETE FROM {table} WHERE {within}", vals, session)
            if len(values) == 1:
                before = {values[0]: int(deleted.num_dml_affected_rows or 0)}
            moved = self._job(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage}", None, session)
            total = int(moved.num_dml_affected_rows or 0)
            per = {
                r[0]: (int(r[1]), str(r[2]))
                for r in self._job(
                    f"SELECT {column}, count(*), {_CHECKSUM} FROM {table} t WHERE {within} GROUP BY 1",
                    vals,
                    session,
                )
            }
            if sum(n for n, _ in per.values()) != total:
                raise WarehouseError(
                    f"{table}: engine inserted {total} rows but the partitions hold "
                    f"{sum(n for n, _ in per.values())}"
                )
            counts = [per.get(v, (0, "0:0")) for v in values]
            self._run_audits(
                table,
                column,
                values,
                audits,
                query=lambda sql, p: self._job(sql, p, session).to_arrow(create_bqstorage_client=False),
            )
            self._record_catalog(table, values, keys, per, execute=lambda sql, p: self._job(sql, p, session))
        return {
            key: WriteResult(table, key, n, int(before.get(value, 0)), chk)
            for value, key, (n, chk) in zip(values, keys, counts, strict=True)
        }

    # --- reads --------------------------------------------------------------
    def columns(self, table: str) -> list[str]:
        """The table's columns, in order ([] if absent; cached once the table exists)."""
        cols = self._known.get(table)
        if cols is None:
            try:
                cols = [f.name for f in self.client.get_table(self._fq(table)).schema]
            except gexc.NotFound:
                return []
            self._known[table] = cols
        return list(cols)

    def checksum(self, table: str, partition: Partition | None = None) -> str:
        """Order-independent checksum ``<sum of row hashes>:<rows>`` (BigQuery's own hashes)."""
        if not self.has_table(_ident(table)):
            return "0:0"
        if partition is None:
            return str(self.rows(f"SELECT {_CHECKSUM} FROM {table} t")[0][0])
        where = f"WHERE {_ident(partition.column)} = $v"
        return str(self.rows(f"SELECT {_CHECKSUM} FROM {table} t {where}", {"v": partition.value})[0][0])

    def close(self) -> None:
        """Close the client's HTTP session."""
        self.client.close()  # type: ignore[no-untyped-call]
