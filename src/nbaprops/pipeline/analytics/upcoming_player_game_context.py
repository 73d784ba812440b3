"""Processor ``upcoming_player_game_context`` (Phase 3, SQL model).

Rows exist only for games that are not final yet: the pre-game view of who is expected to
play.  The processor's external fingerprint counts those games from the calendar, so a date
whose games are all final expects zero rows; emptying a date that still holds rows is the
explicit cleanup in :func:`nbaprops.ops.gates.cleanup_stale_upcoming`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor

__all__ = ["RECENT_DAYS", "UPCOMING_PLAYER_GAME_CONTEXT", "upcoming_games"]

RECENT_DAYS = 21
"""A player is expected for his team when he played for it within this many days."""


def upcoming_games(ctx: Context) -> int:
    """Games on the partition's date that are not final yet (0 for final or empty dates)."""
    day = ctx.calendar.day(ctx.date)
    return day.games - day.final_games


def _params(ctx: Context) -> Mapping[str, Any]:
    return {"today": ctx.calendar.today, "recent_days": RECENT_DAYS}


def _external(ctx: Context) -> ExternalFingerprint:
    n = upcoming_games(ctx)
    return ExternalFingerprint(f"upcoming-games:{n}", n)


UPCOMING_PLAYER_GAME_CONTEXT = Processor(
    name="upcoming_player_game_context",
    phase=3,
    output="upcoming_player_game_context",
    partition="date",
    key=("game_code", "player_id"),
    description="Players expected in games not final yet: form, rest, opponent, consensus line.",
    inputs=(
        Input("schedule", "season"),
        Input("player_game_summary", "before"),
        Input("raw_prop_lines", "partition"),
        Input("player_availability", "partition"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=_params,
    external=_external,
    stale_when_final=True,
)
