"""Walk-forward evaluation against real lines: ``nbaprops evaluate``.

For every date in the range that has lines: every system is fitted on rows
dated strictly before the date (`DayPredictor.fit`), predicts the players
with a consensus line, and is graded against the box scores of that date.
Calibration and ensemble weights for a date use only the graded predictions
of earlier dates in the run.  Lines of players with no box row that day are
void (counted, never graded as a loss).  The graded predictions are written
to ``evaluation_predictions`` in the warehouse under ``NBAPROPS_HOME``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError, InputError
from nbaprops.pipeline.predict.data import attach_lines, game_rows, lines_for, load_public
from nbaprops.pipeline.predict.engine import DayPredictor
from nbaprops.pipeline.predict.features import build_features
from nbaprops.pipeline.predict.grading import grade
from nbaprops.pipeline.predict.metrics import summarise

__all__ = ["BASELINES", "EvaluationReport", "evaluate", "run_walk_forward"]

BASELINES = ("line", "season_average", "l10")
EVAL_TABLE = "evaluation_predictions"


@dataclass
class EvaluationReport:
    """The result of one walk-forward evaluation."""

    start: dt.date
    end: dt.date
    systems: dict[str, dict[str, Any]]
    dates: int
    voids: int
    """Lines of players with no box row that day (did not play): void, not graded."""
    unresolved: int
    """Lines whose player name matched nobody seen before the date: not graded."""
    seconds: float
    graded: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object: start, end and the per-system summaries."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "systems": self.systems}


def run_walk_forward(
    box: pd.DataFrame,
    props: pd.DataFrame,
    dates: list[dt.date],
    *,
    edge: float = 2.0,
    cadence_days: int = 7,
    predictor: DayPredictor | None = None,
    on_date: Callable[[dt.date, int], None] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Walk forward over `dates`; return (graded predictions, void lines).

    Args:
        box: game rows of every season available (the features are as-of, and
            each date's fit reads rows before the date only).
        props: raw lines of the dates.
        dates: the dates to predict, ascending.
        edge: minimum |prediction - line| for a bet.
        cadence_days: LightGBM retrain cadence.
        predictor: the predictor (default: every system).
        on_date: progress callback (date, rows predicted).
    """
    feats = build_features(game_rows(box))
    predictor = predictor or DayPredictor(edge=edge, cadence_days=cadence_days)
    lines = lines_for(props, box)
    graded: list[pd.DataFrame] = []
    voids = 0
    for day in dates:
        ts = pd.Timestamp(day)
        day_lines = lines[lines["game_date"] == ts]
        if day_lines.empty:
            continue
        rows = attach_lines(feats[feats["game_date"] == ts], day_lines)
        voids += len(day_lines) - len(rows)
        past = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
        predictor.fit(feats, past, day)
        preds = predictor.predict(rows, day)
        actual = box[box["game_date"] == ts]
        g = grade(preds, actual)
        graded.append(g)
        if on_date:
            on_date(day, len(rows))
    out = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
    return out, voids


def _common_mae(graded: pd.DataFrame, systems: list[str]) -> tuple[dict[str, float], int]:
    g = graded[graded["actual_points"].notna()]
    wide = g.pivot_table(index=["game_key", "player_id"], columns="system", values="abs_error")
    wide = wide[[s for s in systems if s in wide.columns]].dropna()
    return {s: round(float(wide[s].mean()), 4) for s in wide.columns}, len(wide)


def evaluate(
    settings: Settings,
    start: dt.date,
    end: dt.date,
    *,
    cadence_days: int = 7,
    write: bool = True,
    predictor: DayPredictor | None = None,
    on_date: Callable[[dt.date, int], None] | None = None,
) -> EvaluationReport:
    """Walk-forward evaluation of every system over [start, end].

    Args:
        settings: data folder (``data_dir``), home (where results are written), edge.
        start: first date.
        end: last date (inclusive).
        cadence_days: LightGBM retrain cadence.
        write: store the graded predictions in ``evaluation_predictions``.
        predictor: the systems to evaluate (default: every one).
        on_date: progress callback.

    Raises:
        InputError: end before start.
        ConfigError: no data folder, or one missing a required file (named).
    """
    if end < start:
        raise InputError(f"end date {end} is before start date {start}")
    root = settings.resolved_data_dir
    if root is None:
        raise ConfigError("no public data folder: set NBAPROPS_DATA_DIR or --data-dir")
    t0 = time.perf_counter()
    frames = load_public(Path(root), start, end)
    game_days = sorted({d.date() for d in frames.games["game_date"]})
    line_days = sorted({d.date() for d in frames.props["game_date"]})
    if not game_days:
        raise InputError(f"no games scheduled between {start} and {end}")
    graded, voids = run_walk_forward(
        frames.box,
        frames.props,
        line_days,
        edge=settings.edge,
        cadence_days=cadence_days,
        predictor=predictor,
        on_date=on_date,
    )
    notes: list[str] = []
    if graded.empty:
        notes.append(f"no prop lines between {start} and {end}")
        systems: dict[str, dict[str, Any]] = {}
    else:
        names = list(dict.fromkeys(graded["system"]))
        systems = {s: summarise(graded[graded["system"] == s]) for s in names}
        common, n_common = _common_mae(graded, names)
        for s, v in common.items():
            systems[s]["mae_common"] = v
            systems[s]["n_common"] = n_common
    if write and not graded.empty:
        _write(settings, graded)
    return EvaluationReport(
        start=start,
        end=end,
        systems=systems,
        dates=len(line_days),
        voids=voids,
        unresolved=_unresolved(frames.props, frames.box),
        seconds=time.perf_counter() - t0,
        graded=graded,
        notes=notes,
    )


def _unresolved(props: pd.DataFrame, box: pd.DataFrame) -> int:
    """Consensus lines whose name matches no player seen before the date (not graded)."""
    from nbaprops.pipeline.predict.data import resolve_player_ids
    from nbaprops.pipeline.predict.lines import consensus_lines

    lines = resolve_player_ids(consensus_lines(props), box)
    return int(lines["player_id"].isna().sum())


def _write(settings: Settings, graded: pd.DataFrame) -> None:
    from nbaprops.storage import open_warehouse

    settings.home.mkdir(parents=True, exist_ok=True)
    wh = open_warehouse(settings.warehouse_url, threads=settings.duckdb_threads)
    try:
        t = pa.Table.from_pandas(graded, preserve_index=False)
        days = sorted(set(graded["game_date"]))
        wh.write_partitions(EVAL_TABLE, "game_date", days, t)
    finally:
        wh.close()
