"""`nbaprops backfill`: many dates, in parallel, resumable."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import (
    JsonOption,
    console,
    finish,
    parse_date,
    parse_phases,
    print_run_report,
    print_table,
    progress_console,
    reporting,
    split_list,
)
from nbaprops.cli.reports import BackfillPlan, BackfillProgress, BackfillResult, DateSpan, RunSummary
from nbaprops.core.calendar import validate_season
from nbaprops.core.errors import InputError
from nbaprops.ops.backfill import dry_run_plan, load_state, preflight, resolve_dates, run_backfill
from nbaprops.ops.pipeline import check_public_data, open_runner
from nbaprops.ops.runner import Outcome
from nbaprops.pipeline.registry import default_registry

__all__: list[str] = []


def _status(as_json: bool) -> None:
    state = load_state(settings())
    progress = BackfillProgress.of(state) if state is not None else None
    finish("backfill", BackfillResult("status", backfill=progress), as_json=as_json, show=_print_status)


def _print_status(result: BackfillResult) -> None:
    progress = result.backfill
    if progress is None:
        console.print("no backfill has been run in this home")
        return
    console.print(
        f"backfill {progress.id}: {progress.status}, {progress.done}/{progress.planned} partitions done, "
        f"{progress.dates.first} .. {progress.dates.last}, updated {progress.updated_at}"
    )
    print_table(
        [(p["processor"], p["done"], p["planned"], len(p["partial"])) for p in progress.processors],
        columns=["processor", "done", "planned", "partial (gate)"],
    )


@app.command("backfill")
@reporting("backfill")
def backfill_cmd(
    start_date: Annotated[str | None, typer.Option(help="First date.")] = None,
    end_date: Annotated[str | None, typer.Option(help="Last date (inclusive).")] = None,
    dates: Annotated[str | None, typer.Option(help="Comma-separated dates.")] = None,
    season: Annotated[str | None, typer.Option(help="A whole season, e.g. 2024-25.")] = None,
    phases: Annotated[list[str] | None, typer.Option(help="Only these phases, e.g. 2,3.")] = None,
    processors: Annotated[list[str] | None, typer.Option("--processors", "-p", help="Only these.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Partitions run in parallel.")] = 2,
    dry_run: Annotated[bool, typer.Option(help="Print the plan only.")] = False,
    no_resume: Annotated[bool, typer.Option("--no-resume", help="Ignore the checkpoint.")] = False,
    status: Annotated[bool, typer.Option("--status", help="Show the last backfill's progress.")] = False,
    skip_preflight: Annotated[bool, typer.Option(help="Do not check inputs first.")] = False,
    force: Annotated[bool, typer.Option(help="Re-run unchanged partitions too.")] = False,
    chunk: Annotated[int, typer.Option(min=1, help="Partitions per unit of work and checkpoint.")] = 32,
    as_json: JsonOption = False,
) -> None:
    """Backfill a range: DAG order, parallel partitions, an atomic checkpoint to resume from.

    Interrupted (Ctrl-C, kill -9)? Run the same command again: it resumes.
    Example: nbaprops backfill --season 2024-25 --workers 2
    """
    if status:
        _status(as_json)
        return
    day_list = None
    if dates is not None:
        day_list = [parse_date(d.strip(), what="--dates") for d in dates.split(",") if d.strip()]
    start = parse_date(start_date, what="--start-date")
    end = parse_date(end_date, what="--end-date")
    procs = default_registry().select(split_list(processors), parse_phases(phases))
    if not procs:
        raise InputError("no processor matches --phases/--processors")
    if start and end and end < start:
        raise InputError(f"end date {end} is before start date {start}")
    if season is not None:
        validate_season(season)
        if not check_public_data(settings()).fingerprint("games", "season", season)[1]:
            raise InputError(f"season {season} is not in the schedule of the public data")
    runner = open_runner(settings(), needs_data=any(p.external is not None for p in procs))
    days = resolve_dates(runner, start=start, end=end, days=day_list, season=season)  # type: ignore[arg-type]
    if not skip_preflight:
        pf = preflight(runner, procs, days)
        if not pf.ok:
            raise InputError("pre-flight: " + "; ".join(pf.missing))
    if dry_run:
        planned = BackfillPlan(DateSpan.of(days), dry_run_plan(runner, procs, days))
        finish("backfill", BackfillResult("dry_run", plan=planned), as_json=as_json, show=_print_plan)
        return
    t0 = time.perf_counter()
    with Progress(
        TextColumn("[bold]phase {task.fields[phase]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=progress_console(as_json),
        transient=True,
    ) as bar:
        tasks: dict[int, TaskID] = {}

        def plan(totals: dict[str, int]) -> None:
            reg = default_registry()
            for name, n in totals.items():
                ph = reg.get(name).phase
                if ph not in tasks:
                    tasks[ph] = bar.add_task("", total=0, phase=ph)
                bar.update(tasks[ph], total=(bar.tasks[tasks[ph]].total or 0) + n)

        def tick(o: Outcome) -> None:
            ph = default_registry().get(o.processor).phase
            if ph in tasks:
                bar.update(tasks[ph], advance=1)

        state, report = run_backfill(
            runner,
            procs,
            days,
            workers=workers,
            resume=not no_resume,
            force=force,
            chunk=chunk,
            on_outcome=tick,
            on_plan=plan,
        )
    result = BackfillResult(
        "run",
        backfill=BackfillProgress.of(state),
        runs=RunSummary.of(report),
        elapsed_s=round(time.perf_counter() - t0, 3),
    )
    finish("backfill", result, as_json=as_json, show=_print_done, ok=not report.failed)


def _print_plan(result: BackfillResult) -> None:
    assert result.plan is not None
    span = result.plan.dates
    rows = result.plan.processors
    print_table(
        [(row["phase"], row["processor"], row["partitions"]) for row in rows],
        columns=["phase", "processor", "partitions"],
        title=f"Plan: {span.first} .. {span.last} ({span.count} dates)",
    )
    for row in rows:
        if (h := row["history"]) is not None:
            span_text = h["first"] if h["count"] == 1 else f"{h['first']} .. {h['last']}"
            console.print(f"history: +{h['count']} partitions of {row['processor']} from {span_text}")


def _print_done(result: BackfillResult) -> None:
    assert result.backfill is not None and result.runs is not None
    progress = result.backfill
    print_run_report(result.runs)
    console.print(
        f"backfill {progress.id} {progress.state}: {progress.done}/{progress.planned} partitions checkpointed "
        f"in {result.elapsed_s or 0:.1f}s"
    )
    for p in progress.processors:
        parts = p["partial"]
        if parts:
            console.print(
                f"[yellow]partial (below the gate), not checkpointed[/] {p['processor']}: "
                f"{', '.join(parts[:5])}{' ...' if len(parts) > 5 else ''}"
            )
