"""Processor ``player_game_summary`` (Phase 3, SQL model)."""

from __future__ import annotations

from pathlib import Path

from nbaprops.pipeline.contract import Input, Processor

__all__ = ["PLAYER_GAME_SUMMARY"]

PLAYER_GAME_SUMMARY = Processor(
    name="player_game_summary",
    phase=3,
    output="player_game_summary",
    partition="date",
    key=("game_code", "player_id"),
    description="One row per player per game: minutes, points, shooting split, rest.",
    inputs=(Input("raw_player_boxscores", "through"), Input("schedule", "season")),
    sql=Path(__file__).with_suffix(".sql"),
    covers_every_game=True,
)
