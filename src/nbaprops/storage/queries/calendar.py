"""The schedule rows the runner's calendar is built from."""

from __future__ import annotations

SCHEDULE_DAYS = "SELECT game_date, season, season_type, status = 'final' FROM {table}"
