"""Processor ``evaluation_predictions``: the walk-forward's graded predictions (opt-in, Phase 5).

One partition per date with lines; one row per (market, player-game, system) with the
prediction, the consensus line, the actual count and the grade of the one rule
(``grading.sql``).  A partition holds the market of the last walk that built it (the
fingerprint names the market, so a walk of another market rebuilds it).
Built by `walk_forward.WalkForward` from the public data folder; ``nbaprops evaluate``
runs it through the runner and reports from the table.
"""

from __future__ import annotations

from nbaprops.pipeline.contract import Processor
from nbaprops.pipeline.predict.walk_forward import WalkForward

__all__ = ["DEFAULT_WALK", "EVALUATION_PREDICTIONS"]

DEFAULT_WALK = WalkForward()
"""The walk ``nbaprops run -p evaluation_predictions`` uses (``evaluate`` builds one with its options)."""

EVALUATION_PREDICTIONS = Processor(
    name="evaluation_predictions",
    phase=5,
    output="evaluation_predictions",
    partition="date",
    key=("market", "game_key", "player_id", "system"),
    description="Walk-forward evaluation: every system vs real lines, graded (nbaprops evaluate).",
    build=DEFAULT_WALK.build,
    build_many=DEFAULT_WALK.build_many,
    external=DEFAULT_WALK.external,
    per_game=False,  # rows only on dates with lines
    default=False,  # fits every system on every date: `nbaprops evaluate` or -p
)
