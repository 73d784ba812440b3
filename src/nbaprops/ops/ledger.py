"""The run ledger: one row per processor run, kept in the warehouse.

The ledger never takes a row count from a processor.  `succeed` accepts only
a `WriteResult`, which only the warehouse produces, so ``rows_written`` is
what the engine counted inside the write transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from nbaprops.core.types import RunStatus
from nbaprops.storage.warehouse import Warehouse, WriteResult

__all__ = ["LEDGER", "LastRun", "Ledger"]

LEDGER = "ops_ledger"
DDL = f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
    run_id VARCHAR,
    processor VARCHAR,
    partition VARCHAR,
    status VARCHAR,
    input_hash VARCHAR,
    rows_in BIGINT,
    rows_written BIGINT,
    rows_replaced BIGINT,
    checksum VARCHAR,
    expected_zero BOOLEAN,
    suspicious BOOLEAN,
    code_version VARCHAR,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    heartbeat_at TIMESTAMPTZ,
    error VARCHAR,
    attempt INTEGER,
    forced BOOLEAN,
    note VARCHAR,
    code_hash VARCHAR
)"""
MIGRATIONS = (f"ALTER TABLE {LEDGER} ADD COLUMN IF NOT EXISTS code_hash VARCHAR",)
"""Columns added after the first release (ledgers created before them get them on open)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class LastRun:
    """The latest finished (success or failed) run of one (processor, partition)."""

    run_id: str
    status: RunStatus
    input_hash: str | None
    code_version: str | None
    rows_written: int | None
    expected_zero: bool
    attempt: int


class Ledger:
    """Run bookkeeping on top of a warehouse.

    Args:
        warehouse: where the ledger table lives (created on first use).
    """

    def __init__(self, warehouse: Warehouse, *, create: bool = True) -> None:
        self.wh = warehouse
        if create:
            self.wh.execute(DDL)
            for sql in MIGRATIONS:
                self.wh.execute(sql)
        elif not warehouse.has_table(LEDGER):
            from nbaprops.core.errors import WarehouseError

            raise WarehouseError(f"no run ledger in {warehouse.url}: run the pipeline first")

    @classmethod
    def read(cls, warehouse: Warehouse) -> Ledger:
        """A ledger on a read-only warehouse (it must exist already)."""
        return cls(warehouse, create=False)

    def start(
        self,
        processor: str,
        partition: str,
        *,
        input_hash: str,
        code_version: str,
        attempt: int = 1,
        forced: bool = False,
        note: str | None = None,
        code_hash: str | None = None,
    ) -> str:
        """Open a ``running`` row; return its run id.

        ``code_hash`` fingerprints the processor's own code (SQL or build
        source), so drift detection can tell which processors changed.
        """
        return self.start_many(
            processor,
            [partition],
            [input_hash],
            [attempt],
            force=forced,
            code_version=code_version,
            code_hash=code_hash,
            note=note,
        )[0]

    def heartbeat(self, run_id: str) -> None:
        """Mark a running run as alive."""
        self.wh.execute(
            f"UPDATE {LEDGER} SET heartbeat_at = $t WHERE run_id = $r AND status = 'running'",
            {"t": _now(), "r": run_id},
        )

    def succeed(
        self,
        run_id: str,
        result: WriteResult,
        *,
        rows_in: int | None,
        expected_zero: bool,
        note: str | None = None,
    ) -> bool:
        """Close a run as ``success`` with the engine's counts.

        Returns:
            Whether the run is *suspicious*: zero rows where rows were expected.
        """
        suspicious = result.rows_written == 0 and not expected_zero
        self.wh.execute(
            f"UPDATE {LEDGER} SET status = 'success', rows_written = $w, rows_replaced = $d, "
            "checksum = $c, rows_in = $i, expected_zero = $e, suspicious = $s, "
            "finished_at = $t, note = coalesce($n, note) WHERE run_id = $r",
            {
                "w": result.rows_written,
                "d": result.rows_replaced,
                "c": result.checksum,
                "i": rows_in,
                "e": expected_zero,
                "s": suspicious,
                "t": _now(),
                "n": note,
                "r": run_id,
            },
        )
        return suspicious

    def fail(self, run_id: str, error: str) -> None:
        """Close a run as ``failed`` with a one-line error."""
        self.wh.execute(
            f"UPDATE {LEDGER} SET status = 'failed', error = $e, finished_at = $t WHERE run_id = $r",
            {"e": error.splitlines()[0][:2000] if error else "failed", "t": _now(), "r": run_id},
        )

    def skip(self, processor: str, partition: str, *, input_hash: str, code_version: str, note: str) -> str:
        """Record a skipped run (inputs and code unchanged since the last success)."""
        return self.skip_many(processor, [partition], [input_hash], code_version=code_version, note=note)[0]

    # --- bulk forms (one statement for a whole batch; same columns as the single ones) ---
    def start_many(
        self,
        processor: str,
        partitions: Sequence[str],
        input_hashes: Sequence[str],
        attempts: Sequence[int],
        *,
        force: bool,
        code_version: str,
        code_hash: str | None = None,
        note: str | None = None,
    ) -> list[str]:
        """Open ``running`` rows for many partitions of one processor; their run ids in order."""
        ids = [uuid.uuid4().hex[:16] for _ in partitions]
        if ids:
            self.wh.execute(
                f"INSERT INTO {LEDGER} (run_id, processor, partition, status, input_hash, code_version, "
                "started_at, heartbeat_at, attempt, forced, code_hash, note) "
                "SELECT unnest($r), $p, unnest($k), 'running', unnest($h), $v, $t, $t, unnest($a), $f, $c, $n",
                {
                    "r": ids,
                    "p": processor,
                    "k": list(partitions),
                    "h": list(input_hashes),
                    "v": code_version,
                    "t": _now(),
                    "a": list(attempts),
                    "f": force,
                    "c": code_hash,
                    "n": note,
                },
            )
        return ids

    def skip_many(
        self,
        processor: str,
        partitions: Sequence[str],
        input_hashes: Sequence[str],
        *,
        code_version: str,
        note: str = "inputs and code unchanged since the last success",
    ) -> list[str]:
        """Record skipped runs for many partitions of one processor."""
        ids = [uuid.uuid4().hex[:16] for _ in partitions]
        if ids:
            self.wh.execute(
                f"INSERT INTO {LEDGER} (run_id, processor, partition, status, input_hash, code_version, "
                "started_at, finished_at, note) "
                "SELECT unnest($r), $p, unnest($k), 'skipped', unnest($h), $v, $t, $t, $n",
                {
                    "r": ids,
                    "p": processor,
                    "k": list(partitions),
                    "h": list(input_hashes),
                    "v": code_version,
                    "t": _now(),
                    "n": note,
                },
            )
        return ids

    def close_many(
        self,
        *,
        successes: Sequence[tuple[str, WriteResult, int, bool]] = (),
        failures: Sequence[tuple[str, str]] = (),
    ) -> None:
        """`succeed` (run id, engine result, rows in, expected zero) and `fail` (run id, error)
        for many runs.  As with `succeed`, row counts come only from a `WriteResult`."""
        now = _now()
        if successes:
            self.wh.execute(
                f"UPDATE {LEDGER} SET status = 'success', rows_written = v.w, rows_replaced = v.d, "
                "checksum = v.c, rows_in = v.i, expected_zero = v.e, suspicious = v.w = 0 AND NOT v.e, "
                "finished_at = $t FROM (SELECT unnest($r) AS r, unnest($w) AS w, unnest($d) AS d, "
                "unnest($c) AS c, unnest($i) AS i, unnest($e) AS e) v WHERE run_id = v.r",
                {
                    "r": [x[0] for x in successes],
                    "w": [x[1].rows_written for x in successes],
                    "d": [x[1].rows_replaced for x in successes],
                    "c": [x[1].checksum for x in successes],
                    "i": [x[2] for x in successes],
                    "e": [x[3] for x in successes],
                    "t": now,
                },
            )
        if failures:
            self.wh.execute(
                f"UPDATE {LEDGER} SET status = 'failed', error = v.e, finished_at = $t "
                "FROM (SELECT unnest($r) AS r, unnest($e) AS e) v WHERE run_id = v.r",
                {
                    "r": [f[0] for f in failures],
                    "e": [
                        (f[1].splitlines() or ["failed"])[0][:2000] if f[1] else "failed" for f in failures
                    ],
                    "t": now,
                },
            )

    def reap(self, timeout: dt.timedelta, *, now: dt.datetime | None = None) -> int:
        """Fail every ``running`` row whose last heartbeat is older than `timeout`.

        Returns:
            How many rows were reaped.
        """
        cutoff = (now or _now()) - timeout
        stuck = self.wh.rows(
            f"SELECT count(*) FROM {LEDGER} WHERE status = 'running' "
            "AND coalesce(heartbeat_at, started_at) < $c",
            {"c": cutoff},
        )[0][0]
        if stuck:
            self.wh.execute(
                f"UPDATE {LEDGER} SET status = 'failed', finished_at = $t, "
                "error = 'reaped: no heartbeat for ' || $m || ' minutes (process died?)' "
                "WHERE status = 'running' AND coalesce(heartbeat_at, started_at) < $c",
                {"t": _now(), "m": str(int(timeout.total_seconds() // 60)), "c": cutoff},
            )
        return int(stuck)

    def latest(
        self,
        processors: Collection[str] | None = None,
        partitions: Collection[str] | None = None,
    ) -> dict[tuple[str, str], LastRun]:
        """The latest finished run of every (processor, partition), or of those named.

        A run asks only for its own processors and partitions: reading the whole ledger
        for every batch made a long backfill quadratic in its length.
        """
        if (processors is not None and not processors) or (partitions is not None and not partitions):
            return {}
        where, params = ["status IN ('success', 'failed')"], dict[str, Any]()
        if processors is not None:
            where.append("list_contains($processors, processor)")
            params["processors"] = sorted(processors)
        if partitions is not None:
            where.append("list_contains($partitions, partition)")
            params["partitions"] = sorted(partitions)
        got = self.wh.rows(
            f"""
            WITH scoped AS (SELECT * FROM {LEDGER} WHERE {" AND ".join(where)}),
            finished AS (
                SELECT *, row_number() OVER (PARTITION BY processor, partition
                                             ORDER BY started_at DESC, finished_at DESC) AS rn
                FROM scoped
            ),
            last_success AS (
                SELECT processor, partition, max(started_at) AS at
                FROM scoped WHERE status = 'success' GROUP BY ALL
            ),
            streak AS (  -- failed runs since the last success
                SELECT l.processor, l.partition, count(*) AS n
                FROM scoped l LEFT JOIN last_success s USING (processor, partition)
                WHERE l.status = 'failed' AND l.started_at >= coalesce(s.at, TIMESTAMPTZ '1900-01-01')
                GROUP BY ALL
            )
            SELECT f.processor, f.partition, f.run_id, f.status, f.input_hash, f.code_version,
                   f.rows_written, coalesce(f.expected_zero, false), coalesce(s.n, 0)
            FROM finished f LEFT JOIN streak s USING (processor, partition)
            WHERE f.rn = 1
            """,
            params,
        )
        return {(p, k): LastRun(r, st, h, v, w, ez, int(n) + 1) for p, k, r, st, h, v, w, ez, n in got}

    def runs(
        self,
        *,
        partition: str | None = None,
        status: str | None = None,
        processor: str | None = None,
        since: dt.datetime | None = None,
        limit: int | None = None,
    ) -> pa.Table:
        """Ledger rows, newest first, filtered."""
        where, params = ["true"], dict[str, Any]()
        for col, val in (("partition", partition), ("status", status), ("processor", processor)):
            if val is not None:
                where.append(f"{col} = ${col}")
                params[col] = val
        if since is not None:
            where.append("started_at >= $since")
            params["since"] = since
        sql = f"SELECT * FROM {LEDGER} WHERE {' AND '.join(where)} ORDER BY started_at DESC" + (
            f" LIMIT {int(limit)}" if limit else ""
        )
        return self.wh.query(sql, params)

    def summary(self) -> list[tuple[str, str, int, int]]:
        """(processor, status, runs, rows_written) over the whole ledger."""
        return [
            (p, s, int(n), int(w or 0))
            for p, s, n, w in self.wh.rows(
                f"SELECT processor, status, count(*), sum(rows_written) FROM {LEDGER} "
                "GROUP BY ALL ORDER BY 1, 2"
            )
        ]
