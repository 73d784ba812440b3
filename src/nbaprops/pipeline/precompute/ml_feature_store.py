"""Processor ``ml_feature_store`` (Phase 4, SQL model)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbaprops.pipeline.contract import Context, Input, Processor
from nbaprops.pipeline.precompute.feature_set import FEATURE_NAMES, FEATURE_SET, check_sql

__all__ = ["ML_FEATURE_STORE"]

_SQL = Path(__file__).with_suffix(".sql")
check_sql(_SQL.read_text())  # the vector in the SQL must match FEATURE_NAMES


def _params(ctx: Context) -> Mapping[str, Any]:
    return {"feature_set": FEATURE_SET, "feature_names": list(FEATURE_NAMES)}


ML_FEATURE_STORE = Processor(
    name="ml_feature_store",
    phase=4,
    output="ml_feature_store",
    partition="date",
    key=("game_code", "player_id"),
    description="One row per player and game: the versioned feature vector (feature_set).",
    inputs=(
        Input("player_daily_cache", "partition"),
        Input("player_shot_zone_analysis", "partition"),
        Input("player_composite_factors", "partition"),
    ),
    sql=_SQL,
    sql_params=_params,
)
