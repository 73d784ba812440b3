"""BettingPros payloads: events of a date (with confirmed lineups)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from nbaprops.core.ids import game_code
from nbaprops.pipeline.raw import schemas
from nbaprops.pipeline.raw.parsers._util import (
    as_id,
    et_date,
    load_json,
    need,
    need_list,
    team_abbr,
    to_table,
)

__all__ = ["parse_events"]


def parse_events(content: bytes, kind: str = "bp_events") -> pa.Table:
    """``/v3/events``: one row per event; ``scheduled`` is UTC wall time."""
    doc = load_json(kind, content)
    rows = []
    for e in need_list(kind, doc, "events"):
        local = dt.datetime.strptime(need(kind, e, "scheduled"), "%Y-%m-%d %H:%M:%S")
        start = local.replace(tzinfo=dt.UTC)
        day = et_date(start)
        home = team_abbr(kind, need(kind, e, "home"), "events.home")
        away = team_abbr(kind, need(kind, e, "visitor"), "events.visitor")
        rows.append(
            {
                "source": "bettingpros",
                "event_id": as_id(kind, need(kind, e, "id"), "events.id"),
                "commence_time": start,
                "game_date": day,
                "game_code": game_code(day, away, home),
                "away_team": away,
                "home_team": home,
                "status": need(kind, e, "status"),
            }
        )
    return to_table(kind, rows, schemas.EVENTS)
