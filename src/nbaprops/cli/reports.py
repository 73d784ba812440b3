"""What each reporting command reports: one dataclass per report, built from the ops results.

The table view and ``--json`` print the same report: the command builds it once, then
either renders tables or hands it to `nbaprops.cli.console.print_report`, which wraps it
in the envelope every command shares (``command``, ``ok``, ``version``, ``result``,
``error``).  The keys are documented, per command, in ``docs/cli.md``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nbaprops.ops.backfill import BackfillState
from nbaprops.ops.heal import HealPlan
from nbaprops.ops.pipeline import DemoReport
from nbaprops.ops.runner import Outcome, RunReport
from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.registry import Registry

__all__ = [
    "BackfillPlan",
    "BackfillProgress",
    "BackfillResult",
    "DateSpan",
    "DemoResult",
    "HealResult",
    "ProcessorInfo",
    "ProcessorRuns",
    "ProcessorsResult",
    "RunRef",
    "RunResult",
    "RunSummary",
    "ScrapeResult",
]


@dataclass(frozen=True)
class DateSpan:
    """The dates a command covered."""

    first: dt.date | None
    last: dt.date | None
    count: int

    @classmethod
    def of(cls, days: Sequence[dt.date]) -> DateSpan:
        """The span of a list of dates (empty: no first/last)."""
        return cls(min(days, default=None), max(days, default=None), len(days))


@dataclass(frozen=True)
class ProcessorRuns:
    """Runs of one processor in one command, by status."""

    processor: str
    success: int
    skipped: int
    failed: int
    suspicious: int
    """Successful runs that wrote zero rows where rows were expected."""
    rows_written: int


@dataclass(frozen=True)
class RunRef:
    """One run worth a look (failed, or a suspicious zero): enough to find it in the ledger."""

    processor: str
    partition: str
    status: str
    rows_written: int | None
    error: str | None
    run_id: str | None

    @classmethod
    def of(cls, o: Outcome) -> RunRef:
        """From a runner outcome."""
        return cls(o.processor, o.partition, o.status, o.rows_written, o.error, o.run_id)


@dataclass(frozen=True)
class RunSummary:
    """A runner call summed up: totals, per processor (run order), and every failed or
    suspicious outcome (the ledger has the rest: ``nbaprops ledger --json``)."""

    runs: int
    success: int
    skipped: int
    failed: int
    suspicious: int
    rows_written: int
    processors: list[ProcessorRuns]
    failures: list[RunRef]
    suspicious_runs: list[RunRef]

    @classmethod
    def of(cls, report: RunReport) -> RunSummary:
        """Sum up a `RunReport`."""
        by: dict[str, Counter[str]] = {}
        for o in report.outcomes:
            c = by.setdefault(o.processor, Counter())
            c[o.status] += 1
            c["suspicious"] += o.suspicious
            c["rows"] += o.rows_written or 0
        per = [
            ProcessorRuns(p, c["success"], c["skipped"], c["failed"], c["suspicious"], c["rows"])
            for p, c in by.items()
        ]
        return cls(
            runs=len(report.outcomes),
            success=report.count("success"),
            skipped=report.count("skipped"),
            failed=len(report.failed),
            suspicious=len(report.suspicious),
            rows_written=sum(p.rows_written for p in per),
            processors=per,
            failures=[RunRef.of(o) for o in report.failed],
            suspicious_runs=[RunRef.of(o) for o in report.suspicious],
        )


@dataclass(frozen=True)
class ProcessorInfo:
    """One registered processor, as `nbaprops processors` lists it."""

    name: str
    phase: int
    partition: str
    output: str
    inputs: list[dict[str, Any]]
    selection: Literal["default", "network", "opt-in"]
    """``default``: run when no processor is named; ``network``: a live scrape or what reads
    one (phase 1 or by name); ``opt-in``: heavy, run by name only."""
    description: str
    source_file: str
    """Where it is defined, relative to the package: its ``.sql`` or its build's module."""


@dataclass(frozen=True)
class ProcessorsResult:
    """`nbaprops processors`: every processor in run order."""

    processors: list[ProcessorInfo]

    @classmethod
    def of(cls, reg: Registry) -> ProcessorsResult:
        """Every processor of a registry, in DAG order."""
        network, opt_in = reg.network(), reg.opt_in()

        def selection(p: Processor) -> Literal["default", "network", "opt-in"]:
            return "network" if p.name in network else "opt-in" if p.name in opt_in else "default"

        return cls(
            [
                ProcessorInfo(
                    name=p.name,
                    phase=p.phase,
                    partition=p.partition,
                    output=p.output,
                    inputs=[{"table": i.table, "window": i.window, "feedback": i.feedback} for i in p.inputs],
                    selection=selection(p),
                    description=p.description,
                    source_file=p.source_file,
                )
                for p in (reg.by_name[n] for n in reg.order)
            ]
        )


