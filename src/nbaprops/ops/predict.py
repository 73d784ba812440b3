"""Entry points of the prediction commands: ``predict``, ``grade`` and ``evaluate``.

Each runs processors through the `Runner` (the only writer: every partition gets a ledger
row with its input hash and the engine's count, and the coverage gate applies), then
reports from the tables it wrote.  The prediction code itself lives in
``nbaprops.pipeline.predict`` (coordinator, walk-forward, model registry).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError, InputError
from nbaprops.ops.runner import Outcome, Runner
from nbaprops.pipeline.predict.coordinator import Coordinator
from nbaprops.pipeline.predict.evaluation_predictions import EVALUATION_PREDICTIONS
from nbaprops.pipeline.predict.grading import BET_RESULTS
from nbaprops.pipeline.predict.system_prediction_grades import SYSTEM_PREDICTION_GRADES
from nbaprops.pipeline.predict.system_predictions import SYSTEM_PREDICTIONS
from nbaprops.pipeline.predict.walk_forward import EvaluationReport, WalkForward
from nbaprops.pipeline.registry import Registry, default_registry
from nbaprops.storage.queries import predict as q
from nbaprops.storage.warehouse import Warehouse

if TYPE_CHECKING:
    from nbaprops.pipeline.contract import Processor
    from nbaprops.pipeline.predict.distributions import Distribution
    from nbaprops.pipeline.predict.engine import DayPredictor

__all__ = ["GradeReport", "PredictReport", "evaluate_range", "grade_date", "predict_date"]


def _runner(settings: Settings, warehouse: Warehouse, *replacing: Processor) -> Runner:
    """A gated runner whose registry has `replacing` in place of the built-in processors."""
    swap = {p.name: p for p in replacing}
    reg = Registry([swap.get(p.name, p) for p in default_registry().by_name.values()])
    return Runner(settings=settings, warehouse=warehouse, registry=reg)  # gated by construction


# --- predict -------------------------------------------------------------------------


@dataclass
class PredictReport:
    """What one ``predict --date`` did."""

    day: dt.date
    status: str
    rows_written: int
    players: int | None
    batches: int | None
    error: str | None = None
    skipped_systems: dict[str, str] = field(default_factory=dict)
    upstream_failed: list[Outcome] = field(default_factory=list)
    run_id: str | None = None
    summary: list[dict[str, Any]] = field(default_factory=list)
    """Per system: players, predicted, calls (OVER/UNDER; a bet is graded, see `grade_date`)."""


def predict_date(
    settings: Settings,
    warehouse: Warehouse,
    day: dt.date,
    *,
    coordinator: Coordinator | None = None,
    prepare: bool = True,
    history_seasons: int = 1,
    force: bool = False,
) -> PredictReport:
    """Predict every expected player of `day` with every system, through the runner.

    Args:
        settings: the settings in force.
        warehouse: inputs, predictions and the ledger.
        day: the date.
        coordinator: how ``system_predictions`` is executed (batches, workers, breaker).
        prepare: build the upstream tables first: the season up to `day` (and
            `history_seasons` earlier seasons: the model systems train on them).
        history_seasons: earlier seasons `prepare` builds.
        force: predict again even when inputs and code are unchanged.
    """
    co = coordinator or Coordinator()
    proc = co.processor(SYSTEM_PREDICTIONS)
    runner = _runner(settings, warehouse, proc)
    default = {p.name for p in runner.registry.select()}  # no network scrapes, no opt-in work
    upstream = [runner.registry.by_name[n] for n in runner.registry.ancestors(proc.name) if n in default]
    if prepare:
        _prepare(runner, upstream, day, history_seasons)
    rep = (
        runner.run([*upstream, proc], [day], force=force)
        if prepare
        else runner.run([proc], [day], force=force)
    )
    out = next(o for o in rep.outcomes if o.processor == proc.name)
    run = co.runs.get(day)
    summary: list[dict[str, Any]] = []
    if out.status != "failed" and warehouse.has_table(proc.output):
        summary = warehouse.query(q.PREDICT_SUMMARY.format(table=proc.output), {"d": day}).to_pylist()
    return PredictReport(
        day=day,
        status=out.status,
        rows_written=out.rows_written or 0,
        players=run.players if run else None,
        batches=run.batches if run else None,
        error=out.error,
        skipped_systems=dict(run.skipped_systems) if run else {},
        upstream_failed=[o for o in rep.outcomes if o.status == "failed" and o is not out],
        run_id=out.run_id,
        summary=summary,
    )


def _prepare(runner: Runner, upstream: list[Processor], day: dt.date, history_seasons: int) -> None:
    """Build the upstream tables of the seasons up to `day` (unchanged partitions skip)."""
    anchors = [day - dt.timedelta(days=365 * k) for k in range(history_seasons, -1, -1)]
    runner.run([runner.registry.calendar_source], anchors)
    days: set[dt.date] = set()
    for a in anchors:
        try:
            first, last = runner.calendar.season_bounds(runner.calendar.season_of(a))
        except InputError:
            continue
        days.update(d for d in runner.calendar.dates(first, min(last, day)) if d < day)
    if days:
        runner.run(upstream, sorted(days))


# --- grade ---------------------------------------------------------------------------


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
    """Ensemble bets by calibrated confidence |P(over) - 0.5|: bets, won, profit."""
    reliability: list[dict[str, Any]] = field(default_factory=list)
    """Ensemble calibration: P(over) decile -> rows, mean predicted, observed over rate."""


def grade_date(settings: Settings, warehouse: Warehouse, day: dt.date, *, force: bool = False) -> GradeReport:
    """Grade the date's ``system_predictions`` (once its games are final) and summarise.

    Summaries: per system (graded, MAE, bets, W/L/P/V, profit, Brier; a bet is WIN, LOSS
    or PUSH), per edge bucket and confidence bucket of the ensemble, its reliability.
    """
    proc = SYSTEM_PREDICTION_GRADES
    report = _runner(settings, warehouse).run([proc], [day], force=force, complete_history=True)
    out = next(o for o in report.outcomes if o.processor == proc.name)
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, sql in (
        ("by_system", q.GRADE_BY_SYSTEM),
        ("by_edge", q.GRADE_BY_EDGE),
        ("by_confidence", q.GRADE_BY_CONFIDENCE),
        ("reliability", q.GRADE_RELIABILITY),
    ):
        params: dict[str, Any] = {"d": day}
        if "$bets" in sql:
            params["bets"] = list(BET_RESULTS)
        have = warehouse.has_table(proc.output)
        tables[name] = warehouse.query(sql.format(table=proc.output), params).to_pylist() if have else []
    return GradeReport(day, out.status, out.rows_written or 0, out.error, **tables)


# --- evaluate ------------------------------------------------------------------------


def evaluate_range(
    settings: Settings,
    start: dt.date,
    end: dt.date,
    *,
    cadence_days: int = 7,
    write: bool = True,
    predictor: DayPredictor | None = None,
    on_date: Callable[[dt.date, int], None] | None = None,
    market: str = "player_points",
    every: int = 1,
    distribution: Distribution = "count",
) -> EvaluationReport:
    """Walk-forward evaluation of every system over [start, end] in one market.

    With `write` (the default) the graded rows are built by the ``evaluation_predictions``
    processor through the runner (ledger rows, unchanged dates skipped) in the warehouse
    under ``settings.home``, and the report is read back from that table.  Without it the
    walk runs in memory from `start` (tests and experiments: `predictor` picks the systems).

    Args:
        market: The Odds API market name (`markets.MARKETS`).
        every: walk every `every`-th date with lines of each season (1: all).
        distribution: where the calls' P(over) comes from (``count`` or ``normal``).

    Raises:
        InputError: end before start, no games in the range, an unknown market.
        ConfigError: no data folder, or one missing a required file (named).
    """
    from nbaprops.pipeline.predict.data import resolve_player_ids
    from nbaprops.pipeline.predict.lines import consensus_lines
    from nbaprops.pipeline.predict.market_data import load_market
    from nbaprops.pipeline.predict.markets import get_market, market_edge
    from nbaprops.pipeline.predict.walk_forward import (
        market_lines,
        run_walk_forward,
        summarise_systems,
        void_lines,
    )

    m = get_market(market)
    if end < start:
        raise InputError(f"end date {end} is before start date {start}")
    root = settings.resolved_data_dir
    if root is None:
        raise ConfigError("no public data folder: set NBAPROPS_DATA_DIR or --data-dir")
    t0 = time.perf_counter()
    frames = load_market(root, m, start, end)
    if frames.games.empty:
        raise InputError(f"no games scheduled between {start} and {end}")
    walk = WalkForward(
        cadence_days=cadence_days, on_date=on_date, market=m, every=every, distribution=distribution
    )
    line_days = (
        _sampled_days(settings, walk, start, end) if every > 1 else walk.line_days(frames.props, start)
    )
    if write:
        graded = _evaluate_through_runner(settings, walk, start, end, line_days)
    else:
        graded, _ = run_walk_forward(
            frames.box,
            frames.props,
            line_days,
            edge=market_edge(m, settings.edge),
            cadence_days=cadence_days,
            predictor=predictor,
            on_date=on_date,
            market=m,
            distribution=distribution,
        )
    from nbaprops.pipeline.predict.market_calls import market_report

    notes = [] if len(graded) else [f"no {m.name} lines between {start} and {end}"]
    if every > 1:
        notes.append(f"every {every}th date with lines of each season walked ({len(line_days)} dates)")
    in_range = market_lines(frames.props[frames.props["game_date"].dt.date.isin(line_days)], m)
    calls = market_report(graded, in_range, edge=market_edge(m, settings.edge), staking=settings.staking)
    lines = resolve_player_ids(consensus_lines(in_range), frames.box)
    return EvaluationReport(
        start=start,
        end=end,
        systems=summarise_systems(graded) if len(graded) else {},
        dates=len(line_days),
        voids=void_lines(frames.box, in_range, m),
        unresolved=int(lines["player_id"].isna().sum()),
        seconds=time.perf_counter() - t0,
        graded=graded,
        notes=notes,
        market=m.name,
        market_calls=calls,
    )


def _sampled_days(settings: Settings, walk: WalkForward, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates of [start, end] a sampled walk visits: every n-th line date of each season from its first."""
    from nbaprops.pipeline.predict.market_data import load_market
    from nbaprops.pipeline.predict.walk_forward import market_lines, season_starts

    root = settings.resolved_data_dir
    assert root is not None
    props = market_lines(
        load_market(root, walk.market, season_starts(root, [start])[start], end).props, walk.market
    )
    all_days = sorted({d.date() for d in props["game_date"]})
    starts = season_starts(root, all_days)
    days: list[dt.date] = []
    for first in sorted(set(starts.values())):
        season = props[props["game_date"].dt.date.map(lambda d, f=first: starts.get(d) == f)]
        days += walk.line_days(season, first)
    return [d for d in days if start <= d <= end]


def _evaluate_through_runner(
    settings: Settings,
    walk: WalkForward,
    start: dt.date,
    end: dt.date,
    line_days: list[dt.date],
) -> Any:
    """Run ``evaluation_predictions`` over the line days; the graded rows of [start, end] of its market."""
    import pandas as pd

    from nbaprops.core.errors import NbapropsError
    from nbaprops.storage import open_warehouse

    proc = walk.processor(EVALUATION_PREDICTIONS)
    settings.home.mkdir(parents=True, exist_ok=True)
    wh = open_warehouse(settings.warehouse_url, threads=settings.duckdb_threads)
    try:
        if line_days:
            rep = _runner(settings, wh, proc).run([proc], line_days)
            if rep.failed:
                f = rep.failed[0]
                raise NbapropsError(f"evaluation of {f.partition} failed: {f.error}", partition=f.partition)
        if not line_days or not wh.has_table(proc.output):
            return pd.DataFrame()
        params = {"a": start, "b": end, "m": walk.market.name, "days": line_days}
        return wh.query(q.GRADED_RANGE.format(table=proc.output), params).to_pandas()
    finally:
        wh.close()
