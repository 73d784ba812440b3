"""The calendar the runner works on, read from the schedule table its source wrote."""

from __future__ import annotations

from nbaprops.core.calendar import Calendar, GameRow
from nbaprops.core.config import Settings
from nbaprops.storage.queries.calendar import SCHEDULE_DAYS
from nbaprops.storage.warehouse import Warehouse, ident

__all__ = ["load_calendar"]


def load_calendar(warehouse: Warehouse, settings: Settings, *, table: str | None) -> Calendar:
    """The calendar from the schedule `table` (empty before it is loaded, or with none)."""
    rows: list[GameRow] = []
    if table is not None and warehouse.has_table(table):
        rows = [
            GameRow(d, s, t, f) for d, s, t, f in warehouse.rows(SCHEDULE_DAYS.format(table=ident(table)))
        ]
    return Calendar(rows, today=settings.today_et(), bootstrap_days=settings.bootstrap_days)
