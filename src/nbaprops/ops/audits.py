"""Domain audits: the SQL files beside the models that select a table's bad rows.

An audit is ``pipeline/<phase>/audits/<output>.sql`` (or ``<output>__<what>.sql`` when one
table has several): a SELECT of the rows that break a rule the data must keep (the points
identity, team points = final score, minutes within the game, no negative counts...).
Empty = pass.  Each selects the table's partition column (``game_date`` or ``season``), so a
failure names the partitions it is in.  `validate` runs them all (class ``audit_failed``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from nbaprops.core.errors import WarehouseError
from nbaprops.pipeline.contract import Processor
from nbaprops.storage.warehouse import Partition, Warehouse

__all__ = ["AuditResult", "run_audits"]


@dataclass(frozen=True)
class AuditResult:
    """What one audit file found."""

    audit: str
    """The file's stem, e.g. ``raw_player_boxscores__team_points``."""
    bad_rows: Counter[str]
    """Bad rows per partition key."""
    error: str | None = None
    """Why the audit could not run (e.g. a column it checks is gone): a failure everywhere."""


def run_audits(wh: Warehouse, proc: Processor) -> list[AuditResult]:
    """Run every audit of a processor's output over the whole table (none if it is absent)."""
    if not proc.audits or not wh.has_table(proc.output):
        return []
    out: list[AuditResult] = []
    for audit in proc.audits:
        try:
            bad = wh.query(audit.sql)
        except WarehouseError as exc:
            out.append(AuditResult(audit.name, Counter(), str(exc).splitlines()[0]))
            continue
        col = proc.partition_column
        if bad.num_rows and col not in bad.column_names:
            out.append(AuditResult(audit.name, Counter(), f"audit selects no {col} column"))
            continue
        keys = (
            Counter(Partition(col, v).key for v in bad.column(col).to_pylist()) if bad.num_rows else Counter()
        )
        out.append(AuditResult(audit.name, keys))
    return out
