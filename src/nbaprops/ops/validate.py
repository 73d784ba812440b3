"""Validation: compare the schedule, the ledger, the catalog and the warehouse; classify every gap.

For each (processor, partition) four things are compared: what the schedule (or the upstream
source) expects, what the ledger's latest successful run says it wrote, the rows and content
checksum the partition catalog recorded in the write transaction, and what the warehouse
holds now (rows and checksum recomputed in one grouped scan per table).  The domain audits
beside the models (`nbaprops.ops.audits`) run too.  Each gap gets one classification:

========================  =====================================================  =======
classification            meaning                                                alarm?
========================  =====================================================  =======
``tampered``              same row count, different content than was written     yes
                          (changed behind the ledger's back)
``tracking_mismatch``     the ledger or the catalog disagrees with the row count yes
                          (rows added behind its back, or a run stuck in
                          ``running``)
``real_loss``             games scheduled and final, rows missing                yes
``partial``               some of a date's games missing (raw and analytics),    yes
                          below the coverage gate (history-built tables), or
                          fewer rows than the catalog recorded
``audit_failed``          a domain audit selects bad rows in the partition       yes
``upstream_missing``      the source holds nothing for a date it covers          yes
``blocked_by_gate``       the last run was blocked by the coverage gate          yes
``source_disagreement``   sources disagree on a game of the date (a score, a     yes
                          team's points, a player's points): the rows of a
                          table declared `Processor.reports_disagreements`
``future_date``           the date is after today                                no
``legitimate_zero``       no games: off-season, All-Star break, in-season rest   no
``not_covered``           outside the span of dates the source holds at all      no
                          (`Processor.source_coverage`, read from the source)
``bootstrap``             thin output in a season's first 14 days (history)      no
========================  =====================================================  =======

A partition that is complete and matches its ledger is not a finding at all.

`served_by` says which source served the games of each canonical table
(`Processor.merges_sources`) over the range: the ``source`` column, counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal, TypeAlias, get_args

from nbaprops.core.calendar import DayInfo
from nbaprops.ops.audits import run_audits
from nbaprops.ops.gates import coverage
from nbaprops.ops.ledger import LEDGER
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.contract import Context, Processor
from nbaprops.storage.queries import validate as q
from nbaprops.storage.warehouse import Partition, PartitionValue

__all__ = [
    "ALARMS",
    "EXPECTED",
    "Classification",
    "Finding",
    "Served",
    "coverage_report",
    "partition_coverage",
    "served_by",
    "validate",
]

Classification: TypeAlias = Literal[
    "tampered",
    "tracking_mismatch",
    "real_loss",
    "partial",
    "audit_failed",
    "upstream_missing",
    "blocked_by_gate",
    "source_disagreement",
    "future_date",
    "legitimate_zero",
    "not_covered",
    "bootstrap",
]
EXPECTED: frozenset[str] = frozenset({"future_date", "legitimate_zero", "not_covered", "bootstrap"})
"""Classes that are no alarm: the gap is what the calendar or the source says it should be."""
ALARMS: frozenset[str] = frozenset(get_args(Classification)) - EXPECTED
"""Classes that need a person or `heal`."""


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


@dataclass
class _TableFacts:
    """What one processor's output holds now and what was recorded when it was written."""

    content: dict[str, tuple[int, str]]
    """(rows, checksum) per partition, recomputed now."""
    catalog: dict[str, tuple[int, str]]
    """(rows, checksum) per partition, recorded by the write transaction."""
    covered: dict[str, int]
    """Distinct games per date (per-game tables)."""
    audits: dict[str, list[str]]
    """Partition key -> the audits that select bad rows in it."""
    audit_errors: list[str]
    """Audits that could not run at all (every partition fails them)."""
    span: tuple[dt.date, dt.date] | None = None
    """The dates the source covers (`Processor.source_coverage`)."""
    disagreements: dict[str, list[str]] | None = None
    """Partition key -> its disagreements, one line each (`Processor.reports_disagreements`)."""


def ident(name: str) -> str:
    """A declared table or column name, checked before it is put in SQL."""
    if not (name.isidentifier() and name.isascii()):
        raise ValueError(f"{name!r} is not a table or column name")
    return name


def _ledger_state(runner: Runner) -> dict[tuple[str, str], tuple[_LedgerState, int | None]]:
    """(latest non-skipped run, rows of the latest success) per (processor, partition)."""
    if not runner.wh.has_table(LEDGER):
        return {}
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=runner.settings.run_timeout_minutes)
    got = runner.wh.rows(q.LATEST_RUNS.format(table=LEDGER), {"cutoff": cutoff})
    return {(p, k): (_LedgerState(s, w, e, bool(st)), ok) for p, k, s, w, e, st, ok in got}


