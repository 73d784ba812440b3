"""The runner: executes processors over partitions, with the ledger and idempotency.

One path for every processor; a single partition is a batch of one.  For a processor and
the partitions covering the dates asked for:

1. compute each partition's *input hash*: the catalog digests of every input table over
   the window the run reads (`ops.windows.input_range`, summed by the warehouse), the
   fingerprint of external inputs, the SQL parameters and the processor's own code;
2. skip a partition when its latest finished run succeeded with the same input hash and
   code version and wrote rows (or the calendar/upstream says zero is right); a failed
   run, or a suspicious zero, is always retried;
3. open ``running`` ledger rows (one statement), check gates, upstream failures and the
   refuse-to-erase guard per partition, then write *groups* (one partition; or, for SQL
   reading ``$game_dates`` / ``build_many``, a season's dates per SQL parameter set), each
   one ``write_partitions`` transaction, audits included, closed with the engine's counts;
4. on any error the partition's row is closed ``failed`` with a one-line reason (its content
   stays as it was) and the run goes on with the rest.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pyarrow as pa

from nbaprops.core.calendar import season_for_date, season_label
from nbaprops.core.config import Settings
from nbaprops.core.errors import ConfigError, DataError, GateBlockedError, NbapropsError
from nbaprops.core.version import code_version as current_code_version
from nbaprops.ops.calendars import load_calendar
from nbaprops.ops.gates import CoverageGate
from nbaprops.ops.history import HistoryGate, plan_history
from nbaprops.ops.ledger import LastRun, Ledger
from nbaprops.ops.outcomes import Outcome, RunReport
from nbaprops.ops.windows import input_range
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.registry import Registry, default_registry
from nbaprops.sources.public_data import PublicData
from nbaprops.storage.ledger_rows import LedgerClose, LedgerEntry
from nbaprops.storage.rawstore import RawStore
from nbaprops.storage.warehouse import KeyRange, Partition, PartitionValue, Query, Warehouse

__all__ = ["Gate", "Outcome", "RunReport", "Runner", "load_calendar", "processor_code_hash"]

Gate: TypeAlias = "Callable[[Runner, Processor, Partition], str | None]"
"""A check before a partition is written: a reason blocks it (optional batch ``prepare``)."""
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_UNCHANGED = "inputs and code unchanged since the last success"


@dataclass
class _Job:
    """One partition on its way through the loop."""

    part: Partition
    ctx: Context
    attempt: int
    ext: ExternalFingerprint | None = None
    params: dict[str, Any] = field(default_factory=dict)
    input_hash: str = ""
    rows_in: int = 0
    expected_zero: bool = False
    run_id: str = ""


def processor_code_hash(proc: Processor) -> str:
    """A short fingerprint of a processor's own code (its SQL or build source)."""
    return hashlib.sha256(proc.code_text().encode()).hexdigest()[:16]


def _one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, NbapropsError) else f"{type(exc).__name__}: {exc}"
    return (text.strip().splitlines() or [type(exc).__name__])[0]


