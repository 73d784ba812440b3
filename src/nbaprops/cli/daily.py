"""`nbaprops daily`: one pass of the day's cycle (morning, update, night) for a game date."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Annotated

import typer

from nbaprops.cli.app import app, settings
from nbaprops.cli.console import JsonOption, console, finish, parse_date, print_run_report, reporting
from nbaprops.cli.reports import RunSummary
from nbaprops.core.calendar import relative_day
from nbaprops.core.config import Settings
from nbaprops.core.errors import InputError
from nbaprops.ops.daily import PASSES, due_pass, run_pass

__all__ = ["DailyResult", "game_date"]


@dataclass(frozen=True)
class DailyResult:
    """`nbaprops daily`: which pass ran for which date, with what, and what the runner did."""

    pass_name: str
    chosen_by: str
    """``option`` (``--pass``) or ``clock`` (``auto``: from the US/Eastern time)."""
    date: dt.date
    label: str
    """The ledger's label of the pass (``nbaprops ledger --group LABEL``)."""
    scrape: bool
    processors: list[str]
    elapsed_s: float
    runs: RunSummary


def game_date(value: str | None, s: Settings, *, what: str = "--date") -> dt.date | None:
    """A date option: ``YYYY-MM-DD``, or ``today`` / ``yesterday`` / ``tomorrow`` as US/Eastern
    dates of the clock (``NBAPROPS_NOW`` / ``NBAPROPS_TODAY`` override it)."""
    if value is None:
        return None
    rel = relative_day(value, s.today_et())
    return rel if rel is not None else parse_date(value, what=what)


@app.command("daily")
@reporting("daily")
def daily_cmd(
    pass_name: Annotated[
        str,
        typer.Option(
            "--pass",
            help="morning, update, night, or auto: from the US/Eastern clock (before 06:00 night of "
            "the day before, until noon morning, then update).",
        ),
    ] = "auto",
    date: Annotated[
        str | None,
        typer.Option(
            help="Game date (US/Eastern): YYYY-MM-DD, today or yesterday. Default: the pass's date."
        ),
    ] = None,
    scrape: Annotated[
        bool,
        typer.Option(
            help="Also fetch the pass's live sources (phase 1) and parse them; without it the pass "
            "runs on the public archive alone (no network, no keys)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Run one pass of the daily cycle for a US/Eastern game date.

    \b
    morning  before the games: schedule, injury report and prop lines, player
             availability, upcoming context, defence zones (earlier games only),
             predictions.
    update   the morning's selection again, as often as wanted: a new injury
             report or line snapshot re-runs what reads it; everything else is
             skipped as unchanged.
    night    after the games: box scores, player and team summaries,
             precompute (daily cache, shot zones, composite factors, feature
             store), grades.

    History a pass reads (every earlier game day of the season) is built first
    or found unchanged. With --scrape each pass fetches its kinds anew (the
    morning/update the injury report, events and props; the night the box
    scores) before parsing them. Every ledger row of the pass carries its label:
    `nbaprops ledger --passes`, `nbaprops ledger --group night`.

    \b
    Schedule (US/Eastern; docs/operations.md):
      10:00            nbaprops daily --pass morning --scrape
      every 30 min     nbaprops daily --pass update --scrape   (11:00-19:00)
      04:00            nbaprops daily --pass night --scrape --date yesterday
    or `nbaprops daily --scrape` every 30 minutes (auto picks the pass).
    Exit code 1 if any run failed.
    """
    s = settings()
    day = game_date(date, s)
    if pass_name == "auto":
        name, due_day = due_pass(s.now_utc())
        chosen = "clock"
    elif pass_name in PASSES:
        name, due_day = pass_name, s.today_et()
        chosen = "option"
    else:
        raise InputError(f"--pass {pass_name!r} is not one of auto, {', '.join(PASSES)}")
    day = day or due_day
    t0 = time.perf_counter()
    rep = run_pass(s, name, day, scrape=scrape)
    result = DailyResult(
        pass_name=rep.name,
        chosen_by=chosen,
        date=rep.day,
        label=rep.label,
        scrape=rep.scrape,
        processors=rep.processors,
        elapsed_s=round(time.perf_counter() - t0, 3),
        runs=RunSummary.of(rep.report),
    )
    finish("daily", result, as_json=as_json, show=_print_daily, ok=not rep.report.failed)


def _print_daily(result: DailyResult) -> None:
    print_run_report(result.runs)
    source = "live sources + archive" if result.scrape else "archive only"
    console.print(
        f"{result.pass_name} pass for {result.date} ({source}; chosen by {result.chosen_by}): "
        f"{result.runs.runs} runs ({result.runs.success} ran, {result.runs.skipped} skipped, "
        f"{result.runs.failed} failed) in {result.elapsed_s:.1f}s; ledger group '{result.label}'",
        highlight=False,
    )