def _context(runner: Runner, proc: Processor, value: PartitionValue) -> Context:
    return Context(
        proc.partition_for(value), runner.settings, runner.wh, runner.calendar, runner.raw, runner.public_data
    )


def _facts(runner: Runner, proc: Processor, values: Sequence[PartitionValue]) -> _TableFacts:
    """One grouped scan of the table (rows + checksum per partition), the catalog, the audits."""
    wh = runner.wh
    table, column = proc.output, proc.partition_column
    content: dict[str, tuple[int, str]] = {}
    covered: dict[str, int] = {}
    if wh.has_table(table):
        sql = q.PARTITION_CONTENT.format(table=ident(table), column=ident(column))
        content = {Partition(column, v).key: (int(n), str(c)) for v, n, c in wh.rows(sql)}
        if proc.partition == "date" and "game_code" in wh.columns(table):
            got = wh.rows(q.GAMES_COVERED.format(table=ident(table)))
            covered = {d.isoformat(): int(n) for d, n in got}
    audits: dict[str, list[str]] = {}
    errors: list[str] = []
    for result in run_audits(wh, proc):
        if result.error is not None:
            errors.append(f"{result.audit}: {result.error}")
        for key, n in result.bad_rows.items():
            audits.setdefault(key, []).append(f"{result.audit} ({n} row(s))")
    facts = _TableFacts(content, wh.partition_state(table), covered, audits, errors)
    dated = [v for v in values if isinstance(v, dt.date)]
    if proc.source_coverage is not None and dated:
        facts.span = proc.source_coverage(_context(runner, proc, dated[0]))
    if proc.reports_disagreements and dated and wh.has_table(table):
        facts.disagreements = {}
        sql = q.DISAGREEMENT_ROWS.format(table=ident(table))
        for day, code, check, subject, src, value, ref, ref_value in wh.rows(
            sql, {"lo": min(dated), "hi": max(dated)}
        ):
            line = f"{code} {check} {subject}: {src} {value} vs {ref} {ref_value}"
            facts.disagreements.setdefault(day.isoformat(), []).append(line)
    return facts


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


def _within(day: dt.date, span: tuple[dt.date, dt.date] | None) -> bool:
    return span is not None and span[0] <= day <= span[1]


def _content_finding(
    rows: int, now: tuple[int, str] | None, written: tuple[int, str] | None
) -> tuple[Classification, str] | None:
    """A change behind the ledger's back: the table against what its write transaction recorded."""
    if written is None or now is None:
        return None
    (n_now, chk_now), (n_written, chk_written) = now, written
    if n_now < n_written:
        return "partial", f"holds {rows} of the {n_written} rows last written (rows deleted)"
    if n_now > n_written:
        return "tracking_mismatch", f"holds {rows} rows, {n_written} were written (rows added since)"
    if chk_now != chk_written:
        return "tampered", f"same {rows} rows, content changed since written (checksum differs)"
    return None


def _classify(
    runner: Runner,
    proc: Processor,
    value: PartitionValue,
    facts: _TableFacts,
    state: tuple[_LedgerState, int | None] | None,
) -> Finding | None:
    key = proc.partition_for(value).key
    now = facts.content.get(key)
    rows = now[0] if now else 0
    covered = facts.covered.get(key)
    last, ok_rows = state if state else (None, None)
    day: DayInfo | None = runner.calendar.day(value) if isinstance(value, dt.date) else None
    expected: int | None = None

    def finding(cls: Classification, detail: str) -> Finding:
        return Finding(proc.name, key, proc.phase, cls, expected, ok_rows, rows, detail)

    if last is not None and last.stale:
        return finding("tracking_mismatch", "a run is stuck in 'running' (no heartbeat)")
    if last is not None and last.status == "failed" and (last.error or "").startswith("gate:"):
        return finding("blocked_by_gate", last.error or "")
    if proc.reports_disagreements:  # zero rows is the normal case: the sources agree
        changed = _content_finding(rows, now, facts.catalog.get(key))
        if changed is not None:
            return finding(*changed)
        if last is not None and ok_rows != rows:
            return finding("tracking_mismatch", f"the ledger says {ok_rows}, the warehouse holds {rows}")
        if last is None and day is not None and day.final_games > 0:
            return finding("real_loss", f"the sources of {day.final_games} final games were never compared")
        found = (facts.disagreements or {}).get(key, [])
        if rows and found:
            return finding("source_disagreement", f"{len(found)} disagreement(s): " + "; ".join(found[:3]))
        return None
    ext_rows = proc.external(_context(runner, proc, value)).rows if proc.external is not None else None
    if day is not None and proc.per_game:
        if day.kind == "future" or (day.kind == "scheduled" and day.date > runner.calendar.today):
            return finding("future_date", f"{day.date} is after today") if rows == 0 else None
        if day.final_games == 0:
            return (
                finding("legitimate_zero", f"no games ({day.kind.replace('_', ' ')})") if rows == 0 else None
            )
        box_covered = proc.external is None or proc.covers_every_game  # the box source's games
        expected = day.box_final_games if box_covered else day.final_games
        if expected == 0:  # only play-in / Cup final games: the box source never has them
            if rows == 0:
                return finding("legitimate_zero", "only games the box-score source does not cover")
            return None
    span = facts.span
    if day is not None and proc.source_coverage is not None and rows == 0 and not _within(day.date, span):
        where = "holds no dates" if span is None else f"covers {span[0]} .. {span[1]}"
        return finding("not_covered", f"not covered by source (it {where})")
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
        if covered < expected and not proc.built_from_history:
            return finding("partial", f"{covered} of {expected} games ({share:.0%})")
    else:
        share = 1.0
    if share < runner.settings.coverage_gate:
        if thin_ok:
            return finding("bootstrap", f"coverage {share:.0%} in the bootstrap window")
        return finding("partial", f"coverage {share:.0%} of expected")
    changed = _content_finding(rows, now, facts.catalog.get(key))
    if changed is not None:
        return finding(*changed)
    if ok_rows != rows:
        said = "no successful run" if ok_rows is None else f"the ledger says {ok_rows}"
        return finding("tracking_mismatch", f"{said}, the warehouse holds {rows}")
    failed = facts.audits.get(key, []) + facts.audit_errors
    if failed:
        return finding("audit_failed", "bad rows: " + "; ".join(failed))
    return None