class Runner:
    """Runs processors; owns bookkeeping, idempotency, gates and error capture.

    Args:
        settings: the settings in force.
        warehouse: where outputs and the ledger live.
        registry: the processors (default: every built-in one).
        code_version: recorded with each run (default: package version + git sha).
        gates: checks run before each partition is written (default: the coverage gate and
            the history gate, `ops.history`; tests pass others).  One returning a reason blocks the run (recorded as failed
            with error ``gate: <reason>``) unless ``force`` is set.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        warehouse: Warehouse,
        registry: Registry | None = None,
        code_version: str | None = None,
        gates: Sequence[Gate] | None = None,
    ) -> None:
        self.settings = settings
        self.wh = warehouse
        self.registry = registry or default_registry()
        self.code_version = code_version or current_code_version()
        self.ledger = Ledger(warehouse)
        self.raw = RawStore(settings.raw_url)
        source = next((p.output for p in self.registry.by_name.values() if p.calendar_source), None)
        self.calendar = load_calendar(warehouse, settings, table=source)
        self._public: PublicData | None = None
        self.gates: list[Gate] = list(gates) if gates is not None else [CoverageGate(), HistoryGate()]

    # --- helpers --------------------------------------------------------
    def public_data(self) -> PublicData:
        """The public data folder (checked on first use)."""
        if self._public is None:
            root = self.settings.resolved_data_dir
            if root is None:
                raise ConfigError(
                    "no public data folder: set NBAPROPS_DATA_DIR or --data-dir (see README, 'Data')"
                )
            self._public = PublicData(root)
        return self._public

    def partitions_for(
        self, proc: Processor, dates: Sequence[dt.date], *, by_rule: bool = False
    ) -> list[PartitionValue]:
        """The partitions of a processor that cover the given dates (`by_rule`: seasons from
        the dates alone, as before the schedule is loaded, whatever the calendar says)."""
        if proc.partition == "date":
            return list(dates)
        seasons: list[str] = []
        for d in dates:
            if (
                not by_rule
                and not self.calendar.empty
                and self.calendar.season_of(d) in self.calendar.seasons
            ):
                cands = [self.calendar.season_of(d)]
            else:  # schedule not loaded: the rule, plus the season before (2020 bubble)
                rule = season_for_date(d)
                start = int(rule[:4]) - 1
                cands = [season_label(start), rule]
            seasons.extend(c for c in cands if c not in seasons)
        return list(seasons)

    def input_range(self, inp: Input, part: Partition) -> KeyRange:
        """The keys of `inp`'s table a run on `part` reads (the one window rule)."""
        producer = self.registry.by_output.get(inp.table)
        column = producer.partition_column if producer else "game_date"
        return input_range(inp.window, part, input_column=column, calendar=self.calendar)

    def batchable(self, proc: Processor) -> bool:
        """Whether a processor builds many date partitions at once: SQL reading ``$game_dates``,
        or a ``build_many`` function."""
        if proc.partition != "date":
            return False
        if proc.build_many is not None:
            return True
        return proc.sql is not None and "game_dates" in _PARAM.findall(proc.sql_text())

    def input_hashes(
        self,
        proc: Processor,
        parts: Sequence[Partition],
        *,
        exts: Sequence[ExternalFingerprint | None],
        params: Sequence[dict[str, Any]],
    ) -> list[tuple[str, int]]:
        """(hash of everything a run reads, rows read from inputs) for each partition,
        reading the partition catalog once per input."""
        code = hashlib.sha256(proc.code_text().encode()).digest()
        hs = []
        for part, prm in zip(parts, params, strict=True):
            h = hashlib.sha256(f"{proc.name}|{part.key}|{sorted(prm.items())}".encode())
            h.update(code)
            hs.append(h)
        rows_in = [0] * len(parts)
        for inp in proc.inputs:
            sums = self.wh.catalog_sums(inp.table, [self.input_range(inp, p) for p in parts])
            for i, (digests, rows) in enumerate(sums):
                hs[i].update(f"{inp.table}:{inp.window}:{digests}".encode())
                rows_in[i] += rows
        for i, ext in enumerate(exts):
            if ext is not None:
                hs[i].update(f"ext:{ext.digest}:{ext.rows}".encode())
                rows_in[i] += ext.rows
        return [(h.hexdigest()[:32], n) for h, n in zip(hs, rows_in, strict=True)]

    def _expected_zero(self, proc: Processor, part: Partition, ext: ExternalFingerprint | None) -> bool:
        if ext is not None and ext.rows == 0:
            return True  # upstream has nothing for this partition: zero is the right answer
        if part.column == "game_date" and proc.per_game:
            assert isinstance(part.value, dt.date)
            day = self.calendar.day(part.value)
            # no final games, or only play-in / Cup final games the box-score source never has;
            # or output built from history in the season's first days (no history yet)
            return day.box_final_games == 0 or (day.bootstrap and proc.built_from_history)
        return False

    def _should_skip(self, last: LastRun | None, input_hash: str, expected_zero: bool) -> bool:
        return bool(
            last is not None
            and last.status == "success"
            and last.input_hash == input_hash
            and last.code_version == self.code_version
            and ((last.rows_written or 0) > 0 or expected_zero)
        )

    # --- the loop -------------------------------------------------------
    def run(
        self,
        processors: Iterable[Processor],
        dates: Sequence[dt.date],
        *,
        force: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None,
        complete_history: bool = False,
    ) -> RunReport:
        """Run processors (in DAG order) over the partitions covering `dates`.

        Processors joined by a feedback input (`Registry.feedback_groups`) run date by date,
        so a date's reader sees every earlier date its writer produced.

        Args:
            processors: which processors; they are ordered by the DAG here.
            dates: the game dates to cover (season processors get their seasons).
            force: run even when the inputs and code are unchanged.
            on_outcome: called after each (processor, partition), for progress.
            complete_history: first run (or skip) every upstream partition the history
                windows read (`ops.history.plan_history`), as every command does (`run`,
                `demo`, `grade`); off, exactly the processors asked for run, and the history
                gate still refuses a partition whose history is incomplete.
        """
        report = RunReport()
        self.ledger.reap(dt.timedelta(minutes=self.settings.run_timeout_minutes))
        failed: set[tuple[str, str]] = set()
        procs = list(processors)
        plan = {p.name: list(dates) for p in procs}
        if complete_history:
            plan, loaded = plan_history(self, procs, dates, on_outcome=on_outcome)
            report.outcomes.extend(loaded.outcomes)
            failed |= {(o.processor, o.partition) for o in loaded.failed}
        ran = {o.processor for o in report.outcomes}  # the schedule, when planning loaded it
        asked = {p.name for p in procs}  # `force` is for them, not for the history planned
        for unit in self.registry.run_units(n for n in plan if n not in ran):
            if len(unit) > 1:  # a feedback loop: every member on one date before the next date
                for day in sorted({d for m in unit for d in plan[m]}):
                    for member in (m for m in unit if day in plan[m]):
                        self._run_named(member, [day], failed, force and member in asked, report, on_outcome)
            else:
                self._run_named(
                    unit[0], plan[unit[0]], failed, force and unit[0] in asked, report, on_outcome
                )
        return report

    def _run_named(
        self,
        name: str,
        dates: Sequence[dt.date],
        failed: set[tuple[str, str]],
        force: bool,
        report: RunReport,
        on_outcome: Callable[[Outcome], None] | None,
    ) -> None:
        """One processor over the partitions covering `dates`."""
        proc = self.registry.by_name[name]
        values = self.partitions_for(proc, dates)  # after the schedule ran (season keys)
        for out in self._run_partitions(proc, values, failed, force):
            report.outcomes.append(out)
            if out.status == "failed":
                failed.add((proc.name, out.partition))
            if on_outcome:
                on_outcome(out)
        changed = any(o.processor == name and o.status == "success" for o in report.outcomes)
        if proc.calendar_source and changed:  # a skipped schedule leaves the calendar as it is
            self.calendar = load_calendar(self.wh, self.settings, table=proc.output)

    def _context(self, part: Partition) -> Context:
        ctx = Context(part, self.settings, self.wh, self.calendar, self.raw, self.public_data)
        ctx.input_range = functools.partial(self.input_range, part=part)
        return ctx

    def _run_partitions(
        self,
        proc: Processor,
        values: Sequence[PartitionValue],
        failed: set[tuple[str, str]],
        force: bool,
    ) -> Iterator[Outcome]:
        """The loop for one processor; outcomes come out in partition order as they finish."""
        latest = self.ledger.latest([proc.name], [proc.partition_for(v).key for v in values])
        jobs = []
        for v in values:
            last = latest.get((proc.name, proc.partition_for(v).key))
            attempt = last.attempt if last and last.status == "failed" else 1
            jobs.append(_Job(proc.partition_for(v), self._context(proc.partition_for(v)), attempt))
        done: dict[str, Outcome] = {}
        emitted = 0

        def flush() -> Iterator[Outcome]:
            nonlocal emitted
            while emitted < len(jobs) and jobs[emitted].part.key in done:
                yield done[jobs[emitted].part.key]
                emitted += 1

        entries, closes, ready = self._plan(proc, jobs, latest, failed, force, done)
        self.ledger.insert(entries)
        self.ledger.close(closes)
        yield from flush()
        for group in ready:
            self.ledger.close(self._build_and_write(proc, group, done))
            yield from flush()

    def _plan(
        self,
        proc: Processor,
        jobs: list[_Job],
        latest: dict[tuple[str, str], LastRun],
        failed: set[tuple[str, str]],
        force: bool,
        done: dict[str, Outcome],
    ) -> tuple[list[LedgerEntry], list[LedgerClose], list[list[_Job]]]:
        """Hash, skip, open ledger rows and check every job; the groups left to build."""
        entries: list[LedgerEntry] = []
        closes: list[LedgerClose] = []
        code_hash = processor_code_hash(proc)

        def open_row(job: _Job) -> None:
            row = self.ledger.entry(
                proc.name,
                job.part.key,
                "running",
                input_hash=job.input_hash,
                code_version=self.code_version,
                attempt=job.attempt,
                forced=force,
                code_hash=code_hash,
            )
            job.run_id = row.run_id
            entries.append(row)

        def fail(job: _Job, exc: BaseException) -> None:
            if not job.run_id:
                open_row(job)
            closes.append(LedgerClose(job.run_id, error=_one_line(exc)))
            done[job.part.key] = Outcome(
                proc.name, job.part.key, "failed", error=_one_line(exc), run_id=job.run_id
            )

        hashed = []
        for job in jobs:
            try:
                job.ext = proc.external(job.ctx) if proc.external else None
                job.params = dict(proc.sql_params(job.ctx)) if proc.sql_params else {}
                hashed.append(job)
            except Exception as exc:  # this partition cannot even be fingerprinted
                fail(job, exc)
        try:
            hashes = self.input_hashes(
                proc,
                [j.part for j in hashed],
                exts=[j.ext for j in hashed],
                params=[j.params for j in hashed],
            )
        except Exception as exc:  # no catalog read: nothing can run
            for job in hashed:
                fail(job, exc)
            return entries, closes, []
        to_run = []
        for job, (input_hash, rows_in) in zip(hashed, hashes, strict=True):
            job.input_hash, job.rows_in = input_hash, rows_in
            job.expected_zero = self._expected_zero(proc, job.part, job.ext)
            if not force and self._should_skip(
                latest.get((proc.name, job.part.key)), input_hash, job.expected_zero
            ):
                row = self.ledger.entry(
                    proc.name,
                    job.part.key,
                    "skipped",
                    input_hash=input_hash,
                    code_version=self.code_version,
                    note=_UNCHANGED,
                )
                entries.append(row)
                done[job.part.key] = Outcome(proc.name, job.part.key, "skipped", run_id=row.run_id)
            else:
                open_row(job)
                to_run.append(job)
        for gate in self.gates:
            prepare = getattr(gate, "prepare", None)
            if prepare is not None and to_run:
                prepare(self, proc, [j.part for j in to_run])
        held = (
            self.wh.counts_by(proc.output, proc.partition_column)
            if not force and any(j.ext is not None and j.ext.rows == 0 for j in to_run)
            else {}
        )
        groups: dict[str, list[_Job]] = {}
        for job in to_run:
            try:
                self._check_may_write(proc, job, failed, force, held.get(job.part.key, 0))
            except Exception as exc:
                fail(job, exc)
                continue
            groups.setdefault(self._group_of(proc, job), []).append(job)
        return entries, closes, list(groups.values())

    def _group_of(self, proc: Processor, job: _Job) -> str:
        """Jobs built by one statement: a season's dates (with the same SQL parameters) for a
        processor that builds many dates at once; otherwise each partition on its own."""
        if not self.batchable(proc):
            return job.part.key
        assert isinstance(job.part.value, dt.date)  # one query per season: memory stays bounded
        return f"{self.calendar.season_of(job.part.value)}|{sorted(job.params.items())}"

    def _check_may_write(
        self, proc: Processor, job: _Job, failed: set[tuple[str, str]], force: bool, held: int
    ) -> None:
        """Raise when a partition must not be written: a failed upstream, a closed gate, or a
        source that lost the payload of rows the table still holds (`held`)."""
        part = job.part
        for up in self.registry.upstream(proc.name):
            if (up, part.key) in failed and self._reads_own_key(proc, up, part):
                raise NbapropsError(f"upstream {up} failed for {part.key}")
        for gate in self.gates:
            reason = gate(self, proc, part)
            if reason and not force:
                raise GateBlockedError(f"gate: {reason}")
        if job.ext is not None and job.ext.rows == 0 and not force and held:
            raise DataError(
                f"the source holds no rows for {part.key} but {proc.output} has {held}: "
                "refusing to erase them (restore the payload, or --force)"
            )

    def _reads_own_key(self, proc: Processor, up: str, part: Partition) -> bool:
        """Whether `proc` on `part` reads partition `part.key` of `up`'s output (the window
        rule): a failed upstream date blocks its readers on that date, not those that read
        only earlier dates.  Upstreams named by ``extra_depends`` always block."""
        upp = self.registry.by_name[up]
        if upp.partition != proc.partition:
            return False
        reads = [i for i in proc.inputs if i.table == upp.output]
        return not reads or any(self.input_range(i, part).contains(part.key) for i in reads)

    def _rows(self, proc: Processor, group: list[_Job]) -> pa.Table | Query:
        """What one group writes: built rows, or the SQL model bound to the group's keys."""
        if proc.build is not None and len(group) == 1:
            return proc.build(group[0].ctx)
        if proc.build_many is not None:
            return proc.build_many([j.ctx for j in group])
        sql = proc.sql_text()
        values: dict[str, Any] = {proc.partition_column: group[0].part.value, **group[0].params}
        if proc.partition == "date":
            values["game_dates"] = [j.part.value for j in group]  # set-based models
        used = set(_PARAM.findall(sql))
        return Query(sql, {k: v for k, v in values.items() if k in used})

    def _build_and_write(
        self, proc: Processor, group: list[_Job], done: dict[str, Outcome]
    ) -> list[LedgerClose]:
        """Build and write one group in one transaction (audits included); its ledger closes."""
        for job in group:
            job.ctx.heartbeat = functools.partial(self.ledger.heartbeat, job.run_id)
        try:
            rows = self._rows(proc, group)
            results = self.wh.write_partitions(
                proc.output, proc.partition_column, [j.part.value for j in group], rows, audits=proc.audits
            )
        except Exception as exc:  # the whole group fails; the next run retries it
            msg = _one_line(exc)
            for job in group:
                done[job.part.key] = Outcome(proc.name, job.part.key, "failed", error=msg, run_id=job.run_id)
            return [LedgerClose(j.run_id, error=msg) for j in group]
        closes = []
        for job in group:
            res = results[job.part.key]
            close = LedgerClose(job.run_id, res, rows_in=job.rows_in, expected_zero=job.expected_zero)
            closes.append(close)
            done[job.part.key] = Outcome(
                proc.name,
                job.part.key,
                "success",
                res.rows_written,
                bool(close.suspicious),
                run_id=job.run_id,
            )
        return closes
