"""Command `picks`: the calls of a date, as a table or JSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, cast

import typer

from nbaprops.api.sorting import SORT_NAMES, SortKey
from nbaprops.cli.app import app, settings
from nbaprops.cli.console import JsonOption, console, finish, parse_date, print_table, reporting
from nbaprops.core.errors import InputError

if TYPE_CHECKING:
    from nbaprops.api.models import Picks

__all__: list[str] = []

_COLUMNS = (
    ("player", lambda p: p.player_name or p.player_id),
    ("game", lambda p: "@".join(p.game_code.split("_")[1:3]) or p.game_code),
    ("system", lambda p: p.system if p.source == "system_predictions" else f"{p.system} (baseline)"),
    ("market", lambda p: p.market),
    ("line", lambda p: p.line),
    ("book", lambda p: p.book),
    ("price", lambda p: None if p.price is None else f"{p.price:+.0f}"),
    ("side", lambda p: p.side),
    ("pred", lambda p: None if p.prediction is None else round(p.prediction, 1)),
    ("P(over)", lambda p: None if p.p_over is None else round(p.p_over, 2)),
    ("edge", lambda p: None if p.edge is None else round(p.edge, 1)),
    ("stake", lambda p: p.stake),
    ("reason / result", lambda p: p.result if p.result and p.result != "PASS" else p.reason),
)


def _day(value: str) -> dt.date:
    if value == "today":
        return settings().today_et()
    day = parse_date(value, what="--date")
    assert day is not None
    return day


@app.command("picks")
@reporting("picks")
def picks_cmd(
    date: Annotated[str, typer.Option(help="Game date, YYYY-MM-DD or today (US/Eastern).")] = "today",
    market: Annotated[str | None, typer.Option(help="Only this market, e.g. player_points.")] = None,
    system: Annotated[str | None, typer.Option(help="Only this system, e.g. ensemble.")] = None,
    book: Annotated[str | None, typer.Option(help="Only calls priced at this book.")] = None,
    side: Annotated[str | None, typer.Option(help="Only OVER, UNDER or PASS.")] = None,
    sort: Annotated[str, typer.Option(help=f"Sort by: {', '.join(SORT_NAMES)}.")] = "edge",
    limit: Annotated[int, typer.Option(help="At most this many rows (0: all).", min=0)] = 50,
    as_json: JsonOption = False,
) -> None:
    """The calls of a date: player, game, market, line, book and price, side, prediction,
    P(over), edge, stake, and the reason for a PASS; with the players ruled out.

    With --json the report (docs/cli.md) holds the same document as GET /picks.
    A call is a prediction that had a line.  Rows come from `predictions` (the baseline)
    and `system_predictions` (every system and the ensemble), with their grades once final.
    Numbers sort largest first (edge by its size), text A to Z.

    Example: nbaprops picks --date 2025-11-10 --system ensemble --side OVER
    """
    if sort not in SORT_NAMES:
        raise InputError(f"--sort {sort!r}: choose one of {', '.join(SORT_NAMES)}")
    wanted_side = side.upper() if side else None
    if wanted_side not in (None, "OVER", "UNDER", "PASS"):
        raise InputError(f"--side {side!r}: choose OVER, UNDER or PASS")
    from nbaprops.api.calls import date_calls  # pydantic models load only when listing calls
    from nbaprops.api.store import reading

    day = _day(date)
    with reading(settings()) as wh:
        picks = date_calls(
            wh,
            day,
            market=market,
            system=system,
            book=book,
            side=wanted_side,
            sort=cast(SortKey, sort),
            limit=limit or None,
        )
    finish("picks", picks, as_json=as_json, show=_show)


def _show(picks: Picks) -> None:
    availability = (
        f"{picks.ruled_out} player(s) ruled out"
        if picks.availability == "tracked"
        else "availability: not tracked"
    )
    if not picks.total:
        later = (
            ""
            if picks.latest_date in (None, picks.date)
            else f"; the latest date with calls is {picks.latest_date}"
        )
        console.print(f"no calls for {picks.date}{later} ({availability})")
        return
    rows = [[get(p) for _, get in _COLUMNS] for p in picks.items]
    shown = [i for i in range(len(_COLUMNS)) if any(r[i] is not None for r in rows)]  # no empty column
    if len(picks.markets) == 1:
        shown.remove(3)  # one market: named in the title
    print_table(
        [[r[i] for i in shown] for r in rows],
        columns=[_COLUMNS[i][0] for i in shown],
        title=f"Calls {picks.date} ({', '.join(picks.markets)}): {picks.total}, {availability}",
    )
    if picks.total > len(picks.items):
        console.print(
            f"showing {len(picks.items)} of {picks.total}: --limit 0 for all, or filter by --system/--side"
        )
