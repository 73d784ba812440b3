"""The run ledger: one row per processor run, kept in the warehouse.

The ledger never takes a row count from a processor.  `succeed` accepts only
a `WriteResult`, which only the warehouse produces, so ``rows_written`` is
what the engine counted inside the write transaction.  Rows are written in bulk
through `Warehouse.ledger_insert` / `Warehouse.ledger_close` (one statement per batch);
the SQL lives in `nbaprops.storage.queries.ledger`.

A ``running`` row records the writing process (pid and host): `reap` fails at once the
rows of a process on this host that is gone, and any row whose heartbeat is older than
the run timeout.

A row may carry a *run group*: the label of the pass it ran in (``morning 2025-10-22 3f9a1c``,
set by `nbaprops.ops.daily` through `Ledger.grouped`); `runs` filters on it and `passes`
summarises each pass.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from nbaprops.core.types import RunStatus
from nbaprops.storage.ledger_rows import LedgerClose, LedgerEntry
from nbaprops.storage.queries import ledger as q
from nbaprops.storage.warehouse import Warehouse, WriteResult

__all__ = ["LEDGER", "LastRun", "Ledger", "process_alive"]

LEDGER = "ops_ledger"
MIGRATIONS = (q.ADD_CODE_HASH, q.ADD_PID, q.ADD_HOST, q.ADD_RUN_GROUP)
"""Columns added after the first release (ledgers created before them get them on open)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
        self.pid, self.host = os.getpid(), socket.gethostname()
        self.group: str | None = None
        """The run group new rows are labelled with (`grouped`), or None."""
        if create:
            self.wh.execute(q.LEDGER_DDL)
            for sql in MIGRATIONS:
                self.wh.execute(sql)
        elif not warehouse.has_table(LEDGER):
            from nbaprops.core.errors import WarehouseError

            raise WarehouseError(f"no run ledger in {warehouse.url}: run the pipeline first")

    @classmethod
    def read(cls, warehouse: Warehouse) -> Ledger:
        """A ledger on a read-only warehouse (it must exist already)."""
        return cls(warehouse, create=False)

    # --- new rows -------------------------------------------------------
    def entry(
        self,
        processor: str,
        partition: str,
        status: Literal["running", "skipped", "failed"],
        *,
        input_hash: str,
        code_version: str,
        attempt: int | None = None,
        forced: bool | None = None,
        code_hash: str | None = None,
        note: str | None = None,
    ) -> LedgerEntry:
        """A new row (not written yet: see `insert`) with a fresh run id; a running row
        records this process."""
        running = status == "running"
        return LedgerEntry(
            run_id=uuid.uuid4().hex[:16],
            processor=processor,
            partition=partition,
            status=status,
            input_hash=input_hash,
            code_version=code_version,
            at=_now(),
            attempt=attempt,
            forced=forced,
            code_hash=code_hash,
            note=note,
            pid=self.pid if running else None,
            host=self.host if running else None,
            run_group=self.group,
        )

    def insert(self, entries: Sequence[LedgerEntry]) -> list[str]:
        """Write new rows in one statement; their run ids in order."""
        self.wh.ledger_insert(entries)
        return [e.run_id for e in entries]

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
        row = self.entry(
            processor,
            partition,
            "running",
            input_hash=input_hash,
            code_version=code_version,
            attempt=attempt,
            forced=forced,
            code_hash=code_hash,
            note=note,
        )
        return self.insert([row])[0]

    def skip(self, processor: str, partition: str, *, input_hash: str, code_version: str, note: str) -> str:
        """Record a skipped run (inputs and code unchanged since the last success)."""
        row = self.entry(
            processor, partition, "skipped", input_hash=input_hash, code_version=code_version, note=note
        )
        return self.insert([row])[0]

    @contextmanager
    def grouped(self, label: str) -> Iterator[str]:
        """Label every row written inside the block with `label` (a pass of `ops.daily`)."""
        before, self.group = self.group, label
        try:
            yield label
        finally:
            self.group = before

    # --- closing rows ---------------------------------------------------
    def heartbeat(self, run_id: str) -> None:
        """Mark a running run as alive."""
        self.wh.execute(q.HEARTBEAT, {"t": _now(), "r": run_id})

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
        close = LedgerClose(run_id, result, rows_in=rows_in, expected_zero=expected_zero, note=note)
        self.close([close])
        return bool(close.suspicious)

    def fail(self, run_id: str, error: str) -> None:
        """Close a run as ``failed`` with a one-line error."""
        self.close([LedgerClose(run_id, error=error or "failed")])

    def close(self, closes: Sequence[LedgerClose]) -> None:
        """Close many runs (successes with a `WriteResult`, failures with an error) at once."""
        self.wh.ledger_close(closes)

    def reap(self, timeout: dt.timedelta, *, now: dt.datetime | None = None) -> int:
        """Fail every ``running`` row whose writer cannot be alive: a process on this host
        that is gone (at once), or no heartbeat for longer than `timeout`.

        Returns:
            How many rows were reaped.
        """
        running = self.wh.rows(q.RUNNING_ON_HOST, {"h": self.host})
        dead = [str(r) for r, pid in running if int(pid) != self.pid and not process_alive(int(pid))]
        if dead:
            self.wh.execute(q.REAP_DEAD, {"t": _now(), "r": dead})
        cutoff = (now or _now()) - timeout
        stuck = int(self.wh.rows(q.STUCK, {"c": cutoff})[0][0])
        if stuck:
            self.wh.execute(
                q.REAP_STUCK, {"t": _now(), "m": str(int(timeout.total_seconds() // 60)), "c": cutoff}
            )
        return len(dead) + stuck

    # --- reads ----------------------------------------------------------
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
        got = self.wh.rows(
            q.LATEST,
            {
                "any_processor": processors is None,
                "processors": sorted(processors or ()),
                "any_partition": partitions is None,
                "partitions": sorted(partitions or ()),
            },
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
        run_group: str | None = None,
    ) -> pa.Table:
        """Ledger rows, newest first, filtered (`run_group`: labels containing this text, e.g.
        ``night`` or ``2025-10-22``)."""
        params = {"partition": partition, "status": status, "processor": processor, "since": since}
        return self.wh.query(
            q.RUNS, {**params, "run_group": run_group, "limit": int(limit) if limit else None}
        )

    def passes(self, *, run_group: str | None = None, limit: int | None = None) -> pa.Table:
        """One row per labelled pass, newest first: its runs by status and rows written."""
        return self.wh.query(q.PASSES, {"run_group": run_group, "limit": int(limit) if limit else None})

    def summary(self) -> list[tuple[str, str, int, int]]:
        """(processor, status, runs, rows_written) over the whole ledger."""
        return [(p, s, int(n), int(w or 0)) for p, s, n, w in self.wh.rows(q.SUMMARY)]