@dataclass(frozen=True)
class RunResult:
    """`nbaprops run`."""

    dates: DateSpan
    elapsed_s: float
    runs: RunSummary


@dataclass(frozen=True)
class DemoResult:
    """`nbaprops demo`: table sizes, the ledger, the baseline's accuracy, the runs."""

    season: str
    dates: int
    elapsed_s: float
    tables: list[dict[str, Any]]
    ledger: list[dict[str, Any]]
    predictions: dict[str, Any]
    runs: RunSummary

    @classmethod
    def of(cls, rep: DemoReport, *, edge: float, elapsed_s: float) -> DemoResult:
        """From the ops layer's `DemoReport`."""
        return cls(
            season=rep.season,
            dates=rep.dates,
            elapsed_s=round(elapsed_s, 3),
            tables=[{"table": t, "rows": n} for t, n in rep.table_rows],
            ledger=[{"processor": p, "status": s, "runs": n, "rows_written": w} for p, s, n, w in rep.ledger],
            predictions={
                "system": "moving_average",
                "edge": edge,
                "graded": rep.graded,
                "mae": rep.mae,
                "bets": rep.bets,
                "wins": rep.wins,
                "losses": rep.losses,
                "pushes": rep.pushes,
                "voids": rep.voids,
                "hit_rate": rep.hit_rate,
                "profit": rep.profit,
            },
            runs=RunSummary.of(rep.report),
        )


@dataclass(frozen=True)
class BackfillPlan:
    """What a backfill would run (``--dry-run``): partitions per processor, with the history
    (upstream processors, earlier game days) that complete-history planning adds."""

    dates: DateSpan
    processors: list[dict[str, Any]]


@dataclass(frozen=True)
class BackfillProgress:
    """The checkpoint of the last backfill."""

    id: str
    status: str
    """``running (pid N)``, ``done``, ``interrupted (...)``: as a reader should see it."""
    state: str
    """The raw checkpoint state (``running``, ``done`` ...)."""
    dates: DateSpan
    done: int
    planned: int
    updated_at: str
    processors: list[dict[str, Any]]
    """Per processor: ``processor``, ``done``, ``planned``, ``partial`` (partitions below the
    coverage gate, not checkpointed)."""

    @classmethod
    def of(cls, state: BackfillState) -> BackfillProgress:
        """From a loaded checkpoint."""
        done, planned = state.progress
        days = [dt.date.fromisoformat(d) for d in state.dates]
        return cls(
            id=state.id,
            status=state.status,
            state=state.state,
            dates=DateSpan.of(days),
            done=done,
            planned=planned,
            updated_at=state.updated_at,
            processors=[
                {
                    "processor": p,
                    "done": len(state.done.get(p, [])),
                    "planned": state.totals.get(p, 0),
                    "partial": list(state.partial.get(p, [])),
                }
                for p in state.processors
            ],
        )


@dataclass(frozen=True)
class BackfillResult:
    """`nbaprops backfill` in each of its modes; keys absent from a mode are null."""

    mode: Literal["run", "dry_run", "status"]
    plan: BackfillPlan | None = None
    backfill: BackfillProgress | None = None
    """The checkpoint after the run (``run``) or as found (``status``; null: none yet)."""
    runs: RunSummary | None = None
    elapsed_s: float | None = None


@dataclass(frozen=True)
class HealResult:
    """`nbaprops heal`: the plan, what could not be healed, and (unless a dry run) the runs."""

    dry_run: bool
    rerun: list[dict[str, str]]
    downstream: list[str]
    unhealable: list[dict[str, Any]]
    """One entry per processor and reason: ``processor``, ``detail``, ``partitions``."""
    alarms_before: int
    alarms_after: int | None = None
    runs: RunSummary | None = None

    @classmethod
    def of(
        cls,
        plan: HealPlan,
        *,
        dry_run: bool,
        alarms_before: int,
        alarms_after: int | None = None,
        report: RunReport | None = None,
    ) -> HealResult:
        """From the heal plan and, after a real heal, its runs and the alarms left."""
        groups: dict[tuple[str, str], list[str]] = {}
        for f in plan.unhealable:
            groups.setdefault((f.processor, f.detail), []).append(f.partition)
        return cls(
            dry_run=dry_run,
            rerun=[{"processor": p, "partition": k} for p, k in plan.rerun],
            downstream=list(plan.downstream),
            unhealable=[
                {"processor": p, "detail": d, "partitions": sorted(parts)} for (p, d), parts in groups.items()
            ],
            alarms_before=alarms_before,
            alarms_after=alarms_after,
            runs=RunSummary.of(report) if report is not None else None,
        )


@dataclass(frozen=True)
class ScrapeResult:
    """`nbaprops scrape`: one manifest row per stored payload."""

    kind: str
    date: dt.date
    payloads: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, kind: str, date: dt.date, manifest: Iterable[dict[str, Any]]) -> ScrapeResult:
        """From the manifest rows `scrape_date` returned."""
        return cls(kind, date, list(manifest))
