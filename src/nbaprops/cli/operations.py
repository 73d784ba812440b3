"""Operations commands: `validate`, `heal`, `monitor`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape

from nbaprops.api.store import read_runner
from nbaprops.cli.app import app, settings
from nbaprops.cli.console import (
    JsonOption,
    console,
    err,
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
from nbaprops.ops.validate import ALARMS, coverage_report, served_by, validate

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


class FailOn(StrEnum):
    """When a report command exits non-zero."""

    never = "never"
    alarm = "alarm"


_FAIL_ON = typer.Option(
    "--fail-on", help="'alarm': exit 1 when any alarm is found (for a scheduled job to gate on)."
)
_ALARMS_ONLY = typer.Option("--alarms-only", help="Show only alarms (no expected gaps).")
_ALARM_EXIT = 1


def print_summary(
    groups: Mapping[tuple[str, str], list[str]], alarm: Callable[[str], bool], title: str
) -> None:
    """The grouped summary: one line per (class, processor), alarms first, with the span."""
    order = sorted(groups, key=lambda k: (not alarm(k[0]), k[0], k[1]))
    rows = [
        [c, "yes" if alarm(c) else "no", p, len(groups[c, p]), min(groups[c, p]), max(groups[c, p])]
        for c, p in order
    ]
    print_table(rows, columns=["class", "alarm", "processor", "count", "first", "last"], title=title)


def _fail_if(fail_on: FailOn, alarms: int, what: str) -> None:
    if fail_on is FailOn.alarm and alarms:
        err.print(f"[bold red]{alarms} alarm(s)[/] {what} (--fail-on alarm)", highlight=False)
        raise typer.Exit(_ALARM_EXIT)


@app.command("validate")
@handle_errors
def validate_cmd(
    season: Annotated[str | None, typer.Option(help="A whole season, e.g. 2025-26.")] = None,
    start_date: Annotated[str | None, typer.Option(help="First date.")] = None,
    end_date: Annotated[str | None, typer.Option(help="Last date (inclusive).")] = None,
    phase: Annotated[list[int] | None, typer.Option(help="Only this phase (repeatable).")] = None,
    alarms_only: Annotated[bool, _ALARMS_ONLY] = False,
    fail_on: Annotated[FailOn, _FAIL_ON] = FailOn.never,
    as_json: Annotated[bool, typer.Option("--json", help="Print findings as a JSON array.")] = False,
) -> None:
    """Check every partition: schedule, ledger, catalog checksums, warehouse rows, audits.

    Prints a summary (class x processor), then each alarm; --json lists every finding.
    Alarms: tampered, tracking_mismatch, real_loss, partial, audit_failed, upstream_missing, blocked_by_gate,
    source_disagreement (sources differ on a score or a player's points).
    Expected: future_date, legitimate_zero, not_covered (outside the source's dates), bootstrap.
    Then which source served the games of each canonical table (schedule, box scores);
    with --season it also prints the season's coverage per phase.
    Example: nbaprops validate --season 2025-26 --alarms-only --fail-on alarm
    """
    with read_runner(settings()) as runner:  # never takes a running writer's lock
        note = getattr(runner.wh, "read_note", None)
        if note:  # a run is writing: its read snapshot, and how old
            err.print(note, highlight=False)
        _validate(runner, season, start_date, end_date, phase, alarms_only, fail_on, as_json)


def _validate(
    runner: Runner,
    season: str | None,
    start_date: str | None,
    end_date: str | None,
    phase: list[int] | None,
    alarms_only: bool,
    fail_on: FailOn,
    as_json: bool,
) -> None:
    days = _dates(runner, season, start_date, end_date)
    findings = validate(runner, days, phases=_phases(phase))
    alarms = sum(f.alarm for f in findings)
    shown = [f for f in findings if f.alarm] if alarms_only else findings
    if as_json:
        print_json([f.to_json() for f in shown])
        _fail_if(fail_on, alarms, "found by validate")
        return
    groups: dict[tuple[str, str], list[str]] = {}
    for f in shown:
        groups.setdefault((f.classification, f.processor), []).append(f.partition)
    head = f"Validation: {alarms} alarm(s), {len(findings) - alarms} expected gap(s)"
    if groups:
        print_summary(groups, lambda c: c in ALARMS, head)
        listed = [[getattr(f, c) for c in _COLUMNS] for f in findings if f.alarm]
        if listed:
            print_table(listed, columns=_COLUMNS, title="Alarms")
        if len(listed) < len(shown):
            console.print(f"{len(shown) - len(listed)} expected gap(s): counted above; --json lists each")
    else:
        console.print(f"{head}: every partition is complete, matches its checksum and passes its audits")
    served = served_by(runner, days, phases=_phases(phase))
    if served:
        print_table(
            [[x.table, x.source, x.games, x.first, x.last] for x in served],
            columns=["table", "source", "games", "first", "last"],
            title="Served by (the canonical tables' source column)",
        )
    if season:
        row = coverage_report(runner, season, findings)
        cols = ["season", "dates", "games", "raw", "analytics", "precompute", "predictions"]
        print_table(
            [[row[c] for c in cols]], columns=[*cols[:3], *(f"{c} %" for c in cols[3:])], title="Coverage"
        )
    _fail_if(fail_on, alarms, "found by validate")


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
    alarms_only: Annotated[bool, _ALARMS_ONLY] = False,
    fail_on: Annotated[FailOn, _FAIL_ON] = FailOn.never,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Zero-row and failed runs, each classified against the warehouse now; count false alarms.

    Prints a summary (class x processor), then the real problems; --json lists every run.
    A run is a real problem only when validate still finds an alarm on its partition.
    Example: nbaprops monitor --since 36h --alarms-only --fail-on alarm
    """
    span = parse_duration(since, what="--since")
    runner = open_runner(settings())
    rep = monitor(runner, span)
    cls_at = rep.columns.index("classification")
    shown = [r for r in rep.rows if str(r[cls_at]) in ALARMS] if alarms_only else rep.rows
    if as_json:
        out = rep.to_json()
        out["runs"] = [dict(zip(rep.columns, r, strict=True)) for r in shown]
        print_json(out)
        _fail_if(fail_on, rep.real, "found by monitor")
        return
    groups: dict[tuple[str, str], list[str]] = {}
    for r in shown:
        groups.setdefault((str(r[cls_at]), str(r[1])), []).append(str(r[2]))
    if groups:
        print_summary(groups, lambda c: c in ALARMS, f"Zero-row and failed runs since {since}")
        real = [r for r in shown if str(r[cls_at]) in ALARMS]
        if real:
            print_table(real, columns=rep.columns, title="Real problems")
    alarms = rep.alarm_classes.most_common()
    by_class = f": {', '.join(f'{c} {n}' for c, n in alarms)}" if alarms else ""
    console.print(
        f"{len(rep.rows)} runs flagged: {rep.false_alarms} false alarm(s) (data is there), "
        f"{rep.expected} expected, {rep.real} real problem(s){by_class}"
    )
    _fail_if(fail_on, rep.real, "found by monitor")
