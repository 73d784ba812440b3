"""The prediction coordinator: how the runner executes ``system_predictions`` for one date.

The runner owns the write, the ledger row (input hash, engine count) and the gates; the
coordinator is the processor's build (`Coordinator.build`):

1. fits every system as of the date (LightGBM reuses a stored model younger than the
   retrain cadence, from the model registry under ``<home>/models``);
2. splits the players into batches and predicts them in a worker pool, calling
   ``ctx.heartbeat()`` (bound by the runner to the ledger row) after the fit and after
   each batch; a batch still running after `batch_timeout` (default 30 minutes) fails
   the partition (nothing is written; the next run retries it);
3. wraps every system call in the shared circuit breaker (`core.breaker`), one key per
   system: 5 consecutive failures open it for 30 minutes, the other systems go on and
   the ensemble re-weights over the systems that answered.

Execution knobs (batch size, workers, timeout) do not change the rows, so every
coordinator builds the same partition and shares one code hash: ``nbaprops predict``
runs a `Coordinator` with its options through `Coordinator.processor`, ``nbaprops run
-p system_predictions`` the default one.  Heavy imports (pandas, LightGBM) happen on use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nbaprops.core.breaker import CircuitBreaker
from nbaprops.core.errors import DataError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from nbaprops.pipeline.contract import Context, Processor
    from nbaprops.pipeline.predict.systems.base import PredictionSystem

__all__ = ["BREAKER_COOLDOWN", "BREAKER_THRESHOLD", "Coordinator", "DayRun"]

BREAKER_THRESHOLD = 5
"""Consecutive failures of one system that open its breaker."""
BREAKER_COOLDOWN = 30 * 60.0
"""Seconds an open system breaker stays open before one trial call."""


@dataclass
class DayRun:
    """What one build did (for the ``predict`` report; the ledger holds the counts)."""

    players: int
    batches: int
    skipped_systems: dict[str, str] = field(default_factory=dict)


class Coordinator:
    """Builds one date of ``system_predictions`` in batches; see the module docstring.

    Args:
        batch_size: players per batch.
        workers: worker threads.
        batch_timeout: seconds a batch may run before the partition fails.
        breaker: the circuit breaker (one key per system; kept across dates).
        systems: the systems (default: every one, fresh per date).
    """

    def __init__(
        self,
        *,
        batch_size: int = 60,
        workers: int = 2,
        batch_timeout: float = 30 * 60,
        breaker: CircuitBreaker | None = None,
        systems: list[PredictionSystem] | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.workers = workers
        self.batch_timeout = batch_timeout
        self.breaker = breaker or CircuitBreaker(BREAKER_THRESHOLD, BREAKER_COOLDOWN)
        self.systems = systems
        self.runs: dict[dt.date, DayRun] = {}
        """What each build of this coordinator did, by date."""
        self._lock = threading.Lock()

    def processor(self, base: Processor) -> Processor:
        """`base` (the ``system_predictions`` declaration) executed by this coordinator."""
        return dataclasses.replace(base, build=self.build)

    def _call(self, system: PredictionSystem, step: Any) -> Any:
        return self.breaker.call(system.name, step)

    def build(self, ctx: Context) -> pa.Table:
        """Fit every system on history before the date and predict the date's players.

        Raises:
            DataError: a batch failed or timed out (the partition is not written).
        """
        import pandas as pd

        from nbaprops.pipeline.predict.engine import DayPredictor
        from nbaprops.pipeline.predict.model_registry import ModelRegistry
        from nbaprops.pipeline.predict.serve import PREDICTION_SCHEMA, day_inputs, store_version, to_arrow
        from nbaprops.pipeline.predict.systems import LightGBMSystem

        day = ctx.date
        inputs = day_inputs(ctx.warehouse, day)
        if inputs.games.empty or inputs.rows.empty:
            self.runs[day] = DayRun(0, 0)
            return PREDICTION_SCHEMA.empty_table()
        predictor = DayPredictor(systems=self.systems, edge=ctx.settings.edge, call=self._call)
        # a stored model must have been trained on the feature set the store holds for the date
        models = ModelRegistry(ctx.settings.home / "models", feature_set=store_version(ctx.warehouse, day))
        gbm = next((s for s in predictor.systems if isinstance(s, LightGBMSystem)), None)
        if gbm is not None:
            gbm.from_registry(models, day)  # a model younger than the cadence is reused
        predictor.fit(inputs.features, inputs.graded, day)
        if gbm is not None and gbm.trained_as_of == day:
            gbm.to_registry(models)
        ctx.heartbeat()
        rows = inputs.rows
        batches = [rows.iloc[i : i + self.batch_size] for i in range(0, len(rows), self.batch_size)]
        frames = self._predict_batches(predictor, batches, day, ctx)
        with self._lock:
            self.runs[day] = DayRun(len(rows), len(batches), dict(predictor.skipped))
        frame = pd.concat(frames, ignore_index=True)
        return to_arrow(frame, rows) if len(frame) else PREDICTION_SCHEMA.empty_table()

    def _predict_batches(
        self, predictor: Any, batches: list[pd.DataFrame], day: dt.date, ctx: Context
    ) -> list[pd.DataFrame]:
        frames: list[pd.DataFrame] = []
        failed: list[str] = []
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            futures = [pool.submit(predictor.predict, b, day) for b in batches]
            for i, fut in enumerate(futures):  # each batch gets `batch_timeout` once waited for
                try:
                    frames.append(fut.result(timeout=self.batch_timeout))
                except FutureTimeout:
                    failed.append(f"batch {i + 1}: timed out after {self.batch_timeout:g}s")
                    fut.cancel()
                except Exception as exc:
                    failed.append(f"batch {i + 1}: {type(exc).__name__}: {exc}")
                ctx.heartbeat()
        finally:
            pool.shutdown(wait=not failed, cancel_futures=True)
        if failed:
            raise DataError(f"{len(failed)} of {len(batches)} batches failed on {day}: {failed[0]}")
        return frames
