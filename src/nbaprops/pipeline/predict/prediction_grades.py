"""Processor ``prediction_grades``: grade each prediction once its game is final."""

from __future__ import annotations

from pathlib import Path

from nbaprops.pipeline.contract import Input, Processor
from nbaprops.pipeline.predict.grading import GRADING_SQL

__all__ = ["PREDICTION_GRADES"]

PREDICTION_GRADES = Processor(
    name="prediction_grades",
    phase=5,
    output="prediction_grades",
    partition="date",
    key=("game_code", "player_id", "system"),
    description="WIN/LOSS/PUSH/VOID per recommendation, absolute error, profit at real odds.",
    inputs=(
        Input("predictions", "partition"),
        Input("player_game_summary", "partition"),
        Input("schedule", "season"),
    ),
    sql=Path(__file__).with_suffix(".sql"),
    sql_uses=(GRADING_SQL,),  # the one grading rule
)
