"""Backfills: plan (processor, partition) work in DAG order, run it in parallel, resume.

A backfill keeps an atomic checkpoint (``<home>/backfills/checkpoint.json``, replaced with
``os.replace`` after every finished chunk) naming the partitions already done.  A backfill
interrupted by Ctrl-C or ``kill -9`` resumes where it stopped: done partitions are not
re-run, and the runner's idempotency makes the partition that was being written when the
process died safe to run again (its write was one transaction; its ``running`` ledger row
is reaped on resume because the checkpoint records the dead process).

Date partitions are planned only on days the schedule has games: a day without games
needs no run (validation calls it a legitimate zero from the schedule alone).

A partition is checkpointed only when it succeeded, is not a suspicious zero, and its
games coverage reaches the gate (`Settings.coverage_gate`): a partial partition stays
pending and is reported.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbaprops.core.calendar import validate_season
from nbaprops.core.config import Settings
from nbaprops.core.errors import InputError
from nbaprops.ops.history import expand
from nbaprops.ops.ledger import process_alive
from nbaprops.ops.runner import Outcome, Runner, RunReport
from nbaprops.ops.validate import partition_coverage
from nbaprops.pipeline.contract import Processor
from nbaprops.storage.queries.backfill import REAP_RUNNING_SINCE, RUNNING_SINCE

__all__ = [
    "BackfillState",
    "Preflight",
    "checkpoint_path",
    "dry_run_plan",
    "load_state",
    "planned_partitions",
    "preflight",
    "resolve_dates",
    "run_backfill",
]


CHECKPOINT_EVERY_S = 1.0
"""Least seconds between two checkpoint writes while a processor runs (and one at its end)."""


def checkpoint_path(settings: Settings) -> Path:
    """Where the checkpoint of the current backfill lives."""
    return settings.home / "backfills" / "checkpoint.json"


@dataclass
class BackfillState:
    """The checkpoint: what was asked, what is done, who is running it."""

    id: str
    dates: list[str]
    processors: list[str]
    force: bool = False
    done: dict[str, list[str]] = field(default_factory=dict)
    partial: dict[str, list[str]] = field(default_factory=dict)
    state: str = "running"
    pid: int = 0
    started_at: str = ""
    updated_at: str = ""
    totals: dict[str, int] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write atomically: a reader sees the old or the new checkpoint, never half."""
        self.updated_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps(self.__dict__))
        os.replace(tmp, path)

    @property
    def status(self) -> str:
        """The state as a reader should see it: a "running" backfill whose process is gone
        was interrupted (kill -9 leaves no chance to say so)."""
        if self.state != "running":
            return self.state
        if process_alive(self.pid):
            return f"running (pid {self.pid})"
        return f"interrupted (process {self.pid} is gone): run the same command to resume"

    @property
    def progress(self) -> tuple[int, int]:
        """(partitions done, partitions planned)."""
        return sum(len(v) for v in self.done.values()), sum(self.totals.values())


def load_state(settings: Settings) -> BackfillState | None:
    """The checkpoint of the last backfill, if any."""
    path = checkpoint_path(settings)
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return BackfillState(**data)


