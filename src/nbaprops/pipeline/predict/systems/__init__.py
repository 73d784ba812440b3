"""Prediction systems: one protocol, several systems, one ensemble."""

from __future__ import annotations

from nbaprops.pipeline.predict.systems.base import Prediction, PredictionSystem
from nbaprops.pipeline.predict.systems.baselines import LastTen, LineSystem, MovingAverage, SeasonAverage
from nbaprops.pipeline.predict.systems.ensemble import Ensemble
from nbaprops.pipeline.predict.systems.gbm import LightGBMSystem
from nbaprops.pipeline.predict.systems.matchup import Matchup
from nbaprops.pipeline.predict.systems.minutes_rate import MinutesRate
from nbaprops.pipeline.predict.systems.similarity import Similarity

__all__ = [
    "ENSEMBLE_MEMBERS",
    "Ensemble",
    "LastTen",
    "LightGBMSystem",
    "LineSystem",
    "Matchup",
    "MinutesRate",
    "MovingAverage",
    "Prediction",
    "PredictionSystem",
    "SeasonAverage",
    "Similarity",
    "default_systems",
]

ENSEMBLE_MEMBERS: tuple[str, ...] = ("moving_average", "matchup", "similarity", "lightgbm", "line")
"""Systems the ensemble combines (the baselines season_average and l10 are reported, not combined)."""


def default_systems(*, cadence_days: int = 7) -> list[PredictionSystem]:
    """Every system, baselines included, in reporting order (the ensemble is separate)."""
    return [
        LineSystem(),
        SeasonAverage(),
        LastTen(),
        MovingAverage(),
        Matchup(),
        Similarity(),
        LightGBMSystem(cadence_days=cadence_days),
        MinutesRate(),  # reported, not an ensemble member (yet): see docs/evaluation.md
    ]
