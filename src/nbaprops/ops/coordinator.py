"""The prediction coordinator: ``nbaprops predict --date D``.

1. makes sure the date's inputs exist (the runner builds schedule, raw tables
   and ``player_game_summary`` for the season up to the date; unchanged
   partitions are skipped);
2. opens a ledger row for ``system_predictions`` on the date;
3. fits every system as of the date (LightGBM reuses a stored model younger
   than the retrain cadence, from the model registry under ``<home>/models``);
4. splits the players into batches and predicts them in a worker pool,
   heartbeating the ledger row after each batch; a batch still running after
   `batch_timeout` (default 30 minutes) is abandoned and reported;
5. wraps every system call in a per-system `CircuitBreaker` (5 consecutive
   failures open it for 30 minutes): the other systems go on, and the ensemble
   re-weights over the systems that answered;
6. writes the partition through the warehouse and closes the ledger row with
   the engine's count.  A date with no games writes a legitimate zero with the
   note "no games scheduled".
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nbaprops.core.config import Settings
from nbaprops.core.version import code_version as current_code_version
from nbaprops.ops.ledger import Ledger
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.model_registry import ModelRegistry
from nbaprops.pipeline.predict.serve import PREDICTION_SCHEMA, day_inputs, to_arrow
from nbaprops.pipeline.predict.systems.base import PredictionSystem
from nbaprops.pipeline.predict.systems.gbm import LightGBMSystem
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage.warehouse import Partition, Warehouse

__all__ = ["CircuitBreaker", "Coordinator", "GradeReport", "PredictReport", "grade_date"]

PROCESSOR = "system_predictions"
UPSTREAM = ("schedule", "raw_player_boxscores", "raw_prop_lines", "player_game_summary")
NO_GAMES = "no games scheduled"


class CircuitBreaker:
    """Per-system breaker: `threshold` consecutive failures open it for `cooldown` seconds.

    Args:
        threshold: consecutive failures that open the breaker (default 5).
        cooldown: seconds it stays open (default 30 minutes).
        clock: seconds since an epoch (injectable for tests).
    """

    def __init__(
        self, *, threshold: int = 5, cooldown: float = 30 * 60, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures: dict[str, int] = {}
        self.opened_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def allow(self, name: str) -> bool:
        """Whether a call to `name` may go through (an expired open breaker half-opens)."""
        with self._lock:
            t = self.opened_at.get(name)
            if t is None:
                return True
            if self.clock() - t >= self.cooldown:
                del self.opened_at[name]
                self.failures[name] = self.threshold - 1  # one more failure re-opens it
                return True
            return False

    def success(self, name: str) -> None:
        """Record a success (closes the breaker)."""
        with self._lock:
            self.failures[name] = 0
            self.opened_at.pop(name, None)

    def failure(self, name: str) -> None:
        """Record a failure; open the breaker at the threshold."""
        with self._lock:
            self.failures[name] = self.failures.get(name, 0) + 1
            if self.failures[name] >= self.threshold:
                self.opened_at[name] = self.clock()

    def is_open(self, name: str) -> bool:
        """Whether the breaker of `name` is open now."""
        return not self.allow(name)

    def call(self, system: PredictionSystem, step: Callable[[], Any]) -> Any:
        """Run `step` for `system` unless its breaker is open (then return None).

        A failure is recorded and returns None, so the other systems go on.
        """
        if not self.allow(system.name):
            return None
        try:
            out = step()
        except Exception:
            self.failure(system.name)
            return None
        self.success(system.name)
        return out


@dataclass
class PredictReport:
    """What one ``predict --date`` did."""

    day: dt.date
    rows_written: int
    players: int
    batches: int
    failed_batches: list[str] = field(default_factory=list)
    skipped_systems: dict[str, str] = field(default_factory=dict)
    note: str | None = None
    run_id: str | None = None
    summary: pd.DataFrame | None = None


class Coordinator:
    """Runs every system for a date in batches; see the module docstring.

    Args:
        settings: the settings in force.
        warehouse: where inputs, predictions and the ledger live.
        batch_size: players per batch.
        workers: worker threads.
        batch_timeout: seconds before a batch is abandoned (default 30 minutes).
        breaker: the circuit breaker (kept across dates by the caller if wanted).
        systems: the systems (default: every one).
    """

    def __init__(
        self,
        settings: Settings,
        warehouse: Warehouse,
        *,
        batch_size: int = 60,
        workers: int = 2,
        batch_timeout: float = 30 * 60,
        breaker: CircuitBreaker | None = None,
        systems: list[PredictionSystem] | None = None,
        code_version: str | None = None,
    ) -> None:
        self.settings = settings
        self.wh = warehouse
        self.batch_size = batch_size
        self.workers = workers
        self.batch_timeout = batch_timeout
        self.breaker = breaker or CircuitBreaker()
        self.systems = systems
        self.code_version = code_version or current_code_version()
        self.ledger = Ledger(warehouse)
        self.models = ModelRegistry(settings.home / "models")

    def prepare(self, day: dt.date, *, history_seasons: int = 1) -> None:
        """Build the upstream tables up to `day` (unchanged partitions are skipped).

        Args:
            day: the prediction date.
            history_seasons: earlier whole seasons to build as well (the model systems
                need them: LightGBM and similarity train on up to three years).
        """
        runner = Runner(settings=self.settings, warehouse=self.wh, code_version=self.code_version)
        reg = default_registry()
        anchors = [day - dt.timedelta(days=365 * k) for k in range(history_seasons, -1, -1)]
        runner.run([reg.get("schedule")], anchors)
        days: list[dt.date] = []
        for a in anchors:
            try:
                first, last = runner.calendar.season_bounds(runner.calendar.season_of(a))
            except Exception:
                continue
            days.extend(d for d in runner.calendar.dates(first, min(last, day)) if d not in days)
        procs = [reg.get(n) for n in UPSTREAM if n != "schedule"]
        runner.run(procs, sorted(days) or [day])

    def predict_date(self, day: dt.date, *, prepare: bool = True, history_seasons: int = 1) -> PredictReport:
        """Predict every expected player of `day` and write the partition.

        Args:
            day: the date.
            prepare: build the upstream tables first (see `prepare`).
            history_seasons: earlier seasons `prepare` builds.

        Raises:
            NbapropsError: when the inputs cannot be read (the ledger row is closed as failed).
        """
        if prepare:
            self.prepare(day, history_seasons=history_seasons)
        run_id = self.ledger.start(
            PROCESSOR, day.isoformat(), input_hash="", code_version=self.code_version, note="coordinator"
        )
        try:
            report = self._predict(day, run_id)
        except Exception as exc:
            self.ledger.fail(run_id, str(exc))
            raise
        return report

    def _predict(self, day: dt.date, run_id: str) -> PredictReport:
        part = Partition("game_date", day)
        inputs = day_inputs(self.wh, day)
        if inputs.games.empty:
            result = self.wh.write_partition(PROCESSOR, part, PREDICTION_SCHEMA.empty_table())
            self.ledger.succeed(run_id, result, rows_in=0, expected_zero=True, note=NO_GAMES)
            return PredictReport(day, 0, 0, 0, note=NO_GAMES, run_id=run_id)
        predictor = DayPredictor(systems=self.systems, edge=self.settings.edge, call=self.breaker.call)
        gbm = next((s for s in predictor.systems if isinstance(s, LightGBMSystem)), None)
        if gbm is not None:
            gbm.from_registry(self.models, day)
        predictor.fit(inputs.features, inputs.graded, day)
        if gbm is not None and gbm.trained_as_of == day:
            gbm.to_registry(self.models)
        self.ledger.heartbeat(run_id)
        rows = inputs.rows
        batches = [rows.iloc[i : i + self.batch_size] for i in range(0, len(rows), self.batch_size)]
        frames: list[pd.DataFrame] = []
        failed: list[str] = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = [pool.submit(predictor.predict, b, day) for b in batches]
            deadline = time.monotonic() + self.batch_timeout
            for i, fut in enumerate(futures):
                try:
                    frames.append(fut.result(timeout=max(0.0, deadline - time.monotonic())))
                except FutureTimeout:
                    failed.append(f"batch {i}: timed out after {self.batch_timeout:.0f}s")
                    fut.cancel()
                except Exception as exc:
                    failed.append(f"batch {i}: {type(exc).__name__}: {exc}")
                self.ledger.heartbeat(run_id)
                deadline = time.monotonic() + self.batch_timeout
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        table = to_arrow(frame, rows) if len(frame) else PREDICTION_SCHEMA.empty_table()
        result = self.wh.write_partition(PROCESSOR, part, table)
        note = "; ".join(failed) if failed else None
        self.ledger.succeed(run_id, result, rows_in=len(rows), expected_zero=False, note=note)
        summary = None
        if len(frame):
            summary = (
                frame.assign(bet=frame["recommendation"] != "PASS")
                .groupby("system", sort=False)
                .agg(
                    players=("player_id", "size"),
                    predicted=("predicted_points", "count"),
                    bets=("bet", "sum"),
                )
                .reset_index()
            )
        return PredictReport(
            day,
            result.rows_written,
            len(rows),
            len(batches),
            failed_batches=failed,
            skipped_systems=dict(predictor.skipped),
            run_id=run_id,
            summary=summary,
        )


@dataclass
class GradeReport:
    """What one ``grade --date`` did."""

    day: dt.date
    status: str
    rows_written: int
    error: str | None
    by_system: list[dict[str, Any]]
    by_edge: list[dict[str, Any]]
    by_confidence: list[dict[str, Any]] = field(default_factory=list)
    """Ensemble bets by calibrated confidence |P(over) - 0.5|: bets, won, hit rate, profit."""
    reliability: list[dict[str, Any]] = field(default_factory=list)
    """Ensemble calibration: P(over) decile -> rows, mean predicted, observed over rate."""


def _registry() -> Any:
    from nbaprops.pipeline.predict.system_prediction_grades import SYSTEM_PREDICTION_GRADES
    from nbaprops.pipeline.predict.system_predictions import SYSTEM_PREDICTIONS
    from nbaprops.pipeline.registry import Registry

    reg = default_registry()
    missing = [p for p in (SYSTEM_PREDICTIONS, SYSTEM_PREDICTION_GRADES) if p.name not in reg.by_name]
    return Registry([*reg.by_name.values(), *missing]) if missing else reg


def grade_date(settings: Settings, warehouse: Warehouse, day: dt.date, *, force: bool = False) -> GradeReport:
    """Grade the date's ``system_predictions`` (once its games are final) and summarise.

    Summaries: per system (graded, MAE, bets, W/L/P/V, hit rate, profit, Brier)
    and per edge bucket of the ensemble.
    """
    reg = _registry()
    runner = Runner(settings=settings, warehouse=warehouse, registry=reg)
    rep = runner.run([reg.get("system_prediction_grades")], [day], force=force)
    out = rep.outcomes[0]
    by_system: list[dict[str, Any]] = []
    by_edge: list[dict[str, Any]] = []
    by_confidence: list[dict[str, Any]] = []
    reliability: list[dict[str, Any]] = []
    if warehouse.has_table("system_prediction_grades"):
        by_system = warehouse.query(
            "SELECT system, count(abs_error) AS graded, round(avg(abs_error), 3) AS mae, "
            "count(*) FILTER (WHERE result IN ('WIN','LOSS','PUSH','VOID')) AS bets, "
            "count(*) FILTER (WHERE result = 'WIN') AS won, count(*) FILTER (WHERE result = 'LOSS') AS lost, "
            "count(*) FILTER (WHERE result = 'PUSH') AS push, count(*) FILTER (WHERE result = 'VOID') AS void, "
            "round(coalesce(sum(profit), 0), 3) AS profit, "
            "round(avg((p_over - went_over) ^ 2), 4) AS brier "
            "FROM system_prediction_grades WHERE game_date = $d GROUP BY 1 ORDER BY 1",
            {"d": day},
        ).to_pylist()
        by_edge = warehouse.query(
            "SELECT CASE WHEN abs(edge) < 1 THEN '0-1' WHEN abs(edge) < 2 THEN '1-2' "
            "WHEN abs(edge) < 3 THEN '2-3' ELSE '3+' END AS edge_bucket, "
            "count(went_over) AS decided, "
            "round(avg(CASE WHEN (edge > 0) = (went_over = 1) THEN 1.0 ELSE 0.0 END) "
            "FILTER (WHERE went_over IS NOT NULL), 3) AS side_hit_rate "
            "FROM system_prediction_grades WHERE game_date = $d AND system = 'ensemble' "
            "AND edge IS NOT NULL GROUP BY 1 ORDER BY 1",
            {"d": day},
        ).to_pylist()
        by_confidence = warehouse.query(
            "SELECT CASE WHEN abs(p_over - 0.5) < 0.05 THEN '<5pt' WHEN abs(p_over - 0.5) < 0.10 "
            "THEN '5-10pt' ELSE '10pt+' END AS confidence, "
            "count(*) FILTER (WHERE result IN ('WIN','LOSS','PUSH')) AS bets, "
            "count(*) FILTER (WHERE result = 'WIN') AS won, "
            "round(coalesce(sum(profit), 0), 3) AS profit "
            "FROM system_prediction_grades WHERE game_date = $d AND system = 'ensemble' "
            "AND p_over IS NOT NULL GROUP BY 1 ORDER BY 1",
            {"d": day},
        ).to_pylist()
        reliability = warehouse.query(
            "SELECT least(floor(p_over * 10), 9) / 10 AS p_over_from, count(*) AS n, "
            "round(avg(p_over), 3) AS predicted, round(avg(went_over), 3) AS observed "
            "FROM system_prediction_grades WHERE game_date = $d AND system = 'ensemble' "
            "AND p_over IS NOT NULL AND went_over IS NOT NULL GROUP BY 1 ORDER BY 1",
            {"d": day},
        ).to_pylist()
    return GradeReport(
        day,
        out.status,
        out.rows_written or 0,
        out.error,
        by_system,
        by_edge,
        by_confidence=by_confidence,
        reliability=reliability,
    )
