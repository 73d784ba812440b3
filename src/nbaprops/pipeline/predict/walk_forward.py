"""Walk-forward evaluation against real lines, and its processor ``evaluation_predictions``.

For every date with lines: every system is fitted on rows dated strictly before the
date (`DayPredictor.fit`), predicts the players with a consensus line, and is graded
against the box scores of that date by the one grading rule (``grading.sql``).
Calibration and ensemble weights for a date use only the graded predictions of earlier
dates of its season: the walk starts on the season's first date with lines, whatever
range is asked for, so a date's rows depend on the data only and a second run skips
them.  Lines of players with no box row that day are void (counted, never graded).

The processor (opt-in, one partition per date) reads the public data folder (its
fingerprint is the files' content, the edge and the retrain cadence); the runner writes
its partitions and their ledger rows.  ``call_index`` keeps each date's row order, so a
report read back from the table equals the in-memory walk (bootstrap intervals included).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbaprops.pipeline.predict.markets import POINTS, Market, market_edge, with_stat

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from nbaprops.pipeline.contract import Context, ExternalFingerprint, Processor
    from nbaprops.pipeline.predict.distributions import Distribution
    from nbaprops.pipeline.predict.engine import DayPredictor

__all__ = [
    "EvaluationReport",
    "MarketProbability",
    "WalkForward",
    "market_lines",
    "own_market_probability",
    "probability_scores",
    "run_walk_forward",
    "season_starts",
    "summarise_systems",
    "void_lines",
]

HEARTBEAT_SECONDS = 30.0


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
    market: str = POINTS.name
    market_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per system, the market-aware calls (`market_calls.summarise_market`): blend, shopped price,
    CLV and the bankroll simulation."""

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object: start, end, market, the per-system summaries and the market-aware calls."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "market": self.market,
            "systems": self.systems,
            "market_calls": self.market_calls,
        }


def run_walk_forward(
    box: pd.DataFrame,
    props: pd.DataFrame,
    dates: list[dt.date],
    *,
    edge: float = 2.0,
    cadence_days: int = 7,
    predictor: DayPredictor | None = None,
    on_date: Callable[[dt.date, int], None] | None = None,
    market: Market | None = None,
    distribution: Distribution = "count",
) -> tuple[pd.DataFrame, int]:
    """Walk forward over `dates` for one market; return (graded predictions, void lines).

    Args:
        box: game rows of every season available (each date's fit reads rows before it);
            with the stat columns (``pts, reb, ...``) for a market other than points.
        props: raw lines of the dates (only the market's are used where a ``market``
            column exists).
        dates: the dates to predict, ascending.
        edge: minimum |prediction - line| for a bet, in the market's units.
        cadence_days: LightGBM retrain cadence.
        predictor: the predictor (default: every system, for `market`).
        on_date: progress callback (date, rows predicted).
        market: the market (default: the predictor's, else points).
        distribution: where the calls' P(over) comes from (``count`` or ``normal``).
    """
    import pandas as pd

    from nbaprops.pipeline.predict.data import attach_lines, game_rows, lines_for
    from nbaprops.pipeline.predict.engine import DayPredictor
    from nbaprops.pipeline.predict.features import build_features
    from nbaprops.pipeline.predict.grading import grade

    market = market or (predictor.market if predictor is not None else POINTS)
    predictor = predictor or DayPredictor(
        edge=edge, cadence_days=cadence_days, market=market, distribution=distribution
    )
    stats = list(predictor.parts)
    feats = {stat: build_features(game_rows(_with(box, stat))) for stat in stats}
    actual = _with(box, market)
    lines = lines_for(market_lines(props, market), box)
    graded: list[pd.DataFrame] = []
    voids = 0
    for day in dates:
        ts = pd.Timestamp(day)
        day_lines = lines[lines["game_date"] == ts]
        if day_lines.empty:
            continue
        day_box = actual[actual["game_date"] == ts]
        known = day_box.loc[day_box["points"].notna(), ["game_key", "player_id"]]
        first = feats[stats[0]]
        rows = attach_lines(first[first["game_date"] == ts], day_lines)
        voids += len(day_lines) - len(rows)
        rows = rows.merge(known, on=["game_key", "player_id"])  # played, but the stat is unknown: not graded
        if rows.empty:
            continue
        parts: pd.DataFrame | dict[str, pd.DataFrame] = rows
        if len(stats) > 1:
            parts = {stats[0]: rows, **{s: feats[s][feats[s]["game_date"] == ts] for s in stats[1:]}}
        past = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
        predictor.fit(feats if len(stats) > 1 else feats[stats[0]], past, day)
        preds = predictor.predict(parts, day)
        g = grade(preds, day_box)
        g["call_index"] = range(len(g))
        graded.append(g)
        if on_date:
            on_date(day, len(rows))
    out = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
    return out, voids


def _with(box: pd.DataFrame, stat: str | Market) -> pd.DataFrame:
    """`markets.with_stat`, where a points-only box (no ``pts`` column) already holds points."""
    if "pts" not in box.columns and (stat == "pts" or stat == POINTS):
        return box
    return with_stat(box, stat)


