"""One prediction date: fit every system as of the date, predict, calibrate, call.

`DayPredictor.predict_date` is shared by the walk-forward evaluation and the
``predict`` command, so what is evaluated is what is served.  It reads only
feature rows (as-of by construction) and graded predictions dated before the
date; every system's `fit` receives the date and trains on earlier rows only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.calibration import Calibrator
from nbaprops.pipeline.predict.features import FEATURE_SET
from nbaprops.pipeline.predict.recommend import recommend
from nbaprops.pipeline.predict.systems import ENSEMBLE_MEMBERS, Ensemble, Prediction, default_systems
from nbaprops.pipeline.predict.systems.base import PredictionSystem

__all__ = ["OUTPUT_COLUMNS", "DayPredictor", "SystemCall"]

OUTPUT_COLUMNS = (
    "game_date",
    "game_key",
    "player_id",
    "player_name",
    "team",
    "opponent",
    "system",
    "system_version",
    "feature_set",
    "history_games",
    "predicted_points",
    "predicted_sd",
    "line",
    "n_books",
    "line_book",
    "over_odds",
    "under_odds",
    "p_over_raw",
    "p_over",
    "edge",
    "ev",
    "recommendation",
    "reason",
)

SystemCall = Callable[[PredictionSystem, Callable[[], Any]], Any]
"""Runs one system step (fit or predict); the coordinator passes one with a breaker."""


def _direct(system: PredictionSystem, step: Callable[[], Any]) -> Any:
    return step()


class DayPredictor:
    """Holds the systems (they keep state across dates, e.g. the LightGBM model).

    Args:
        systems: the systems (default: `default_systems`).
        edge: minimum |prediction - line| for a bet.
        call: wraps each fit/predict (a circuit breaker in the coordinator); a call that
            raises or returns None leaves that system out for the date.
    """

    def __init__(
        self,
        *,
        systems: list[PredictionSystem] | None = None,
        edge: float = 2.0,
        cadence_days: int = 7,
        call: SystemCall | None = None,
    ) -> None:
        self.systems = systems if systems is not None else default_systems(cadence_days=cadence_days)
        names = {s.name for s in self.systems}
        self.ensemble = Ensemble(tuple(m for m in ENSEMBLE_MEMBERS if m in names))
        self.edge = edge
        self.call = call or _direct
        self.calibrator = Calibrator()
        self.skipped: dict[str, str] = {}
        """System -> why it is missing from some or all predictions of the date."""
        self.fit_failed: set[str] = set()

    def fit(self, features: pd.DataFrame, graded: pd.DataFrame, as_of: dt.date) -> None:
        """Fit every system, the calibration and the ensemble weights as of `as_of`."""
        history = features[features["game_date"] < pd.Timestamp(as_of)]
        self.skipped = {}
        self.fit_failed = set()
        for s in self.systems:
            try:
                self.call(s, partial(s.fit, history, as_of))
            except Exception as exc:
                self.skipped[s.name] = f"fit failed: {type(exc).__name__}: {exc}"
                self.fit_failed.add(s.name)
        self.calibrator.fit(graded, as_of)
        self.ensemble.weigh(graded, as_of)

    def predict(self, rows: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
        """Predictions for the rows of `as_of` (one row per player-game and system, plus ensemble).

        Args:
            rows: feature rows of the date with the line columns (``line, n_books,
                over_odds, under_odds, over_book, under_book, market_p_over``).
            as_of: the date.
        """
        n = len(rows)
        preds: dict[str, Prediction] = {}
        for s in self.systems:
            if s.name in self.fit_failed:
                continue
            try:
                got = self.call(s, partial(s.predict, rows))
            except Exception as exc:
                self.skipped[s.name] = f"predict failed: {type(exc).__name__}: {exc}"
                continue
            if got is None:  # the coordinator's breaker: the call failed or the breaker is open
                self.skipped.setdefault(s.name, "failed or circuit breaker open")
                continue
            preds[s.name] = got
        ens, _ = self.ensemble.combine(preds, n)
        out = [self._frame(rows, s.name, s.version, preds[s.name]) for s in self.systems if s.name in preds]
        line = rows["line"].to_numpy(float)
        # systems disagree: fewer than two thirds of the model members on the ensemble's side
        side = np.sign(ens.mean - line)
        votes = np.zeros(n)
        voters = np.zeros(n)
        for m, p in preds.items():
            if m == "line" or m not in self.ensemble.members:
                continue
            ok = ~np.isnan(p.mean)
            voters += ok
            votes += ok & (np.sign(p.mean - line) == side)
        disagree = (voters > 0) & (votes < (2.0 / 3.0) * voters)
        out.append(self._frame(rows, "ensemble", self.ensemble.version, ens, disagree=disagree))
        frame = pd.concat(out, ignore_index=True)
        frame["game_date"] = pd.Timestamp(as_of).date()
        return frame.loc[:, list(OUTPUT_COLUMNS)]

    def _frame(
        self,
        rows: pd.DataFrame,
        name: str,
        version: str,
        p: Prediction,
        *,
        disagree: np.ndarray | None = None,
    ) -> pd.DataFrame:
        line = rows["line"].to_numpy(float)
        raw = rows["market_p_over"].to_numpy(float) if name == "line" else p.p_over(line)
        cal = raw if name == "line" else self.calibrator.apply(name, raw)
        calls = recommend(
            p.mean,
            line,
            cal,
            rows["over_odds"].to_numpy(float),
            rows["under_odds"].to_numpy(float),
            edge=self.edge,
            history_games=rows["career_games"].to_numpy(float),
            disagree=disagree,
        )
        over = p.mean > line
        return pd.DataFrame(
            {
                "game_key": rows["game_key"].to_numpy(),
                "player_id": rows["player_id"].to_numpy(),
                "player_name": rows["player_name"].to_numpy(),
                "team": rows["team"].to_numpy(),
                "opponent": rows["opponent"].to_numpy(),
                "system": name,
                "system_version": version,
                "feature_set": FEATURE_SET,
                "history_games": rows["career_games"].to_numpy(float),
                "predicted_points": p.mean,
                "predicted_sd": p.sd,
                "line": line,
                "n_books": rows["n_books"].to_numpy(float),
                "line_book": np.where(over, rows["over_book"], rows["under_book"]),
                "over_odds": rows["over_odds"].to_numpy(float),
                "under_odds": rows["under_odds"].to_numpy(float),
                "p_over_raw": raw,
                "p_over": cal,
                "edge": p.mean - line,
                "ev": calls.ev,
                "recommendation": calls.recommendation,
                "reason": calls.reason,
            }
        )
