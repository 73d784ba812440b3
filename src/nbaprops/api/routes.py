"""The JSON endpoints: thin over `calls`, `performance`, `players` and `pipeline_state`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import Field

from nbaprops.api import performance
from nbaprops.api.calls import SortKey, date_calls
from nbaprops.api.models import Coverage, GradeDetail, Grades, Health, Page, Picks, PlayerDetail, Run
from nbaprops.api.pipeline_state import coverage, health, runs
from nbaprops.api.players import player_detail
from nbaprops.api.store import reading
from nbaprops.core.calendar import validate_season
from nbaprops.core.config import Settings
from nbaprops.storage import Warehouse

__all__ = ["MAX_LIMIT", "MAX_RANGE_DAYS", "WH", "Day", "grades_range", "resolve_day", "router", "settings_of"]

MAX_LIMIT = 500
"""The most rows any list returns at once."""
MAX_OFFSET = 1_000_000
MAX_RANGE_DAYS = 3 * 366
"""The longest date range ``/grades`` accepts."""
DEFAULT_RANGE_DAYS = 60
"""``/grades`` without ``start``: this many days up to ``end``."""

router = APIRouter()

FIRST_DAY = dt.date(1946, 11, 1)
"""The earliest date any parameter accepts (the first NBA season); later ones are bounded too."""
LAST_DAY = dt.date(2199, 12, 31)
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
"""A date parameter (``YYYY-MM-DD``) within [FIRST_DAY, LAST_DAY]: no arithmetic on it overflows."""

Name = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page (at most {MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")]
Side = Literal["OVER", "UNDER", "PASS"]
Status = Literal["running", "success", "failed", "skipped"]


def settings_of(request: Request) -> Settings:
    """The settings the app was created with."""
    s: Settings = request.app.state.settings
    return s


def warehouse(request: Request) -> Iterator[Warehouse]:
    """The warehouse, read-only, for one request (closed after it)."""
    with reading(settings_of(request)) as wh:
        yield wh


WH = Annotated[Warehouse, Depends(warehouse)]


def resolve_day(settings: Settings, value: Day | Literal["today"] | None) -> dt.date:
    """A date parameter: a date, or ``today`` / nothing for today's US/Eastern date."""
    return settings.today_et() if value is None or value == "today" else value


def grades_range(
    settings: Settings, wh: Warehouse, start: Day | None, end: Day | None
) -> tuple[dt.date, dt.date]:
    """The range of a grades request: ``end`` defaults to the latest graded date.

    Raises:
        HTTPException: 422 when start is after end or the range is too long.
    """
    if end is None:
        end = performance.latest_graded(wh, settings.today_et()) or settings.today_et()
    if start is None:
        start = min(end, end - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1))
    if start > end:
        raise HTTPException(422, f"start {start} is after end {end}")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise HTTPException(422, f"the range {start}..{end} is longer than {MAX_RANGE_DAYS} days")
    return start, end


@router.get("/health", response_model=Health, tags=["pipeline"])
def get_health(request: Request) -> Health:
    """Code version, whether the warehouse is readable now, the last successful pass per phase."""
    return health(settings_of(request))


@router.get("/picks", response_model=Picks, tags=["calls"])
def get_picks(
    request: Request,
    wh: WH,
    date: Annotated[Day | Literal["today"] | None, Query(description="YYYY-MM-DD or today.")] = None,
    market: Name | None = None,
    system: Name | None = None,
    book: Name | None = None,
    side: Side | None = None,
    sort: SortKey = "edge",
    limit: Limit = 100,
    offset: Offset = 0,
) -> Picks:
    """The calls of a date (rows with a line), sorted; with players ruled out where tracked."""
    day = resolve_day(settings_of(request), date)
    return date_calls(
        wh, day, market=market, system=system, book=book, side=side, sort=sort, limit=limit, offset=offset
    )


@router.get("/grades", response_model=Grades, tags=["calls"])
def get_grades(
    request: Request,
    wh: WH,
    start: Day | None = None,
    end: Annotated[Day | None, Query(description="Default: the latest graded date.")] = None,
    system: Name | None = None,
    market: Name | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Grades:
    """Hit rate, MAE, ROI and N per system with 95% intervals (Wilson, bootstrap)."""
    first, last = grades_range(settings_of(request), wh, start, end)
    rows = performance.summaries(performance.graded_rows(wh, first, last, system=system, market=market))
    return Grades(
        start=first,
        end=last,
        market=market,
        total=len(rows),
        limit=limit,
        offset=offset,
        items=rows[offset : offset + limit],
    )


@router.get("/grades/detail", response_model=GradeDetail, tags=["calls"])
def get_grade_detail(
    request: Request,
    wh: WH,
    start: Day | None = None,
    end: Day | None = None,
    system: Name | None = None,
    market: Name | None = None,
) -> GradeDetail:
    """Cumulative hit rate and ROI per date with bands, calibration and edge buckets."""
    first, last = grades_range(settings_of(request), wh, start, end)
    df = performance.graded_rows(wh, first, last, system=system, market=market)
    return GradeDetail(
        start=first,
        end=last,
        series=performance.series(df),
        calibration=performance.calibration(df),
        edge_buckets=performance.edge_buckets(df),
    )


@router.get("/coverage", response_model=Coverage, tags=["pipeline"])
def get_coverage(
    request: Request,
    season: Annotated[str, Query(description="A season like 2025-26.", max_length=16)],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Coverage:
    """The season's validation report (``nbaprops validate --season``): coverage and every gap."""
    report, _ = coverage(settings_of(request), validate_season(season), limit=limit, offset=offset)
    return report


@router.get("/runs", response_model=Page[Run], tags=["pipeline"])
def get_runs(
    wh: WH,
    date: Annotated[Day | None, Query(description="Runs of this date's partitions.")] = None,
    status: Status | None = None,
    processor: Name | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[Run]:
    """The run ledger, newest first."""
    part = None if date is None else date.isoformat()
    return runs(wh, partition=part, status=status, processor=processor, limit=limit, offset=offset)


@router.get("/players/{player_id}", response_model=PlayerDetail, tags=["players"])
def get_player(
    wh: WH,
    player_id: Annotated[int, Path(ge=1, le=2**53, description="NBA.com person id.")],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Recent games, lines and calls.")] = 50,
) -> PlayerDetail:
    """A player's recent games, the lines offered and every call against what happened."""
    found = player_detail(wh, player_id, limit=limit)
    if found is None:
        raise HTTPException(404, f"no player {player_id} in the warehouse (no box score and no call)")
    return found