@dataclass
class Preflight:
    """What the backfill needs and what is missing, found before any work."""

    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing missing."""
        return not self.missing


def preflight(runner: Runner, procs: Sequence[Processor], dates: Sequence[dt.date]) -> Preflight:
    """Check that upstream inputs exist for the range before doing any work."""
    pf = Preflight()
    if any(p.external is not None for p in procs):
        data = runner.public_data()  # raises ConfigError naming a missing file
        pf.notes.append(f"public data: {data.root}")
    wanted = {p.name for p in procs}
    for p in procs:
        for up in runner.registry.upstream(p.name, required_only=True):  # optional inputs may be absent
            if up not in wanted and not runner.wh.has_table(runner.registry.by_name[up].output):
                pf.missing.append(
                    f"{p.name} reads {runner.registry.by_name[up].output}, which is empty "
                    f"and not in this backfill (add phase {runner.registry.by_name[up].phase})"
                )
    if not runner.calendar.empty and not any(p.calendar_source for p in procs):
        # (a backfill that loads the schedule itself supplies the seasons it lacks)
        unknown = [d for d in dates if runner.calendar.season_of(d) not in runner.calendar.seasons]
        if unknown and len(unknown) == len(dates):
            pf.missing.append(f"no scheduled season covers {dates[0]} .. {dates[-1]}")
    return pf


def resolve_dates(
    runner: Runner,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    days: Iterable[dt.date] | None = None,
    season: str | None = None,
) -> list[dt.date]:
    """The dates one of the three ways of naming them gives.

    Raises:
        InputError: none or several ways given, end before start, unknown season.
    """
    given = [start is not None or end is not None, days is not None, season is not None]
    if sum(given) != 1:
        raise InputError("give exactly one of --start-date/--end-date, --dates or --season")
    if season is not None:
        validate_season(season)
        if runner.calendar.empty or season not in runner.calendar.seasons:
            runner.run([runner.registry.calendar_source], [dt.date(int(season[:4]), 12, 1)])
        first, last = runner.calendar.season_bounds(season)
        return runner.calendar.dates(first, last)
    if days is not None:
        out = sorted(set(days))
        if not out:
            raise InputError("--dates is empty")
        return out
    if start is None or end is None:
        raise InputError("give both --start-date and --end-date")
    return runner.calendar.dates(start, end)


def _reap_dead(runner: Runner, state: BackfillState) -> int:
    """Fail the `running` rows a dead backfill process left behind."""
    if process_alive(state.pid) and state.pid != os.getpid():
        raise InputError(f"backfill {state.id} is still running (pid {state.pid})")
    started = dt.datetime.fromisoformat(state.started_at) if state.started_at else None
    if started is None:
        return 0
    n = runner.wh.rows(RUNNING_SINCE, {"s": started})[0][0]
    runner.wh.execute(REAP_RUNNING_SINCE, {"s": started})
    return int(n)


def run_backfill(
    runner: Runner,
    procs: Sequence[Processor],
    dates: Sequence[dt.date],
    *,
    workers: int = 2,
    resume: bool = True,
    force: bool = False,
    chunk: int = 32,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_plan: Callable[[dict[str, int]], None] | None = None,
) -> tuple[BackfillState, RunReport]:
    """Run (or resume) a backfill.

    Args:
        runner: the runner on the warehouse to fill.
        procs: processors, any order (run in DAG order).
        dates: the dates to cover.
        workers: parallel partitions per processor (threads; DuckDB serialises commits).
        resume: continue the checkpointed backfill of the same range and processors.
        force: re-run partitions even when unchanged.
        chunk: partitions per unit of work (and per checkpoint write).
        on_outcome: progress callback.
        on_plan: told the partitions planned per processor.
    """
    path = checkpoint_path(runner.settings)
    keys = [d.isoformat() for d in dates]
    # complete history: the processors and earlier dates of the season the windows read
    # (`ops.history`); which processors does not depend on the calendar, their dates do
    wanted = expand(runner.registry, runner.calendar, procs, dates)
    names = [n for n in runner.registry.order if n in wanted]
    asked = {p.name for p in procs}
    old = load_state(runner.settings) if resume else None
    if old is not None and (old.dates != keys or old.processors != names):
        old = None  # a different backfill: start afresh
    state = old or BackfillState(
        id=uuid.uuid4().hex[:12],
        dates=keys,
        processors=names,
        force=force,
        started_at=dt.datetime.now(dt.UTC).isoformat(),
    )
    if old is not None:
        _reap_dead(runner, old)
    state.pid, state.state = os.getpid(), "running"
    report = RunReport()
    units = runner.registry.run_units(names)
    # the calendar source (schedule) runs first, so the plan is made once, on the real calendar,
    # and stays the same between runs and resumes
    sources = [u for u in units if _feeds_the_calendar(runner, u, names)]
    state.save(path)
    try:
        for unit in sources:
            _run_unit(
                runner,
                unit,
                _plan(runner, state, unit, dates),
                state,
                report,
                workers,
                chunk,
                on_outcome,
                path,
                asked,
            )
        plan = _plan(runner, state, names, dates, expand(runner.registry, runner.calendar, procs, dates))
        if on_plan:
            on_plan({n: state.totals[n] for u in units if u not in sources for n in u})
        state.save(path)
        for unit in units:
            if unit not in sources:
                _run_unit(runner, unit, plan, state, report, workers, chunk, on_outcome, path, asked)
        state.state = "done" if not report.failed and not any(state.partial.values()) else "incomplete"
    except BaseException:
        state.state = "interrupted"
        state.save(path)
        raise
    state.save(path)
    return state, report


def _feeds_the_calendar(runner: Runner, unit: list[str], names: Sequence[str]) -> bool:
    """A unit that loads the calendar and reads nothing else this backfill writes."""
    reg = runner.registry
    return any(reg.by_name[n].calendar_source for n in unit) and not any(
        a in names for n in unit for a in reg.ancestors(n)
    )


def _plan(
    runner: Runner,
    state: BackfillState,
    names: Sequence[str],
    dates: Sequence[dt.date],
    history: dict[str, list[dt.date]] | None = None,
) -> dict[str, list[Any]]:
    """Each processor's planned partitions (over its `history` dates where given); the
    checkpoint's totals follow, and its done and partial lists keep each planned partition
    once (so progress is exact)."""
    plan: dict[str, list[Any]] = {}
    for name in names:
        proc = runner.registry.by_name[name]
        plan[name] = planned_partitions(runner, proc, (history or {}).get(name) or dates)
        keys = {proc.partition_for(v).key for v in plan[name]}
        state.totals[name] = len(keys)
        done = [k for k in dict.fromkeys(state.done.get(name, [])) if k in keys]
        state.done[name] = done
        state.partial[name] = [
            k for k in dict.fromkeys(state.partial.get(name, [])) if k in keys and k not in set(done)
        ]
    return plan


def _run_unit(
    runner: Runner,
    unit: list[str],
    plan: dict[str, list[Any]],
    state: BackfillState,
    report: RunReport,
    workers: int,
    chunk: int,
    on_outcome: Callable[[Outcome], None] | None,
    path: Path,
    asked: set[str],
) -> None:
    """One processor (or feedback loop) over its planned partitions not done yet; ``force``
    applies to the processors asked for, not to the history planned for them."""
    group = [runner.registry.by_name[n] for n in unit]
    todo: dict[Any, None] = {}  # ordered set: a loop's members share their dates
    for proc in group:
        done = set(state.done.get(proc.name, []))
        todo |= dict.fromkeys(v for v in plan[proc.name] if proc.partition_for(v).key not in done)
    _run_processors(
        runner,
        group,
        sorted(todo) if len(group) > 1 else list(todo),
        state,
        report,
        # a feedback loop runs its dates in order: date D reads what D-1 wrote
        workers=workers if len(group) == 1 else 1,
        chunk=chunk,
        force=state.force and any(n in asked for n in unit),
        on_outcome=on_outcome,
        path=path,
        planned={p.name: {p.partition_for(v).key for v in plan[p.name]} for p in group},
    )


def dry_run_plan(
    runner: Runner, procs: Sequence[Processor], dates: Sequence[dt.date]
) -> list[dict[str, Any]]:
    """What `run_backfill` would plan, per processor in DAG order (``--dry-run``).

    The same expansion as the run (`ops.history.expand`): the processors asked for and the
    upstream processors and earlier game days their history windows read.  Each row has
    ``phase``, ``processor``, ``partitions`` (all it plans), and ``history``: the partitions
    the expansion adds beyond the dates asked for (``count``, ``first``, ``last``), or None.
    Before the schedule is loaded the calendar knows no season, so no history is planned yet.
    """
    wanted = expand(runner.registry, runner.calendar, procs, dates)
    asked = {p.name for p in procs}
    rows: list[dict[str, Any]] = []
    for name in runner.registry.order:
        if name not in wanted:
            continue
        proc = runner.registry.by_name[name]
        keys = sorted(
            {proc.partition_for(v).key for v in planned_partitions(runner, proc, wanted[name] or dates)}
        )
        own = (
            {proc.partition_for(v).key for v in planned_partitions(runner, proc, dates)}
            if name in asked
            else set()
        )
        extra = [k for k in keys if k not in own]
        history = {"count": len(extra), "first": extra[0], "last": extra[-1]} if extra else None
        rows.append({"phase": proc.phase, "processor": name, "partitions": len(keys), "history": history})
    return rows


def planned_partitions(runner: Runner, proc: Processor, dates: Sequence[dt.date]) -> list[Any]:
    """A processor's partitions for the dates: date partitions only on days with games.

    A day without games needs no run: validation calls it a legitimate zero from the
    schedule alone.  Before the schedule is loaded every date is planned.  The calendar
    source's seasons come from the dates alone (what it loads before the calendar exists),
    so its plan is the same before and after it ran: a dry run, the run and a resume agree.
    """
    parts = runner.partitions_for(proc, dates, by_rule=proc.calendar_source)
    if proc.partition != "date" or runner.calendar.empty:
        return parts
    return [d for d in parts if isinstance(d, dt.date) and runner.calendar.day(d).games > 0]


def _run_processors(
    runner: Runner,
    procs: list[Processor],
    todo: list[Any],
    state: BackfillState,
    report: RunReport,
    *,
    workers: int,
    chunk: int,
    force: bool,
    on_outcome: Callable[[Outcome], None] | None,
    path: Path,
    planned: dict[str, set[str]],
) -> None:
    """Run one processor (or one feedback loop of them) over its to-do partitions in chunks,
    checkpointing the planned partitions that came out complete."""
    if not todo:
        return
    if any(p.partition == "season" for p in procs):  # few partitions: one call over the dates
        chunks = [[dt.date.fromisoformat(d) for d in state.dates]]
    else:
        chunks = [todo[i : i + chunk] for i in range(0, len(todo), chunk)]

    def work(part_days: list[dt.date]) -> RunReport:
        return runner.run(procs, part_days, force=force, on_outcome=on_outcome)  # planned above

    saved = time.monotonic()
    # a loop member may be done on a date its partner is not: it runs (skips) again there
    done_before = {p.name: set(state.done.get(p.name, [])) for p in procs}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for sub in pool.map(work, chunks):
            report.outcomes.extend(sub.outcomes)
            for proc in procs:
                mine = [
                    o
                    for o in sub.outcomes
                    if o.processor == proc.name
                    and o.partition not in done_before[proc.name]
                    and o.partition in planned[proc.name]
                ]
                _checkpoint(runner, proc, mine, state)
            # at most once a second: the checkpoint holds every done key, so writing it per
            # chunk made a long backfill quadratic.  Losing the last second of progress to a
            # kill only re-plans partitions whose runs the ledger then skips as unchanged.
            if time.monotonic() - saved >= CHECKPOINT_EVERY_S:
                state.save(path)
                saved = time.monotonic()
    state.save(path)


def _checkpoint(runner: Runner, proc: Processor, outcomes: list[Outcome], state: BackfillState) -> None:
    """Mark done what ran (or was skipped) cleanly and is complete; partial output is not done."""
    ok = [o for o in outcomes if o.status != "failed" and not o.suspicious]
    values: list[Any] = [
        dt.date.fromisoformat(o.partition) if proc.partition == "date" else o.partition for o in ok
    ]
    shares = partition_coverage(runner, proc, values)
    done, partial = state.done.setdefault(proc.name, []), state.partial.setdefault(proc.name, [])
    for o in ok:
        share = shares.get(o.partition)
        if share is not None and share < runner.settings.coverage_gate:
            if o.partition not in partial:
                partial.append(o.partition)
            continue
        if o.partition in partial:
            partial.remove(o.partition)
        if o.partition not in done:
            done.append(o.partition)
