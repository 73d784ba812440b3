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

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from nbaprops.pipeline.contract import Context, ExternalFingerprint, Processor
    from nbaprops.pipeline.predict.engine import DayPredictor

__all__ = ["EvaluationReport", "WalkForward", "run_walk_forward", "summarise_systems", "void_lines"]

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
    market_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per system, the market-aware calls (`market_calls.summarise_market`): blend, shopped price,
    CLV and the bankroll simulation."""

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` object: start, end, the per-system summaries and the market-aware calls."""
        out = {"start": self.start.isoformat(), "end": self.end.isoformat(), "systems": self.systems}
        return {**out, "market_calls": self.market_calls}


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
        box: game rows of every season available (each date's fit reads rows before it).
        props: raw lines of the dates.
        dates: the dates to predict, ascending.
        edge: minimum |prediction - line| for a bet.
        cadence_days: LightGBM retrain cadence.
        predictor: the predictor (default: every system).
        on_date: progress callback (date, rows predicted).
    """
    import pandas as pd

    from nbaprops.pipeline.predict.data import attach_lines, game_rows, lines_for
    from nbaprops.pipeline.predict.engine import DayPredictor
    from nbaprops.pipeline.predict.features import build_features
    from nbaprops.pipeline.predict.grading import grade

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
        g = grade(preds, box[box["game_date"] == ts])
        g["call_index"] = range(len(g))
        graded.append(g)
        if on_date:
            on_date(day, len(rows))
    out = pd.concat(graded, ignore_index=True) if graded else pd.DataFrame()
    return out, voids


def void_lines(box: pd.DataFrame, props: pd.DataFrame) -> int:
    """Consensus lines (ids resolved) of players with no box row that day."""
    from nbaprops.pipeline.predict.data import attach_lines, lines_for

    lines = lines_for(props, box)
    return len(lines) - len(attach_lines(box[["game_key", "player_id"]], lines))


def summarise_systems(graded: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per-system summaries (`metrics.summarise`) plus the MAE over rows every system predicted."""
    from nbaprops.pipeline.predict.metrics import summarise

    names = list(dict.fromkeys(graded["system"]))
    systems = {s: summarise(graded[graded["system"] == s]) for s in names}
    g = graded[graded["actual_points"].notna()]
    wide = g.pivot_table(index=["game_key", "player_id"], columns="system", values="abs_error")
    wide = wide[[s for s in names if s in wide.columns]].dropna()
    for s in wide.columns:
        systems[s]["mae_common"] = round(float(wide[s].mean()), 4)
        systems[s]["n_common"] = len(wide)
    return systems


class WalkForward:
    """Builds ``evaluation_predictions`` partitions by walking each date's season forward.

    Args:
        cadence_days: LightGBM retrain cadence (part of the fingerprint).
        on_date: progress callback (date, rows predicted) for every date walked.
    """

    def __init__(
        self, *, cadence_days: int = 7, on_date: Callable[[dt.date, int], None] | None = None
    ) -> None:
        self.cadence_days = cadence_days
        self.on_date = on_date

    def processor(self, base: Processor) -> Processor:
        """`base` (the ``evaluation_predictions`` declaration) built by this walk."""
        return dataclasses.replace(base, build=self.build, build_many=self.build_many, external=self.external)

    def external(self, ctx: Context) -> ExternalFingerprint:
        """The public files' content, the edge and the cadence; rows: the date's raw lines."""
        from nbaprops.pipeline.contract import ExternalFingerprint

        pdata = ctx.public_data()
        parts = [pdata.digest(n) for n in ("games", "player_boxscores", "props_points")]
        parts += [f"edge={ctx.settings.edge}", f"cadence={self.cadence_days}"]
        _, rows = pdata.fingerprint("props_points", "game_date", ctx.partition.key)
        return ExternalFingerprint(hashlib.sha256("|".join(parts).encode()).hexdigest(), rows)

    def build(self, ctx: Context) -> pa.Table:
        """One date (a batch of one)."""
        return self.build_many([ctx])

    def build_many(self, ctxs: list[Context]) -> pa.Table:
        """The graded rows of every date of `ctxs`, each season walked from its first date."""
        import pandas as pd
        import pyarrow as pa

        from nbaprops.pipeline.predict.data import load_public

        root = Path(ctxs[0].public_data().root)
        days = sorted({c.date for c in ctxs})
        starts = _season_starts(root, days)
        beat = _Heartbeat(ctxs)
        out: list[pd.DataFrame] = []
        for first in sorted(set(starts.values())):
            wanted = [d for d in days if starts[d] == first]
            frames = load_public(root, first, wanted[-1])
            line_days = sorted({d.date() for d in frames.props["game_date"]})

            def tick(day: dt.date, n: int, wanted: list[dt.date] = wanted) -> None:
                beat()
                if self.on_date is not None and day in wanted:
                    self.on_date(day, n)

            graded, _ = run_walk_forward(
                frames.box,
                frames.props,
                line_days,
                edge=ctxs[0].settings.edge,
                cadence_days=self.cadence_days,
                on_date=tick,
            )
            if len(graded):
                out.append(graded[graded["game_date"].isin(wanted)])
        frame = (
            pd.concat(out, ignore_index=True) if out else pd.DataFrame({"game_date": pd.Series([], "object")})
        )
        if frame.empty:
            return pa.table({"game_date": pa.array([], pa.date32())})
        return pa.Table.from_pandas(frame, preserve_index=False)


def _season_starts(root: Path, days: list[dt.date]) -> dict[dt.date, dt.date]:
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
