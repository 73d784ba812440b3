"""One prediction date of one market: fit every system as of the date, predict, calibrate, call.

`DayPredictor` is shared by the walk-forward evaluation and the ``predict`` command, so
what is evaluated is what is served.  It reads only feature rows (as-of by construction)
and graded predictions dated before the date; every system's `fit` receives the date and
trains on earlier rows only.

A market (`markets.Market`) of one stat gives its systems feature rows of that stat; a
market of several parts (PRA) holds one copy of every system per part, predicts each part
and sums them (`distributions.combine_parts`), so its mean is the sum of the parts' means.
P(over) comes from the count distribution (`distributions`, default) or the Normal; both
are computed and calibrated on every row (``p_over`` / ``p_over_normal``), so one walk
measures the two.  The ``line`` system is the market's own line and de-vigged price.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from nbaprops.pipeline.predict.calibration import Calibrator
from nbaprops.pipeline.predict.distributions import Distribution, combine_parts, p_over, part_inflation
from nbaprops.pipeline.predict.features import FEATURE_SET
from nbaprops.pipeline.predict.markets import POINTS, Market
from nbaprops.pipeline.predict.recommend import recommend
from nbaprops.pipeline.predict.systems import ENSEMBLE_MEMBERS, Ensemble, Prediction, default_systems
from nbaprops.pipeline.predict.systems.base import PredictionSystem

__all__ = ["OUTPUT_COLUMNS", "DayPredictor", "Frames", "SystemCall"]

OUTPUT_COLUMNS = (
    "game_date",
    "market",
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
    "market_p_over",
    "p_over_raw",
    "p_over",
    "p_over_normal_raw",
    "p_over_normal",
    "edge",
    "ev",
    "recommendation",
    "reason",
)

Frames: TypeAlias = pd.DataFrame | Mapping[str, pd.DataFrame]
"""Feature rows of a one-stat market, or one frame per part (``{"pts": ..., "reb": ...}``)."""

SystemCall = Callable[[PredictionSystem, Callable[[], Any]], Any]
"""Runs one system step (fit or predict); the coordinator passes one with a breaker."""


def _direct(system: PredictionSystem, step: Callable[[], Any]) -> Any:
    return step()


class DayPredictor:
    """Holds the systems (they keep state across dates, e.g. the LightGBM model).

    Args:
        systems: the systems (default: `default_systems`); a market of several parts gets
            a copy of each per part (the ``line`` system stays one: the market's line).
        edge: minimum |prediction - line| for a bet, in the market's units.
        call: wraps each fit/predict (a circuit breaker in the coordinator); a call that
            raises or returns None leaves that system out for the date.
        market: the market predicted (default points).
        distribution: where P(over) comes from for the calls: ``count`` or ``normal``.
    """

    def __init__(
        self,
        *,
        systems: list[PredictionSystem] | None = None,
        edge: float = 2.0,
        cadence_days: int = 7,
        call: SystemCall | None = None,
        market: Market = POINTS,
        distribution: Distribution = "count",
    ) -> None:
        self.systems = systems if systems is not None else default_systems(cadence_days=cadence_days)
        self.market = market
        self.distribution: Distribution = distribution
        stats = market.predicted
        self.parts: dict[str, list[PredictionSystem]] = {stats[0]: self.systems}
        for stat in stats[1:]:
            self.parts[stat] = [copy.deepcopy(s) for s in self.systems if s.name != "line"]
        names = {s.name for s in self.systems}
        self.ensemble = Ensemble(tuple(m for m in ENSEMBLE_MEMBERS if m in names))
        self.edge = edge
        self.call = call or _direct
        self.calibrator = Calibrator()
        self.calibrator_normal = Calibrator()
        self.inflation = 1.0
        """Variance factor of the parts' sum (`distributions.part_inflation`); 1 for one part."""
        self.skipped: dict[str, str] = {}
        """System -> why it is missing from some or all predictions of the date."""
        self.fit_failed: set[str] = set()

    def _by_part(self, frames: Frames) -> dict[str, pd.DataFrame]:
        if isinstance(frames, pd.DataFrame):
            if len(self.parts) > 1:
                raise ValueError(f"{self.market.name} needs one frame per part: {', '.join(self.parts)}")
            return {next(iter(self.parts)): frames}
        return {stat: frames[stat] for stat in self.parts}

    def fit(self, features: Frames, graded: pd.DataFrame, as_of: dt.date) -> None:
        """Fit every system (per part), the calibration and the ensemble weights as of `as_of`."""
        by_part = self._by_part(features)
        histories = {k: f[f["game_date"] < pd.Timestamp(as_of)] for k, f in by_part.items()}
        self.skipped = {}
        self.fit_failed = set()
        for stat, systems in self.parts.items():
            for s in systems:
                try:
                    self.call(s, partial(s.fit, histories[stat], as_of))
                except Exception as exc:
                    self.skipped[s.name] = f"fit failed: {type(exc).__name__}: {exc}"
                    self.fit_failed.add(s.name)
        if len(self.parts) > 1:
            self.inflation = part_inflation(list(histories.values()), as_of)
        self.calibrator.fit(graded, as_of)
        if not graded.empty and "p_over_normal_raw" in graded.columns:
            normal = graded.drop(columns=["p_over_raw"]).rename(columns={"p_over_normal_raw": "p_over_raw"})
            self.calibrator_normal.fit(normal, as_of)
        else:
            self.calibrator_normal.fit(pd.DataFrame(), as_of)
        self.ensemble.weigh(graded, as_of)

    def _predict_one(self, s: PredictionSystem, rows: pd.DataFrame) -> Prediction | None:
        if s.name in self.fit_failed:
            return None
        try:
            got = self.call(s, partial(s.predict, rows))
        except Exception as exc:
            self.skipped[s.name] = f"predict failed: {type(exc).__name__}: {exc}"
            return None
        if got is None:  # the coordinator's breaker: the call failed or the breaker is open
            self.skipped.setdefault(s.name, "failed or circuit breaker open")
            return None
        return got  # type: ignore[no-any-return]

    def _aligned(self, by_part: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """Every part's rows in the order of the first part's (NaN features where a part has none)."""
        stats = list(by_part)
        base = by_part[stats[0]]
        key = ["game_key", "player_id"]
        out = {stats[0]: base}
        for stat in stats[1:]:
            f = by_part[stat].drop_duplicates(key)
            out[stat] = base[key].merge(
                f.drop(columns=[c for c in _LINE_COLUMNS if c in f]), on=key, how="left"
            )
        return out

    def predict(self, rows: Frames, as_of: dt.date) -> pd.DataFrame:
        """Predictions for the rows of `as_of` (one row per player-game and system, plus ensemble).

        Args:
            rows: feature rows of the date with the line columns (``line, n_books,
                over_odds, under_odds, over_book, under_book, market_p_over``); for a market
                of several parts, one frame per part (the first one carries the lines).
            as_of: the date.
        """
        by_part = self._aligned(self._by_part(rows))
        base = next(iter(by_part.values()))
        n = len(base)
        preds: dict[str, Prediction] = {}
        first, *rest = self.parts
        for s in self.parts[first]:
            got = self._predict_one(s, base)
            if got is None:
                continue
            if s.name == "line" or not rest:
                preds[s.name] = got
                continue
            parts = [got]
            for stat in rest:
                twin = next(t for t in self.parts[stat] if t.name == s.name)
                other = self._predict_one(twin, by_part[stat])
                if other is None:
                    break
                parts.append(other)
            else:
                preds[s.name] = combine_parts(parts, self.inflation)
        ens, _ = self.ensemble.combine(preds, n)
        out = [self._frame(base, s.name, s.version, preds[s.name]) for s in self.systems if s.name in preds]
        line = base["line"].to_numpy(float)
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
        out.append(self._frame(base, "ensemble", self.ensemble.version, ens, disagree=disagree))
        frame = pd.concat(out, ignore_index=True)
        frame["game_date"] = pd.Timestamp(as_of).date()
        frame["market"] = self.market.name
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
        market_p = rows["market_p_over"].to_numpy(float)
        binary = self.market.kind == "binary"
        if name == "line":
            raw = cal = raw_n = cal_n = market_p
        else:
            raw = p_over(p, line, distribution="count", binary=binary)
            raw_n = p_over(p, line, distribution="normal", binary=binary)
            cal = self.calibrator.apply(name, raw)
            cal_n = self.calibrator_normal.apply(name, raw_n)
        chosen = cal if self.distribution == "count" else cal_n
        calls = recommend(
            p.mean,
            line,
            chosen,
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
                "market_p_over": market_p,
                "p_over_raw": raw if self.distribution == "count" else raw_n,
                "p_over": chosen,
                "p_over_normal_raw": raw_n,
                "p_over_normal": cal_n,
                "edge": p.mean - line,
                "ev": calls.ev,
                "recommendation": calls.recommendation,
                "reason": calls.reason,
            }
        )


_LINE_COLUMNS = ("line", "n_books", "over_odds", "over_book", "under_odds", "under_book", "market_p_over")
