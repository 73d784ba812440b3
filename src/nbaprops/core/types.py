"""Type aliases shared by every layer."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

__all__ = ["DayKind", "PartitionKind", "Phase", "RunStatus", "SeasonType"]

RunStatus: TypeAlias = Literal["running", "success", "failed", "skipped"]
"""A ledger row's status."""

PartitionKind: TypeAlias = Literal["date", "season"]
"""What one processor run covers: one US/Eastern game date, or one season."""

Phase: TypeAlias = Literal[1, 2, 3, 4, 5]
"""Pipeline phase: 1 scrape, 2 raw, 3 analytics, 4 precompute, 5 predict/grade."""

SeasonType: TypeAlias = Literal["regular", "play_in", "playoffs", "cup_final"]

DayKind: TypeAlias = Literal[
    "game_day",  # final games scheduled
    "scheduled",  # games scheduled but not final yet
    "no_games",  # in-season day without games (e.g. Christmas Eve)
    "all_star_break",
    "off_season",
    "future",
]
"""How the schedule classifies a date."""

Date: TypeAlias = dt.date
