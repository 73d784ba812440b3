"""Processor ``upcoming_team_game_context`` (Phase 3, SQL model).

Per team and scheduled game, what is known before it: rest, back-to-back, travel, the
game's spread and total where the archive has them, recent team form, and who is out (the
injury report where one was published before the cutoff; otherwise the rule "absent from
the team's previous game", see the SQL header).  Built for every game of a date, final or
not: the row of a past date is what was knowable before its tip-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, Input, Processor

__all__ = ["OUT_MIN_MINUTES", "OUT_WINDOW", "STATUS_CUTOFF_UTC_HOURS", "UPCOMING_TEAM_GAME_CONTEXT"]

OUT_WINDOW = 10
"""A player absent from his team's latest game is out when he played in one of its last this-many."""
OUT_MIN_MINUTES = 10.0
"""... and averaged at least this many minutes over his own last 10 games (a rotation player)."""
STATUS_CUTOFF_UTC_HOURS = 21
"""Injury statuses count when published before 21:00 UTC of the game date (16:00/17:00 ET,
before the first evening tip-off): a later status is not what a pre-game prediction knew."""


def params(ctx: Context | None = None) -> Mapping[str, Any]:
    """The model's parameters (also used to run it on in-memory frames, `predict.features`)."""
    return {
        "out_window": OUT_WINDOW,
        "out_min_minutes": OUT_MIN_MINUTES,
        "status_cutoff_utc_hours": STATUS_CUTOFF_UTC_HOURS,
    }


UPCOMING_TEAM_GAME_CONTEXT = Processor(
    name="upcoming_team_game_context",
    phase=3,
    output="upcoming_team_game_context",
    partition="date",
    key=("game_code", "team"),
    description="Per team and game, known before it: rest, travel, spread/total, team form, who is out.",
    inputs=(
        Input("schedule", "season"),
        Input("player_game_summary", "before"),
        Input("team_offense_game_summary", "before"),
        Input("raw_game_lines", "partition"),
        Input("player_availability", "partition"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_params=params,
)
