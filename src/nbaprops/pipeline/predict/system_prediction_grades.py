"""Processor ``system_prediction_grades``: grade every system's predictions once games are final."""

from __future__ import annotations

from pathlib import Path

from nbaprops.pipeline.contract import Input, Processor
from nbaprops.pipeline.predict.grading import GRADING_SQL

__all__ = ["SYSTEM_PREDICTION_GRADES"]

SYSTEM_PREDICTION_GRADES = Processor(
    name="system_prediction_grades",
    phase=5,
    output="system_prediction_grades",
    partition="date",
    key=("market", "game_code", "player_id", "system"),
    description="WIN/LOSS/PUSH/VOID per system call, went_over for Brier, profit at real odds.",
    inputs=(
        Input("system_predictions", "partition"),
        Input("player_game_summary", "partition"),
        Input("schedule", "season"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_uses=(GRADING_SQL,),  # the one grading rule
)