def market_lines(props: pd.DataFrame, market: Market) -> pd.DataFrame:
    """The raw lines of one market (all of them where there is no ``market`` column: points)."""
    if "market" not in props.columns:
        return props if market.name == POINTS.name else props.iloc[0:0]
    return props[props["market"] == market.name]


def void_lines(box: pd.DataFrame, props: pd.DataFrame, market: Market | None = None) -> int:
    """Consensus lines (ids resolved) of players with no box row that day."""
    from nbaprops.pipeline.predict.data import attach_lines, lines_for

    lines = lines_for(market_lines(props, market or POINTS), box)
    return len(lines) - len(attach_lines(box[["game_key", "player_id"]], lines))


MarketProbability = Callable[["pd.DataFrame"], "np.ndarray"]
"""The market's P(over) for graded rows (with their line, prices and books): the hook for a
de-vig/consensus module.  The default is the rows' own ``market_p_over`` (the mean de-vigged
probability of the books at the consensus line, `lines.consensus_lines`)."""


def own_market_probability(graded: pd.DataFrame) -> np.ndarray:
    """The rows' ``market_p_over`` (NaN where a row has none)."""
    import numpy as np

    if "market_p_over" not in graded.columns:
        return np.full(len(graded), np.nan)
    return np.asarray(graded["market_p_over"].to_numpy(dtype="float64"), dtype="float64")


def summarise_systems(
    graded: pd.DataFrame, *, market_probability: MarketProbability = own_market_probability
) -> dict[str, dict[str, Any]]:
    """Per-system summaries (`metrics.summarise`), the MAE over rows every system predicted,
    and the probability scores of `probability_scores`."""
    from nbaprops.pipeline.predict.metrics import summarise

    names = list(dict.fromkeys(graded["system"]))
    systems = {s: summarise(graded[graded["system"] == s]) for s in names}
    g = graded[graded["actual_points"].notna()]
    wide = g.pivot_table(index=["game_key", "player_id"], columns="system", values="abs_error")
    wide = wide[[s for s in names if s in wide.columns]].dropna()
    for s in wide.columns:
        systems[s]["mae_common"] = round(float(wide[s].mean()), 4)
        systems[s]["n_common"] = len(wide)
    market_p = market_probability(graded)
    for s in names:
        mask = (graded["system"] == s).to_numpy()
        systems[s].update(probability_scores(graded[mask], market_p[mask]))
    return systems


def probability_scores(g: pd.DataFrame, market_p: np.ndarray) -> dict[str, Any]:
    """Brier of P(over) beside the market's on the same rows, the Normal's, and the calls' hit rate.

    Returns:
        ``n_brier`` (rows with the system's P(over), the market's and an over/under result),
        ``brier_same_rows`` / ``brier_market`` (the system's and the market's Brier on those
        rows), ``brier_diff_ci`` (95% bootstrap interval of the paired difference, system minus
        market: below zero beats the market), ``brier_normal`` (the same rows under the
        Normal instead of the count distribution), ``brier_raw`` / ``brier_normal_raw``
        (before calibration), ``bet_hit_rate`` and ``bet_hit_rate_ci`` (Wilson) of the calls
        that were bets, ``break_even`` (the mean break-even probability of their prices).
    """
    import numpy as np

    from nbaprops.pipeline.predict.lines import implied_probability
    from nbaprops.pipeline.predict.metrics import bootstrap_mean_ci, wilson

    def r(x: float | None, nd: int = 4) -> float | None:
        return None if x is None or not np.isfinite(x) else round(float(x), nd)

    y = g["went_over"].to_numpy(dtype="float64")
    p = g["p_over"].to_numpy(dtype="float64")
    ok = ~(np.isnan(y) | np.isnan(p) | np.isnan(market_p))
    out: dict[str, Any] = {"n_brier": int(ok.sum())}
    cols = {"brier_same_rows": "p_over", "brier_normal": "p_over_normal"}
    cols |= {"brier_raw": "p_over_raw", "brier_normal_raw": "p_over_normal_raw"}
    for key, col in cols.items():
        v = g[col].to_numpy(dtype="float64")[ok] if col in g.columns else np.array([np.nan])
        out[key] = r(float(np.mean((v - y[ok]) ** 2))) if ok.any() else None
    out["brier_market"] = r(float(np.mean((market_p[ok] - y[ok]) ** 2))) if ok.any() else None
    diff = (p[ok] - y[ok]) ** 2 - (market_p[ok] - y[ok]) ** 2
    ci = bootstrap_mean_ci(diff)
    out["brier_diff_ci"] = [r(ci[0], 5), r(ci[1], 5)] if ci else None
    bets = g[g["result"].isin(["WIN", "LOSS"])]
    wins = int((bets["result"] == "WIN").sum())
    hit = wilson(wins, len(bets))
    out["bet_hit_rate"] = r(wins / len(bets)) if len(bets) else None
    out["bet_hit_rate_ci"] = [r(hit[0]), r(hit[1])] if hit else None
    out["break_even"] = r(float(np.mean(implied_probability(bets["odds"])))) if len(bets) else None
    return out


