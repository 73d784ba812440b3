"""Commands that run the pipeline: `processors`, `run`, `demo`."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import (
    JsonOption,
    console,
    finish,
    parse_phases,
    print_run_report,
    print_table,
    progress_console,
    reporting,
    split_list,
)
from nbaprops.cli.daily import game_date
from nbaprops.cli.reports import DateSpan, DemoResult, ProcessorsResult, RunResult, RunSummary
from nbaprops.ops.pipeline import demo as run_demo
from nbaprops.ops.pipeline import plan_dates, run_range
from nbaprops.ops.runner import Outcome
from nbaprops.pipeline.registry import default_registry

__all__: list[str] = []


def _progress(as_json: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeRemainingColumn(),
        console=progress_console(as_json),
        transient=True,
    )


@app.command("processors")
@reporting("processors")
def processors_cmd(as_json: JsonOption = False) -> None:
    """List every processor in DAG order: phase, partition kind, output table, inputs, source file."""
    finish("processors", ProcessorsResult.of(default_registry()), as_json=as_json, show=_print_processors)


def _print_processors(result: ProcessorsResult) -> None:
    print_table(
        [
            (
                p.phase,
                p.name,
                p.partition,
                p.output,
                ", ".join(
                    f"{i['table']}[{i['window']}{', feedback' if i['feedback'] else ''}]" for i in p.inputs
                )
                or "(external)",
                "yes" if p.selection == "default" else p.selection,
                p.source_file,
                p.description,
            )
            for p in result.processors
        ],
        columns=["phase", "processor", "partition", "output", "reads", "default", "source", "what"],
        title="Processors (run order; 'default' = run when no processor is named; source under src/nbaprops/)",
    )


@app.command("run")
@reporting("run")
def run_cmd(
    date: Annotated[
        str | None,
        typer.Option(help="One game date: YYYY-MM-DD, today or yesterday (US/Eastern); start = end."),
    ] = None,
    start_date: Annotated[
        str | None, typer.Option(help="First date of a range (or today/yesterday).")
    ] = None,
    end_date: Annotated[str | None, typer.Option(help="Last date of a range, inclusive (or today).")] = None,
    processors: Annotated[
        list[str] | None,
        typer.Option("--processors", "-p", help="Only these processors (comma-separated or repeated)."),
    ] = None,
    phases: Annotated[list[str] | None, typer.Option(help="Only these phases, e.g. 2,3.")] = None,
    force: Annotated[bool, typer.Option(help="Re-run even when inputs and code are unchanged.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run processors for a date or a date range.

    Unchanged partitions are skipped; failed runs and suspicious zero-row runs
    are always retried.  Dates are US/Eastern game dates: `today` is New York's
    date, not UTC's (NBAPROPS_NOW / NBAPROPS_TODAY override the clock).  Every
    earlier game day of the season the selection reads is built first (or found
    unchanged).  Exit code 1 if any run failed.  For the day's scheduled passes
    see `nbaprops daily`.

    Example: nbaprops run --start-date 2025-10-21 --end-date 2025-10-31 -p player_game_summary
    """
    s = settings()
    dates = plan_dates(
        game_date(date, s, what="--date"),
        game_date(start_date, s, what="--start-date"),
        game_date(end_date, s, what="--end-date"),
    )
    procs = split_list(processors)
    phs = parse_phases(phases)
    n = len(default_registry().select(procs, phs)) * len(dates)
    t0 = time.perf_counter()
    with _progress(as_json) as bar:
        task = bar.add_task("running", total=n, last="")

        def tick(o: Outcome) -> None:
            bar.update(task, advance=1, last=f"{o.processor} {o.partition}")

        report = run_range(s, dates, processors=procs, phases=phs, force=force, on_outcome=tick)
    result = RunResult(DateSpan.of(dates), round(time.perf_counter() - t0, 3), RunSummary.of(report))
    finish("run", result, as_json=as_json, show=_print_run, ok=not report.failed)


def _print_run(result: RunResult) -> None:
    print_run_report(result.runs)
    console.print(f"{result.runs.runs} runs in {result.elapsed_s:.1f}s")


@app.command("demo")
@reporting("demo")
def demo_cmd(
    season: Annotated[str, typer.Option(help="Season to run end to end.")] = "2025-26",
    as_json: JsonOption = False,
) -> None:
    """Run the whole pipeline for one real season and report accuracy.

    Loads the public data (schedule, box scores, prop lines), builds
    player_game_summary, predicts every game date with the moving-average
    system (only games before the date), and grades against actual points
    and the real lines.  A second run skips everything unchanged.
    """
    t0 = time.perf_counter()
    with _progress(as_json) as bar:
        task = bar.add_task(f"demo {season}", total=None, last="")

        def start(n: int) -> None:
            bar.update(task, total=n)

        def tick(o: Outcome) -> None:
            bar.update(task, advance=1, last=f"{o.processor} {o.partition}")

        rep = run_demo(settings(), season, on_start=start, on_outcome=tick)
    result = DemoResult.of(rep, edge=settings().edge, elapsed_s=time.perf_counter() - t0)
    finish("demo", result, as_json=as_json, show=_print_demo, ok=not rep.report.failed)


def _print_demo(result: DemoResult) -> None:
    print_table(
        [(t["table"], t["rows"]) for t in result.tables], columns=["table", "rows"], title="Warehouse"
    )
    print_table(
        [tuple(row.values()) for row in result.ledger],
        columns=["processor", "status", "runs", "rows written"],
        title="Ledger",
    )
    p = result.predictions
    hr = f"{p['hit_rate']:.1%}" if p["hit_rate"] is not None else "n/a"
    mae = f"{p['mae']:.2f}" if p["mae"] is not None else "n/a"
    print_table(
        [
            (
                p["system"],
                p["graded"],
                mae,
                p["bets"],
                p["wins"],
                p["losses"],
                p["pushes"],
                p["voids"],
                hr,
                f"{p['profit']:+.2f}",
            )
        ],
        columns=[
            "system",
            "graded",
            "MAE",
            "bets",
            "won",
            "lost",
            "push",
            "void",
            "hit rate",
            "profit (units)",
        ],
        title=f"Predictions {result.season} (edge >= {p['edge']:g} points vs the real line)",
    )
    runs = result.runs
    console.print(
        f"{result.dates} dates, {runs.runs} runs "
        f"({runs.success} ran, {runs.skipped} skipped, "
        f"{runs.failed} failed) in {result.elapsed_s:.1f}s"
    )
