"""Processor ``system_predictions``: every system's prediction per expected player (Phase 5).

One partition per game date; one row per (player, game, system) plus the
ensemble, with the consensus line and book, calibrated P(over), the call and
the reason for a PASS.  The build is the prediction coordinator
(`coordinator.Coordinator.build`: batches, worker pool, heartbeats, timeout,
circuit breakers); the runner writes the partition and keeps its ledger row,
whether it runs from ``nbaprops run`` or ``nbaprops predict``.
"""

from __future__ import annotations

from nbaprops.pipeline.contract import Input, Processor
from nbaprops.pipeline.predict.coordinator import Coordinator

__all__ = ["DEFAULT_COORDINATOR", "SYSTEM_PREDICTIONS"]

DEFAULT_COORDINATOR = Coordinator()
"""The coordinator ``nbaprops run`` uses (``nbaprops predict`` builds one with its options)."""

SYSTEM_PREDICTIONS = Processor(
    name="system_predictions",
    phase=5,
    output="system_predictions",
    partition="date",
    key=("market", "game_code", "player_id", "system"),
    description="All systems + ensemble: points, P(over) calibrated, OVER/UNDER/PASS with a reason.",
    inputs=(
        Input("schedule", "season"),
        Input("player_game_summary", "before"),
        Input("ml_feature_store", "through"),  # the systems read their features from the store
        Input("raw_prop_lines", "partition"),
        # calibration and ensemble weights learn from earlier dates' graded calls
        Input("system_prediction_grades", "before", feedback=True),
    ),
    build=DEFAULT_COORDINATOR.build,
    default=False,  # fits every system per date (minutes per season): `nbaprops predict` or -p
)
