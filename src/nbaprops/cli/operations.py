"""Operations commands: `validate`, `heal`, `monitor`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.markup import escape

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import (
    JsonOption,
    console,
    finish,
    handle_errors,
    parse_date,
    parse_duration,
    print_json,
    print_table,
    reporting,
)
from nbaprops.cli.reports import HealResult
from nbaprops.core.calendar import validate_season
from nbaprops.core.errors import InputError
from nbaprops.ops.heal import heal
from nbaprops.ops.monitor import monitor
from nbaprops.ops.pipeline import open_runner, plan_dates
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import Finding, coverage_report, validate

__all__: list[str] = []

_COLUMNS = ["processor", "partition", "classification", "expected", "ledger", "warehouse", "detail"]


def _dates(runner: Runner, season: str | None, start: str | None, end: str | None) -> list[dt.date]:
    if season is not None:
        if start or end:
            raise InputError("give either --season or --start-date/--end-date, not both")
        first, last = runner.calendar.season_bounds(validate_season(season))
        return runner.calendar.dates(first, last)
    return plan_dates(None, parse_date(start, what="--start-date"), parse_date(end, what="--end-date"))


def _phases(phase: list[int] | None) -> list[int] | None:
    if phase and any(p not in (1, 2, 3, 4, 5) for p in phase):
        raise InputError(f"phases are 1..5, got {phase}")
    return phase or None


def _show(findings: list[Finding], title: str) -> None:
    alarms = [f for f in findings if f.alarm]
    print_table(
        [[getattr(f, c) for c in _COLUMNS] for f in findings],
        columns=_COLUMNS,
        title=f"{title}: {len(alarms)} alarm(s), {len(findings) - len(alarms)} expected gap(s)",
    )


@app.command("validate")
@handle_errors
def validate_cmd(
    season: Annotated[str | None, typer.Option(help="A whole season, e.g. 2025-26.")] = None,
    start_date: Annotated[str | None, typer.Option(help="First date.")] = None,
    end_date: Annotated[str | None, typer.Option(help="Last date (inclusive).")] = None,
    phase: Annotated[list[int] | None, typer.Option(help="Only this phase (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as a JSON array.")] = False,
) -> None:
    """Compare schedule, ledger and warehouse for every partition; classify every gap.

    Classes: tracking_mismatch, real_loss, partial, upstream_missing, blocked_by_gate
    (alarms) and future_date, legitimate_zero, bootstrap (expected).  With --season it
    also prints the season's coverage per phase.
    """
    runner = open_runner(settings())
    days = _dates(runner, season, start_date, end_date)
    findings = validate(runner, days, phases=_phases(phase))
    if as_json:
        print_json([f.to_json() for f in findings])
        return
    _show(findings, "Validation")
    if season:
        row = coverage_report(runner, season, findings)
        cols = ["season", "dates", "games", "raw", "analytics", "precompute", "predictions"]
        print_table(
            [[row[c] for c in cols]], columns=[*cols[:3], *(f"{c} %" for c in cols[3:])], title="Coverage"
        )


@app.command("heal")
@reporting("heal")
def heal_cmd(
    season: Annotated[str | None, typer.Option(help="A whole season, e.g. 2025-26.")] = None,
    start_date: Annotated[str | None, typer.Option(help="First date.")] = None,
    end_date: Annotated[str | None, typer.Option(help="Last date (inclusive).")] = None,
    dry_run: Annotated[bool, typer.Option(help="Only print the plan.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Re-run exactly what `validate` finds broken, then what depends on it.

    Lost or partial partitions and ledger mismatches are re-run (forced); downstream
    processors are re-checked and rebuilt only where their inputs really changed.  Gaps
    whose source has nothing are listed, not touched.
    """
    runner = open_runner(settings())
    days = _dates(runner, season, start_date, end_date)
    before = validate(runner, days)
    plan, report = heal(runner, before, days, dry_run=dry_run)
    n_before = sum(f.alarm for f in before)
    if dry_run:
        result = HealResult.of(plan, dry_run=True, alarms_before=n_before)
    else:
        after = sum(f.alarm for f in validate(runner, days))
        result = HealResult.of(plan, dry_run=False, alarms_before=n_before, alarms_after=after, report=report)
    finish("heal", result, as_json=as_json, show=_show_heal, ok=not report.failed)


def _show_heal(result: HealResult) -> None:
    if result.rerun:
        print_table(
            [(r["processor"], r["partition"]) for r in result.rerun],
            columns=["processor", "partition"],
            title=f"Re-run ({len(result.rerun)}), then downstream: {', '.join(result.downstream) or '-'}",
        )
    else:
        console.print("nothing to re-run: no lost, partial or miscounted partition in the range")
    for u in result.unhealable:  # one line per processor and reason
        parts = u["partitions"]
        where = parts[0] if len(parts) == 1 else f"{len(parts)} partitions, {min(parts)} .. {max(parts)}"
        console.print(
            f"[yellow]cannot heal[/] {u['processor']} {where}: {escape(u['detail'])}", highlight=False
        )
    if result.runs is not None:
        console.print(
            f"alarms: {result.alarms_before} before, {result.alarms_after} after; "
            f"{result.runs.success} runs, {result.runs.failed} failed"
        )


@app.command("monitor")
@handle_errors
def monitor_cmd(
    since: Annotated[str, typer.Option(help="How far back: 7d, 36h, 90m, 2w (at most 100 years).")] = "7d",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List zero-row and failed runs with their classification; count the false alarms."""
    span = parse_duration(since, what="--since")
    runner = open_runner(settings())
    rep = monitor(runner, span)
    if as_json:
        print_json(rep.to_json())
        return
    print_table(rep.rows, columns=rep.columns, title=f"Zero-row and failed runs since {since}")
    alarms = rep.alarm_classes.most_common()
    by_class = f": {', '.join(f'{c} {n}' for c, n in alarms)}" if alarms else ""
    console.print(
        f"{len(rep.rows)} runs flagged: {rep.false_alarms} false alarm(s) (data is there), "
        f"{rep.expected} expected, {rep.real} real problem(s){by_class}"
    )
