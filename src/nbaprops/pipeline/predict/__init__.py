"""Phase 5: prediction systems, recommendations, grading, walk-forward evaluation.

Modules: `features` (as-of features, `FEATURE_SET`), `systems` (the
`PredictionSystem` protocol and every system), `calibration`, `recommend`,
`lines` (consensus line), `grading` (+ ``grading.sql``, the one grading rule,
and `BET_RESULTS`, the one definition of a bet), `metrics`, `engine` (one date,
shared by evaluation and serving), `serve` (warehouse inputs), `model_registry`,
`coordinator` (the build of ``system_predictions``: batches, workers, heartbeat,
timeout, breaker), `walk_forward` (the build of ``evaluation_predictions``), and
the processors `predictions`, `prediction_grades` (SQL baseline),
`system_predictions`, `system_prediction_grades`, `evaluation_predictions`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DayPredictor": "engine",
    "FEATURES": "features",
    "FEATURE_SET": "features",
    "build_features": "features",
    "ModelMeta": "model_registry",
    "ModelRegistry": "model_registry",
    "PredictionSystem": "systems",
    "default_systems": "systems",
}

__all__ = [
    "FEATURES",
    "FEATURE_SET",
    "DayPredictor",
    "ModelMeta",
    "ModelRegistry",
    "PredictionSystem",
    "build_features",
    "default_systems",
]


def __getattr__(name: str) -> Any:
    """Lazy exports: the processors import this package; pandas and friends load on use."""
    if name in _EXPORTS:
        return getattr(import_module(f"nbaprops.pipeline.predict.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
