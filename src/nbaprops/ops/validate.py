"""Validation: compare the schedule, the ledger and the warehouse, and classify every gap.

For each (processor, partition) three figures are compared: what the schedule (or the
upstream source) expects, what the ledger's latest successful run says it wrote, and what
the warehouse actually holds.  Each gap gets one classification:

========================  =====================================================  =======
classification            meaning                                                alarm?
========================  =====================================================  =======
``tracking_mismatch``     the data is complete; the ledger disagrees with it     yes
                          (or a run is stuck in ``running``)
``real_loss``             games scheduled and final, rows missing                yes
``partial``               rows present but below the coverage gate (90 %)        yes
``upstream_missing``      the source holds nothing for a date with final games   yes
``blocked_by_gate``       the last run was blocked by the coverage gate          yes
``future_date``           the date is after today                                no
``legitimate_zero``       no games: off-season, All-Star break, in-season rest   no
``bootstrap``             thin output in a season's first 14 days (history)      no
========================  =====================================================  =======

A partition that is complete and matches its ledger is not a finding at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal, TypeAlias

from nbaprops.core.calendar import DayInfo
from nbaprops.ops.gates import coverage
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.contract import Context, Processor
from nbaprops.storage.warehouse import PartitionValue

__all__ = ["ALARMS", "Classification", "Finding", "coverage_report", "partition_coverage", "validate"]

Classification: TypeAlias = Literal[
    "tracking_mismatch",
    "real_loss",
    "partial",
    "upstream_missing",
    "blocked_by_gate",
    "future_date",
    "legitimate_zero",
    "bootstrap",
]
ALARMS: frozenset[str] = frozenset(
    {"tracking_mismatch", "real_loss", "partial", "upstream_missing", "blocked_by_gate"}
)


@dataclass(frozen=True)
class Finding:
    """One classified gap."""

    processor: str
    partition: str
    phase: int
    classification: Classification
    expected: int | None
    """Games (per-game tables) or upstream rows (source tables) expected; None if unknown."""
    ledger: int | None
    """Rows the latest successful run wrote, per the ledger (None: no successful run)."""
    warehouse: int
    """Rows the warehouse holds now."""
    detail: str

    @property
    def alarm(self) -> bool:
        """Whether this needs a person or `heal` (not an expected zero)."""
        return self.classification in ALARMS

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (adds ``alarm``)."""
        return {**asdict(self), "alarm": self.alarm}


@dataclass(frozen=True)
class _LedgerState:
    status: str
    rows: int | None
    error: str | None
    stale: bool


def _ledger_state(runner: Runner) -> dict[tuple[str, str], tuple[_LedgerState, int | None]]:
    """(latest non-skipped run, rows of the latest success) per (processor, partition)."""
    if not runner.wh.has_table(LEDGER):
        return {}
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=runner.settings.run_timeout_minutes)
    got = runner.wh.rows(
        f"""
        WITH ranked AS (
            SELECT *, row_number() OVER (PARTITION BY processor, partition
                                         ORDER BY started_at DESC) AS rn
            FROM {LEDGER} WHERE status <> 'skipped'
        ),
        ok AS (
            SELECT processor, partition, arg_max(rows_written, started_at) AS rows
            FROM {LEDGER} WHERE status = 'success' GROUP BY ALL
        ),
        stuck AS (
            SELECT DISTINCT processor, partition FROM {LEDGER}
            WHERE status = 'running' AND coalesce(heartbeat_at, started_at) < $cutoff
        )
        SELECT r.processor, r.partition, r.status, r.rows_written, r.error,
               st.processor IS NOT NULL, ok.rows
        FROM ranked r LEFT JOIN ok USING (processor, partition)
        LEFT JOIN stuck st USING (processor, partition) WHERE r.rn = 1
        """,
        {"cutoff": cutoff},
    )
    return {(p, k): (_LedgerState(s, w, e, bool(st)), ok) for p, k, s, w, e, st, ok in got}


def _games_covered(runner: Runner, proc: Processor) -> dict[str, int]:
    if proc.partition != "date" or "game_code" not in runner.wh.columns(proc.output):
        return {}
    got = runner.wh.rows(f"SELECT game_date, count(DISTINCT game_code) FROM {proc.output} GROUP BY 1")
    return {d.isoformat(): int(n) for d, n in got}


def partition_coverage(
    runner: Runner, proc: Processor, values: Sequence[PartitionValue]
) -> dict[str, float | None]:
    """Share of each date's covered final games a per-game partition holds.

    None where the question does not apply: season partitions, source tables (complete
    against their source, not the schedule), dates without covered games, and thin
    precompute/prediction output in the bootstrap window.  One query for any number of dates.
    """
    out: dict[str, float | None] = {proc.partition_for(v).key: None for v in values}
    days = [v for v in values if isinstance(v, dt.date)]
    if not days or not proc.per_game or proc.external is not None:
        return out
    if "game_code" not in runner.wh.columns(proc.output):
        return out
    for d, (covered, expected) in coverage(runner, proc.output, days=days).items():
        if expected and not (runner.calendar.day(d).bootstrap and proc.built_from_history):
            out[d.isoformat()] = covered / expected
    return out


def _future_season(runner: Runner, season: str) -> bool:
    today = runner.calendar.today
    return season not in runner.calendar.seasons and int(season[:4]) >= (
        today.year if today.month >= 8 else today.year - 1
    )