class WalkForward:
    """Builds ``evaluation_predictions`` partitions of one market by walking each date's season forward.

    Args:
        cadence_days: LightGBM retrain cadence (part of the fingerprint).
        on_date: progress callback (date, rows predicted) for every date walked.
        market: the market walked (a partition holds the rows of the last market built for it).
        every: walk every `every`-th date with lines of each season, counted from its first
            (1: every date); the sampled dates depend on the data only.
        distribution: where the calls' P(over) comes from (``count`` or ``normal``).
    """

    def __init__(
        self,
        *,
        cadence_days: int = 7,
        on_date: Callable[[dt.date, int], None] | None = None,
        market: Market = POINTS,
        every: int = 1,
        distribution: Distribution = "count",
    ) -> None:
        self.cadence_days = cadence_days
        self.on_date = on_date
        self.market = market
        self.every = every
        self.distribution: Distribution = distribution

    def processor(self, base: Processor) -> Processor:
        """`base` (the ``evaluation_predictions`` declaration) built by this walk."""
        return dataclasses.replace(base, build=self.build, build_many=self.build_many, external=self.external)

    def external(self, ctx: Context) -> ExternalFingerprint:
        """The public files' content, the market, its edge, the cadence, the sampling; rows: the date's lines."""
        from nbaprops.pipeline.contract import ExternalFingerprint
        from nbaprops.pipeline.predict.market_data import line_rows

        pdata = ctx.public_data()
        root = Path(pdata.root)
        parts = [pdata.digest(n) for n in ("games", "player_boxscores", "props_points")]
        edge = market_edge(self.market, ctx.settings.edge)
        parts += [f"edge={edge}", f"cadence={self.cadence_days}"]
        if self.market != POINTS or self.every != 1 or self.distribution != "count":
            parts += [f"market={self.market.name}", f"every={self.every}", f"dist={self.distribution}"]
        digest, rows = line_rows(root, self.market, ctx.partition.key)
        parts.append(digest)
        return ExternalFingerprint(hashlib.sha256("|".join(parts).encode()).hexdigest(), rows)

    def build(self, ctx: Context) -> pa.Table:
        """One date (a batch of one)."""
        return self.build_many([ctx])

    def line_days(self, props: pd.DataFrame, first: dt.date) -> list[dt.date]:
        """The dates walked: every `every`-th date with the market's lines from `first` on."""
        days = sorted({d.date() for d in market_lines(props, self.market)["game_date"] if d.date() >= first})
        return days[:: self.every]

    def build_many(self, ctxs: list[Context]) -> pa.Table:
        """The graded rows of every date of `ctxs`, each season walked from its first date."""
        import pandas as pd
        import pyarrow as pa

        from nbaprops.pipeline.predict.market_data import load_market

        root = Path(ctxs[0].public_data().root)
        days = sorted({c.date for c in ctxs})
        starts = season_starts(root, days)
        beat = _Heartbeat(ctxs)
        out: list[pd.DataFrame] = []
        for first in sorted(set(starts.values())):
            wanted = [d for d in days if starts[d] == first]
            frames = load_market(root, self.market, first, wanted[-1])

            def tick(day: dt.date, n: int, wanted: list[dt.date] = wanted) -> None:
                beat()
                if self.on_date is not None and day in wanted:
                    self.on_date(day, n)

            graded, _ = run_walk_forward(
                frames.box,
                frames.props,
                self.line_days(frames.props, first),
                edge=market_edge(self.market, ctxs[0].settings.edge),
                cadence_days=self.cadence_days,
                on_date=tick,
                market=self.market,
                distribution=self.distribution,
            )
            if len(graded):
                out.append(graded[graded["game_date"].isin(wanted)])
        frame = (
            pd.concat(out, ignore_index=True) if out else pd.DataFrame({"game_date": pd.Series([], "object")})
        )
        if frame.empty:
            return pa.table({"game_date": pa.array([], pa.date32())})
        return pa.Table.from_pandas(frame, preserve_index=False)


def season_starts(root: Path, days: list[dt.date]) -> dict[dt.date, dt.date]:
    """The first game date of each day's season in the public ``games`` file."""
    import pandas as pd

    from nbaprops.sources.public_data import PublicData

    games = pd.read_parquet(PublicData(root).path("games"), columns=["game_date", "season"])
    games["game_date"] = pd.to_datetime(games["game_date"]).dt.date
    first = games.groupby("season")["game_date"].min()
    season_of = games.drop_duplicates("game_date").set_index("game_date")["season"]
    out = {}
    for d in days:
        s = season_of.get(d)
        if s is None:  # not a game date: the season of the latest game date before it
            before = season_of[season_of.index <= d]
            s = before.iloc[-1] if len(before) else None
        out[d] = first[s] if s is not None else d
    return out


class _Heartbeat:
    """Calls every context's heartbeat at most every `HEARTBEAT_SECONDS`."""

    def __init__(self, ctxs: list[Context]) -> None:
        self.ctxs = ctxs
        self.last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= HEARTBEAT_SECONDS:
            for c in self.ctxs:
                c.heartbeat()
            self.last = time.monotonic()
