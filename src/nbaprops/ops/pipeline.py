"""Entry points the CLI and API call: run a range, run the demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nbaprops.core.calendar import validate_season
from nbaprops.core.config import Settings
from nbaprops.core.errors import InputError
from nbaprops.ops import gates
from nbaprops.ops.alerts import notify_report
from nbaprops.ops.ledger import Ledger
from nbaprops.ops.runner import Outcome, Runner, RunReport
from nbaprops.pipeline.predict.grading import BET_RESULTS
from nbaprops.pipeline.predict.prediction_grades import PREDICTION_GRADES
from nbaprops.pipeline.registry import default_registry
from nbaprops.sources.public_data import PublicData, open_public_data
from nbaprops.storage import open_warehouse
from nbaprops.storage.queries import predict as predict_queries

__all__ = ["DemoReport", "check_public_data", "demo", "open_runner", "plan_dates", "run_range"]


def check_public_data(settings: Settings) -> PublicData:
    """The configured public data folder, checked before anything is opened or written."""
    return open_public_data(settings.resolved_data_dir)


def open_runner(settings: Settings, *, needs_data: bool = True) -> Runner:
    """A runner on the configured warehouse (the data folder is checked first)."""
    if needs_data:
        check_public_data(settings)
    wh = open_warehouse(settings.warehouse_url, threads=settings.duckdb_threads)
    return Runner(settings=settings, warehouse=wh)  # with the 90 % coverage gate


def plan_dates(date: dt.date | None, start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    """The dates a ``--date`` or ``--start-date/--end-date`` pair names.

    Raises:
        InputError: when neither or both forms are given, or end < start.
    """
    if date is not None and (start or end):
        raise InputError("give either --date or --start-date/--end-date, not both")
    if date is not None:
        return [date]
    if start is None or end is None:
        raise InputError("give --date D, or both --start-date and --end-date")
    if end < start:
        raise InputError(f"end date {end} is before start date {start}")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def run_range(
    settings: Settings,
    dates: list[dt.date],
    *,
    processors: Iterable[str] | None = None,
    phases: Iterable[int] | None = None,
    force: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    runner: Runner | None = None,
) -> RunReport:
    """Run the selected processors over the dates (all processors by default).

    Raises:
        InputError: for an unknown processor or phase (before anything is written).
    """
    selected = default_registry().select(processors, phases)
    needs_data = any(p.external is not None for p in selected)
    runner = runner or open_runner(settings, needs_data=needs_data)
    if any(p.stale_when_final for p in selected):
        gates.cleanup_stale_upcoming(runner)  # dates that became final lose their upcoming rows
    report = runner.run(selected, dates, force=force, on_outcome=on_outcome, complete_history=True)
    notify_report(settings, runner.wh, report)
    return report


@dataclass
class DemoReport:
    """What `demo` shows: table sizes, ledger summary and accuracy."""

    season: str
    dates: int
    report: RunReport
    table_rows: list[tuple[str, int]]
    ledger: list[tuple[str, str, int, int]]
    graded: int
    mae: float | None
    bets: int
    wins: int
    losses: int
    pushes: int
    voids: int
    profit: float

    @property
    def hit_rate(self) -> float | None:
        """Wins over decided bets (pushes and voids excluded)."""
        n = self.wins + self.losses
        return self.wins / n if n else None


def demo(
    settings: Settings,
    season: str,
    *,
    on_start: Callable[[int], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> DemoReport:
    """Run the whole pipeline for one full season and summarise it.

    Args:
        settings: the settings in force.
        season: e.g. ``2025-26``.
        on_start: told the number of (processor, partition) runs planned.
        on_outcome: told each outcome, for progress.

    Raises:
        InputError: when the season is not in the public data.
    """
    validate_season(season)
    runner = open_runner(settings)
    reg = default_registry()
    schedule = reg.calendar_source
    first_guess = dt.date(int(season[:4]), 12, 1)
    runner.run([schedule], [first_guess])
    try:
        first, last = runner.calendar.season_bounds(season)
    except InputError:
        raise InputError(f"season {season} is not in the public data schedule") from None
    dates = runner.calendar.dates(first, last)
    procs = [p for p in reg.select() if p is not schedule]
    if on_start:
        on_start(len(procs) * len(dates))
    report = runner.run(procs, dates, on_outcome=on_outcome, complete_history=True)
    notify_report(settings, runner.wh, report)
    wh = runner.wh
    tables = [(p.output, wh.count(p.output)) for p in reg.select()]
    g = wh.rows(
        predict_queries.SEASON_ACCURACY.format(table=PREDICTION_GRADES.output),
        {"s": season, "bets": list(BET_RESULTS)},  # the one definition of a bet: VOID/PASS are not
    )[0]
    return DemoReport(
        season=season,
        dates=len(dates),
        report=report,
        table_rows=tables,
        ledger=Ledger(wh).summary(),
        graded=int(g[0]),
        mae=g[1],
        bets=int(g[2]),
        wins=int(g[3]),
        losses=int(g[4]),
        pushes=int(g[5]),
        voids=int(g[6]),
        profit=float(g[7]),
    )