def _classify(
    runner: Runner,
    proc: Processor,
    value: PartitionValue,
    *,
    rows: int,
    covered: int | None,
    state: tuple[_LedgerState, int | None] | None,
) -> Finding | None:
    key = proc.partition_for(value).key
    last, ok_rows = state if state else (None, None)
    day: DayInfo | None = runner.calendar.day(value) if isinstance(value, dt.date) else None
    expected: int | None = None

    def finding(cls: Classification, detail: str) -> Finding:
        return Finding(proc.name, key, proc.phase, cls, expected, ok_rows, rows, detail)

    if last is not None and last.stale:
        return finding("tracking_mismatch", "a run is stuck in 'running' (no heartbeat)")
    if last is not None and last.status == "failed" and (last.error or "").startswith("gate:"):
        return finding("blocked_by_gate", last.error or "")
    ext_rows: int | None = None
    if proc.external is not None:
        ctx = Context(
            proc.partition_for(value),
            runner.settings,
            runner.wh,
            runner.calendar,
            runner.raw,
            runner.public_data,
        )
        ext_rows = proc.external(ctx).rows
    if day is not None and proc.per_game:
        if day.kind == "future" or (day.kind == "scheduled" and day.date > runner.calendar.today):
            return finding("future_date", f"{day.date} is after today") if rows == 0 else None
        if day.final_games == 0:
            return (
                finding("legitimate_zero", f"no games ({day.kind.replace('_', ' ')})") if rows == 0 else None
            )
        expected = day.box_final_games if proc.external is None else day.final_games
        if expected == 0:  # only play-in / Cup final games: the box source never has them
            if rows == 0:
                return finding("legitimate_zero", "only games the box-score source does not cover")
            return None
    if ext_rows is not None:
        expected = ext_rows
        if ext_rows == 0 and proc.phase > 2:
            return None  # a derived table whose own expectation is zero (e.g. no upcoming games)
        if ext_rows == 0:
            if rows == 0 and day is None and _future_season(runner, str(value)):
                return finding("future_date", f"season {value} has not started")
            if rows == 0 and (day is None or day.final_games > 0):
                return finding("upstream_missing", "the source holds no rows for this partition")
            return finding(
                "upstream_missing",
                f"the source lost this partition's payload; the warehouse still holds {rows} rows "
                "(a re-run would erase them)",
            )
    thin_ok = bool(day and day.bootstrap and proc.built_from_history)
    if rows == 0:
        if expected == 0:
            return None
        if thin_ok:
            return finding("bootstrap", "first days of the season: no history yet")
        return finding("real_loss", f"expected {expected}, the warehouse holds 0 rows")
    if ext_rows is not None:
        share = rows / ext_rows if ext_rows else 1.0
    elif covered is not None and expected:
        share = covered / expected
    else:
        share = 1.0
    if share < runner.settings.coverage_gate:
        if thin_ok:
            return finding("bootstrap", f"coverage {share:.0%} in the bootstrap window")
        return finding("partial", f"coverage {share:.0%} of expected")
    if ok_rows != rows:
        said = "no successful run" if ok_rows is None else f"the ledger says {ok_rows}"
        return finding("tracking_mismatch", f"{said}, the warehouse holds {rows}")
    return None


def validate(
    runner: Runner,
    dates: Iterable[dt.date],
    *,
    phases: Iterable[int] | None = None,
    processors: Iterable[str] | None = None,
) -> list[Finding]:
    """Classify every gap of the selected processors over the partitions covering `dates`.

    Args:
        runner: a runner on the warehouse to check (its calendar and settings are used).
        dates: the game dates to check (season processors: their seasons).
        phases: only these phases.
        processors: only these processors.

    Returns:
        Findings, in DAG order then partition order.
    """
    days = sorted(set(dates))
    state = _ledger_state(runner)
    out: list[Finding] = []
    for proc in runner.registry.select(processors, phases):
        counts = runner.wh.counts_by(proc.output, proc.partition_column)
        covered = _games_covered(runner, proc)
        for value in runner.partitions_for(proc, days):
            key = proc.partition_for(value).key
            f = _classify(
                runner,
                proc,
                value,
                rows=counts.get(key, 0),
                covered=covered.get(key),
                state=state.get((proc.name, key)),
            )
            if f is not None:
                out.append(f)
    return out


def coverage_report(runner: Runner, season: str, findings: list[Finding]) -> dict[str, object]:
    """One season's row: dates, games and the healthy share of partitions per phase group.

    Groups: raw (phases 1-2), analytics (3), precompute (4), predictions (5).  A partition
    counts as healthy unless it has an alarm finding; groups with no processors are None.
    """
    first, last = runner.calendar.season_bounds(season)
    game_days = [d for d in runner.calendar.game_dates(season) if runner.calendar.day(d).final_games]
    games = sum(runner.calendar.day(d).final_games for d in game_days)
    bad = {(f.processor, f.partition) for f in findings if f.alarm}
    groups = {"raw": (1, 2), "analytics": (3,), "precompute": (4,), "predictions": (5,)}
    row: dict[str, object] = {"season": season, "dates": len(game_days), "games": games}
    for name, phs in groups.items():
        procs = [p for p in runner.registry.select() if p.phase in phs]  # what validate covers
        total = healthy = 0
        for p in procs:
            for v in runner.partitions_for(p, game_days):
                total += 1
                healthy += (p.name, p.partition_for(v).key) not in bad
        row[name] = round(100 * healthy / total, 1) if total else None
    row["first"], row["last"] = first.isoformat(), last.isoformat()
    return row
