"""The dashboard: server-rendered pages (Jinja2) over the same reads as the JSON API.

Pages: Today (the calls), Performance (how the calls have done), Data health (is the
pipeline complete) and Player.  Charts are drawn by Plotly from data embedded in the page;
every asset is served by the app itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from nbaprops.api import performance
from nbaprops.api.calls import SORT_KEYS, SortKey, date_calls
from nbaprops.api.pipeline_state import coverage, drift, health, runs
from nbaprops.api.players import player_detail
from nbaprops.api.routes import WH, Day, grades_range, resolve_day, settings_of
from nbaprops.api.store import reading
from nbaprops.core.calendar import season_for_date, validate_season
from nbaprops.core.errors import WarehouseError

__all__ = ["router"]

PAGE_ROWS = 100
"""Calls per page of the Today table."""

Choice = Annotated[str | None, Query(max_length=64)]
"""A filter from a form: an empty value means "all"."""
SIDES = ("OVER", "UNDER", "PASS")

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
router = APIRouter(prefix="/dashboard", include_in_schema=False, default_response_class=HTMLResponse)


def _choice(value: str | None) -> str | None:
    return value.strip() or None if value else None


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"page": name.split(".")[0], **context}, status_code=status
    )


@router.get("")
def today(
    request: Request,
    wh: WH,
    date: Day | Literal["today"] | None = None,
    market: Choice = None,
    book: Choice = None,
    system: Choice = None,
    side: Choice = None,
    sort: SortKey = "edge",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """Today: the calls of a date, sortable, filtered by market, book, system and side."""
    day = resolve_day(settings_of(request), date)
    market, book, system, side = (_choice(v) for v in (market, book, system, side))
    if side is not None and side.upper() not in SIDES:
        raise HTTPException(422, f"side {side!r}: choose one of {', '.join(SIDES)}")
    side = side.upper() if side else None
    picks = date_calls(
        wh,
        day,
        market=market,
        book=book,
        system=system,
        side=side,
        sort=sort,
        limit=PAGE_ROWS,
        offset=(page - 1) * PAGE_ROWS,
    )
    filters = {"date": day.isoformat(), "market": market, "book": book, "system": system, "side": side}
    return _render(
        request,
        "today.html",
        picks=picks,
        filters={k: v for k, v in filters.items() if v},
        sort=sort,
        sort_keys=list(SORT_KEYS),
        page_no=page,
        pages=max(1, -(-picks.total // PAGE_ROWS)),
    )


@router.get("/performance")
def performance_page(
    request: Request,
    wh: WH,
    start: Day | None = None,
    end: Day | None = None,
    system: Choice = None,
) -> HTMLResponse:
    """Performance: cumulative hit rate and ROI per system with bands, calibration, edge buckets."""
    first, last = grades_range(settings_of(request), wh, start, end)
    system = _choice(system)
    df = performance.graded_rows(wh, first, last, system=system)
    return _render(
        request,
        "performance.html",
        start=first,
        end=last,
        system=system,
        systems=sorted(set(df["system"])) if len(df) else [],
        summaries=performance.summaries(df),
        series=[p.model_dump(mode="json") for p in performance.series(df)],
        calibration=[p.model_dump(mode="json") for p in performance.calibration(df)],
        edges=performance.edge_buckets(df),
    )


@router.get("/health")
def health_page(request: Request, season: Annotated[str | None, Query(max_length=16)] = None) -> HTMLResponse:
    """Data health: the coverage heatmap, failed runs and code drift."""
    s = settings_of(request)
    state = health(s)
    if not state.warehouse_reachable:
        return _render(request, "health.html", status=503, state=state, report=None)
    latest = max((p.partition for p in state.phases if p.partition and len(p.partition) == 10), default=None)
    chosen = (
        validate_season(season)
        if season
        else season_for_date(dt.date.fromisoformat(latest) if latest else s.today_et())
    )
    try:
        report, cells = coverage(s, chosen, limit=200)
        with reading(s) as wh:
            failed = runs(wh, status="failed", limit=50)
            versions = drift(wh)
    except WarehouseError as exc:
        return _render(request, "health.html", status=503, state=state, report=None, error=str(exc))
    return _render(
        request,
        "health.html",
        state=state,
        season=chosen,
        report=report,
        cells=[c.model_dump() for c in cells],
        failed=failed,
        drift=versions,
    )


@router.get("/players/{player_id}")
def player_page(
    request: Request, wh: WH, player_id: Annotated[int, PathParam(ge=1, le=2**53)]
) -> HTMLResponse:
    """Player: recent games, the lines offered and every call against what happened."""
    found = player_detail(wh, player_id, limit=60)
    if found is None:
        raise HTTPException(404, f"no player {player_id} in the warehouse (no box score and no call)")
    return _render(
        request,
        "player.html",
        player=found,
        chart={
            "games": [g.model_dump(mode="json") for g in found.games],
            "lines": [x.model_dump(mode="json") for x in found.lines],
            "calls": [c.model_dump(mode="json") for c in found.calls],
        },
    )
