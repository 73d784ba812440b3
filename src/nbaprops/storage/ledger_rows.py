"""The rows the run ledger (``ops_ledger``) is written with: one insert, one close.

Every ledger row starts as a `LedgerEntry` (status ``running``, ``skipped``, or ``failed``
when a run could not even start) and a running one ends with a `LedgerClose`.  Both are
written in bulk by `Warehouse.ledger_insert` / `Warehouse.ledger_close`, one statement for a
whole batch; row counts in a close come only from a `WriteResult`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from nbaprops.storage.warehouse import WriteResult

__all__ = ["LedgerClose", "LedgerEntry"]


@dataclass(frozen=True)
class LedgerEntry:
    """A new ledger row."""

    run_id: str
    processor: str
    partition: str
    status: Literal["running", "skipped", "failed"]
    input_hash: str
    code_version: str
    at: dt.datetime
    """When it started (a skipped row also finishes then)."""
    attempt: int | None = None
    forced: bool | None = None
    code_hash: str | None = None
    note: str | None = None
    error: str | None = None
    pid: int | None = None
    """The writing process (running rows), so a dead writer's rows are reaped at once."""
    host: str | None = None
    run_group: str | None = None
    """The pass the run belongs to (``morning 2025-10-22 3f9a1c``: `nbaprops.ops.daily`), or None."""


@dataclass(frozen=True)
class LedgerClose:
    """The end of a running ledger row: success with the engine's counts, or failed."""

    run_id: str
    result: WriteResult | None = None
    """The engine's counts (success); None for a failure."""
    rows_in: int | None = None
    expected_zero: bool = False
    error: str | None = None
    note: str | None = None

    @property
    def status(self) -> Literal["success", "failed"]:
        """``success`` when the engine reported a write."""
        return "success" if self.result is not None else "failed"

    @property
    def suspicious(self) -> bool | None:
        """Zero rows written where rows were expected (successes only)."""
        if self.result is None:
            return None
        return self.result.rows_written == 0 and not self.expected_zero
