"""Processor ``system_predictions``: every system's prediction per expected player (Phase 5).

One partition per game date; one row per (player, game, system) plus the
ensemble, with the consensus line and book, calibrated P(over), the call and
the reason for a PASS.  The processor runs the systems in-process; the
coordinator (``nbaprops predict``) writes the same table with batches, a
worker pool, heartbeats and circuit breakers.
"""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.contract import Context, Input, Processor

__all__ = ["SYSTEM_PREDICTIONS", "build"]


def build(ctx: Context) -> pa.Table:
    """Fit every system on history before the date and predict the date's players."""
    from nbaprops.pipeline.predict.engine import DayPredictor
    from nbaprops.pipeline.predict.model_registry import ModelRegistry
    from nbaprops.pipeline.predict.serve import PREDICTION_SCHEMA, day_inputs, to_arrow
    from nbaprops.pipeline.predict.systems import LightGBMSystem

    inputs = day_inputs(ctx.warehouse, ctx.date)
    if inputs.games.empty or inputs.rows.empty:
        return PREDICTION_SCHEMA.empty_table()
    predictor = DayPredictor(edge=ctx.settings.edge)
    models = ModelRegistry(ctx.settings.home / "models")
    gbm = next(s for s in predictor.systems if isinstance(s, LightGBMSystem))
    gbm.from_registry(models, ctx.date)  # a model younger than the cadence is reused
    predictor.fit(inputs.features, inputs.graded, ctx.date)
    if gbm.trained_as_of == ctx.date:
        gbm.to_registry(models)
    return to_arrow(predictor.predict(inputs.rows, ctx.date), inputs.rows)


SYSTEM_PREDICTIONS = Processor(
    name="system_predictions",
    phase=5,
    output="system_predictions",
    partition="date",
    key=("game_code", "player_id", "system"),
    description="All systems + ensemble: points, P(over) calibrated, OVER/UNDER/PASS with a reason.",
    inputs=(
        Input("schedule", "season"),
        Input("player_game_summary", "before"),
        Input("raw_prop_lines", "partition"),
        # calibration and ensemble weights learn from earlier dates' graded calls
        Input("system_prediction_grades", "before", feedback=True),
    ),
    build=build,
    default=False,  # fits every system per date (minutes per season): `nbaprops predict` or -p
)
