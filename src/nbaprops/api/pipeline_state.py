"""Whether last night's pipeline is complete: health, the ledger, validation, drift."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from nbaprops.api.models import Coverage, CoverageCell, Finding, Health, Page, PhasePass, Run
from nbaprops.api.store import read_runner, reading
from nbaprops.core.config import Settings
from nbaprops.core.errors import WarehouseError
from nbaprops.core.version import code_version
from nbaprops.ops.drift import drift_report
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.validate import coverage_report, validate
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import Warehouse
from nbaprops.storage.queries import api as q

__all__ = ["coverage", "drift", "health", "runs"]

PHASE_GROUPS = ("raw", "analytics", "precompute", "predictions")


def _recency(partition: str) -> tuple[bool, str]:
    """Order partitions so that a date (``2025-11-04``) outranks a season label (``2025-26``)."""
    return (len(partition) == len("2025-11-04"), partition)


def _phases(wh: Warehouse) -> list[PhasePass]:
    phase_of = {p.name: p.phase for p in default_registry().select(phases=[1, 2, 3, 4, 5])}
    best: dict[int, tuple[dt.datetime | None, str | None]] = {}
    for proc, finished, part in wh.rows(q.LAST_SUCCESS_BY_PROCESSOR):
        ph = phase_of.get(proc)
        if ph is None or finished is None:
            continue
        at, latest = best.get(ph, (None, None))
        best[ph] = (
            finished if at is None else max(at, finished),
            part if latest is None else max(latest, part, key=_recency),
        )
    return [PhasePass(phase=ph, finished_at=best[ph][0], partition=best[ph][1]) for ph in sorted(best)]


def health(settings: Settings) -> Health:
    """Code version, whether the warehouse can be read now, and each phase's last success.

    Never raises for an unreadable warehouse: a writer holding the file, or no warehouse
    yet, is reported as ``warehouse_reachable = false`` with the reason.
    """
    version = code_version()
    try:
        with reading(settings) as wh:
            phases = _phases(wh) if wh.has_table(LEDGER) else []
    except WarehouseError as exc:
        return Health(
            status="degraded",
            code_version=version,
            warehouse=settings.warehouse_url,
            warehouse_reachable=False,
            detail=str(exc),
            phases=[],
        )
    return Health(
        status="ok",
        code_version=version,
        warehouse=settings.warehouse_url,
        warehouse_reachable=True,
        detail=None if phases else "the ledger is empty: nothing has run yet",
        phases=phases,
    )


def runs(
    wh: Warehouse,
    *,
    partition: str | None = None,
    status: str | None = None,
    processor: str | None = None,
    limit: int,
    offset: int = 0,
) -> Page[Run]:
    """One page of the ledger, newest first, filtered by partition, status and processor."""
    if not wh.has_table(LEDGER):
        return Page[Run](total=0, limit=limit, offset=offset, items=[])
    where = {"partition": partition, "status": status, "processor": processor}
    total = int(wh.rows(q.LEDGER_TOTAL, where)[0][0])
    got = wh.query(q.LEDGER_PAGE, {**where, "limit": limit, "offset": offset}).to_pylist()
    return Page[Run](total=total, limit=limit, offset=offset, items=[Run(**r) for r in got])


def coverage(
    settings: Settings, season: str, *, limit: int, offset: int = 0
) -> tuple[Coverage, list[CoverageCell]]:
    """The season's validation report and its heatmap cells (date partitions, ``ok`` or a class).

    Args:
        settings: where the warehouse is.
        season: a checked season label (``2025-26``).
        limit: findings per page.
        offset: findings to skip.

    Raises:
        WarehouseError: no warehouse or ledger, or a writer holds the file.
    """
    with read_runner(settings) as runner:
        first, last = runner.calendar.season_bounds(season)
        findings = validate(runner, runner.calendar.dates(first, last))
        report: dict[str, Any] = coverage_report(runner, season, findings)
        game_days = [d for d in runner.calendar.game_dates(season) if runner.calendar.day(d).final_games]
        procs = [p for p in runner.registry.select() if p.partition == "date"]
    cls = {(f.processor, f.partition): f.classification for f in findings}
    days = sorted({d.isoformat() for d in game_days} | {p for (_, p) in cls if len(p) == 10})
    cells = [
        CoverageCell(processor=p.name, partition=d, classification=cls.get((p.name, d), "ok"))
        for p in procs
        for d in days
    ]
    items = [Finding(**f.to_json()) for f in findings]  # type: ignore[arg-type]
    return (
        Coverage(
            season=season,
            dates=int(report["dates"]),
            games=int(report["games"]),
            coverage_pct={g: report[g] for g in PHASE_GROUPS},
            alarms=sum(f.alarm for f in findings),
            by_class=dict(Counter(f.classification for f in findings)),
            findings=Page[Finding](
                total=len(items), limit=limit, offset=offset, items=items[offset : offset + limit]
            ),
        ),
        cells,
    )


def drift(wh: Warehouse) -> dict[str, Any]:
    """Which code produced each processor's data and what is stale (`ops.drift.drift_report`)."""
    if not wh.has_table(LEDGER):
        return {"versions": [], "changed": [], "stale": [], "heal": []}
    return drift_report(wh).to_dict()