def validate(
    runner: Runner,
    dates: Iterable[dt.date],
    *,
    phases: Iterable[int] | None = None,
    processors: Iterable[str] | None = None,
) -> list[Finding]:
    """Classify every gap of the selected processors over the partitions covering `dates`.

    Per table: one grouped scan for rows and checksums, one for games per date, the catalog,
    and its audits, whatever the number of partitions.

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
        values = runner.partitions_for(proc, days)
        facts = _facts(runner, proc, values)
        for value in values:
            key = proc.partition_for(value).key
            f = _classify(runner, proc, value, facts, state.get((proc.name, key)))
            if f is not None:
                out.append(f)
    return out


def coverage_report(runner: Runner, season: str, findings: list[Finding]) -> dict[str, object]:
    """One season's row: dates, games and the healthy share of partitions per phase group.

    Groups: raw (phases 1-2), analytics (3), precompute (4), predictions (5).  A partition
    counts as healthy unless it has an alarm finding; partitions outside their source's
    coverage (``not_covered``) are not counted; groups with no processors are None.
    """
    first, last = runner.calendar.season_bounds(season)
    game_days = [d for d in runner.calendar.game_dates(season) if runner.calendar.day(d).final_games]
    games = sum(runner.calendar.day(d).final_games for d in game_days)
    bad = {(f.processor, f.partition) for f in findings if f.alarm}
    uncovered = {(f.processor, f.partition) for f in findings if f.classification == "not_covered"}
    groups = {"raw": (1, 2), "analytics": (3,), "precompute": (4,), "predictions": (5,)}
    row: dict[str, object] = {"season": season, "dates": len(game_days), "games": games}
    for name, phs in groups.items():
        procs = [p for p in runner.registry.select() if p.phase in phs]  # what validate covers
        total = healthy = 0
        for p in procs:
            for v in runner.partitions_for(p, game_days):
                here = (p.name, p.partition_for(v).key)
                total += here not in uncovered
                healthy += here not in bad and here not in uncovered
        row[name] = round(100 * healthy / total, 1) if total else None
    row["first"], row["last"] = first.isoformat(), last.isoformat()
    return row


@dataclass(frozen=True)
class Served:
    """How many games one source served in a canonical table over a range."""

    table: str
    source: str
    games: int
    first: str
    last: str

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return asdict(self)


def served_by(
    runner: Runner, dates: Iterable[dt.date], *, phases: Iterable[int] | None = None
) -> list[Served]:
    """Per canonical table (`Processor.merges_sources`) and source, the games it served over the
    dates (the ``source`` column of its rows), in DAG order then source order."""
    days = sorted(set(dates))
    out: list[Served] = []
    if not days:
        return out
    for proc in runner.registry.select(None, phases):
        if not proc.merges_sources or not runner.wh.has_table(proc.output):
            continue
        cols = runner.wh.columns(proc.output)
        if "source" not in cols or "game_code" not in cols:
            continue
        sql = q.SERVED_BY.format(table=ident(proc.output))
        for src, games, first, last in runner.wh.rows(sql, {"lo": days[0], "hi": days[-1]}):
            out.append(Served(proc.output, str(src), int(games), first.isoformat(), last.isoformat()))
    return out
