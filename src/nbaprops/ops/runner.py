"""The runner: executes processors over partitions, with the ledger and idempotency.

For each (processor, partition), in DAG order:

1. compute the *input hash*: the catalog checksums of every input table over
   the window the processor reads, the fingerprint of external inputs, the
   SQL parameters and the processor's own code;
2. skip when the latest finished run succeeded with the same input hash and
   code version and wrote rows (or the calendar/upstream says zero is right);
   a failed run, or a suspicious zero, is always retried;
3. open a ``running`` ledger row, build the rows, write them through
   ``write_partition`` (atomic), and close the row with the engine's count;
4. on any error close the row as ``failed`` with a one-line reason; the
   partition keeps its previous content and the run goes on with the rest.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import pyarrow as pa

from nbaprops.core.calendar import Calendar, GameRow, season_for_date, season_label
from nbaprops.core.config import Settings
from nbaprops.core.errors import DataError, GateBlockedError, NbapropsError
from nbaprops.core.version import code_version as current_code_version
from nbaprops.ops.ledger import LastRun, Ledger
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Processor
from nbaprops.pipeline.registry import Registry, default_registry
from nbaprops.sources.public_data import PublicData
from nbaprops.storage.rawstore import RawStore
from nbaprops.storage.warehouse import Partition, PartitionValue, Query, Warehouse

__all__ = ["Outcome", "RunReport", "Runner", "load_calendar", "processor_code_hash"]

Gate: TypeAlias = "Callable[[Runner, Processor, Partition], str | None]"
Cut: TypeAlias = tuple[str | None, str]
"""A position among a table's sorted catalog keys (see `Runner._window_cuts`)."""
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Outcome:
    """What happened to one (processor, partition)."""

    processor: str
    partition: str
    status: str
    rows_written: int | None = None
    suspicious: bool = False
    error: str | None = None
    run_id: str | None = None


@dataclass
class RunReport:
    """Every outcome of one runner call."""

    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """Outcomes with a given status."""
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        """The failed outcomes."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def suspicious(self) -> list[Outcome]:
        """Successful runs that wrote zero rows where rows were expected."""
        return [o for o in self.outcomes if o.suspicious]


def load_calendar(warehouse: Warehouse, settings: Settings) -> Calendar:
    """The calendar from the warehouse's ``schedule`` table (empty before it is loaded)."""
    rows: list[GameRow] = []
    if warehouse.has_table("schedule"):
        rows = [
            GameRow(d, s, t, f)
            for d, s, t, f in warehouse.rows(
                "SELECT game_date, season, season_type, status = 'final' FROM schedule"
            )
        ]
    return Calendar(rows, today=settings.today_et(), bootstrap_days=settings.bootstrap_days)


def processor_code_hash(proc: Processor) -> str:
    """A short fingerprint of a processor's own code (its SQL or build source)."""
    return hashlib.sha256(proc.code_text().encode()).hexdigest()[:16]


def _one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, NbapropsError) else f"{type(exc).__name__}: {exc}"
    return (text.strip().splitlines() or [type(exc).__name__])[0]


class Runner:
    """Runs processors; owns bookkeeping, idempotency and error capture.

    Args:
        settings: the settings in force.
        warehouse: where outputs and the ledger live.
        registry: the processors (default: every built-in one).
        code_version: recorded with each run (default: package version + git sha).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        warehouse: Warehouse,
        registry: Registry | None = None,
        code_version: str | None = None,
    ) -> None:
        self.settings = settings
        self.wh = warehouse
        self.registry = registry or default_registry()
        self.code_version = code_version or current_code_version()
        self.ledger = Ledger(warehouse)
        self.raw = RawStore(settings.raw_url)
        self.calendar = load_calendar(warehouse, settings)
        self._public: PublicData | None = None
        self.gates: list[Gate] = []
        """Checks run before each processor; one returning a reason blocks the run
        (recorded as failed with error ``gate: <reason>``) unless ``force`` is set."""

    # --- helpers --------------------------------------------------------
    def public_data(self) -> PublicData:
        """The public data folder (checked on first use)."""
        if self._public is None:
            from nbaprops.core.errors import ConfigError

            root = self.settings.resolved_data_dir
            if root is None:
                raise ConfigError(
                    "no public data folder: set NBAPROPS_DATA_DIR or --data-dir (see README, 'Data')"
                )
            self._public = PublicData(root)
        return self._public

    def partitions_for(self, proc: Processor, dates: Sequence[dt.date]) -> list[PartitionValue]:
        """The partitions of a processor that cover the given dates."""
        if proc.partition == "date":
            return list(dates)
        seasons: list[str] = []
        for d in dates:
            if not self.calendar.empty and self.calendar.season_of(d) in self.calendar.seasons:
                cands = [self.calendar.season_of(d)]
            else:  # schedule not loaded: the rule, plus the season before (2020 bubble)
                rule = season_for_date(d)
                start = int(rule[:4]) - 1
                cands = [season_label(start), rule]
            seasons.extend(c for c in cands if c not in seasons)
        return list(seasons)

    def _window_sql(self, table: str, window: str, part: Partition) -> tuple[str, dict[str, Any]]:
        producer = self.registry.by_output.get(table)
        in_col = producer.partition_column if producer else "game_date"
        key = part.key
        if in_col == "season":
            season = key if part.column == "season" else self.calendar.season_of(part.value)  # type: ignore[arg-type]
            return ("partition = $k", {"k": season}) if window != "all" else ("true", {})
        if window == "all":
            return "true", {}
        if part.column == "season" or window == "season":
            season = key if part.column == "season" else self.calendar.season_of(part.value)  # type: ignore[arg-type]
            try:
                first, last = self.calendar.season_bounds(season)
            except NbapropsError:
                return "false", {}
            return "partition BETWEEN $a AND $b", {"a": first.isoformat(), "b": last.isoformat()}
        op = {"partition": "=", "before": "<", "through": "<="}[window]
        return f"partition {op} $k", {"k": key}

    def input_hash(
        self,
        proc: Processor,
        part: Partition,
        ext: ExternalFingerprint | None,
        params: dict[str, Any],
    ) -> tuple[str, int]:
        """(hash of everything the run reads, rows read from inputs)."""
        h = hashlib.sha256(f"{proc.name}|{part.key}|{sorted(params.items())}".encode())
        h.update(hashlib.sha256(proc.code_text().encode()).digest())
        rows_in = 0
        has_catalog = self.wh.has_table("ops_partitions")
        for inp in proc.inputs:
            if not has_catalog:
                h.update(f"{inp.table}:none".encode())
                continue
            where, wp = self._window_sql(inp.table, inp.window, part)
            got = self.wh.rows(
                "SELECT coalesce(sum(hash(partition || checksum))::VARCHAR, '0'), "
                f"coalesce(sum(rows), 0) FROM ops_partitions WHERE table_name = $t AND rows > 0 AND {where}",
                {"t": inp.table, **wp},
            )[0]
            h.update(f"{inp.table}:{inp.window}:{got[0]}".encode())
            rows_in += int(got[1])
        if ext is not None:
            h.update(f"ext:{ext.digest}:{ext.rows}".encode())
            rows_in += ext.rows
        return h.hexdigest()[:32], rows_in

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
    ) -> RunReport:
        """Run processors (in DAG order) over the partitions covering `dates`.

        Processors joined by a feedback input (`Registry.feedback_groups`) run date by date,
        so a date's reader sees every earlier date its writer produced.

        Args:
            processors: which processors; they are ordered by the DAG here.
            dates: the game dates to cover (season processors get their seasons).
            force: run even when the inputs and code are unchanged.
            on_outcome: called after each (processor, partition), for progress.
        """
        report = RunReport()
        self.ledger.reap(dt.timedelta(minutes=self.settings.run_timeout_minutes))
        failed: set[tuple[str, str]] = set()
        for unit in self.registry.run_units(p.name for p in processors):
            if len(unit) > 1:  # a feedback loop: every member on one date before the next date
                for day in sorted(dates):
                    for member in unit:
                        self._run_named(member, [day], failed, force, report, on_outcome)
            else:
                self._run_named(unit[0], dates, failed, force, report, on_outcome)
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
        """One processor over the partitions covering `dates` (a batch where it can)."""
        proc = self.registry.by_name[name]
        values = self.partitions_for(proc, dates)  # after the schedule ran (season keys)
        latest = self.ledger.latest([name], [proc.partition_for(v).key for v in values])
        outs: Iterable[Outcome] = (
            self._run_batch(proc, values, latest, failed, force)
            if len(values) > 1 and self.batchable(proc)
            else (self._run_one(proc, proc.partition_for(v), latest, failed, force) for v in values)
        )
        for out in outs:
            report.outcomes.append(out)
            if out.status == "failed":
                failed.add((proc.name, out.partition))
            if on_outcome:
                on_outcome(out)
        if proc.calendar_source:
            self.calendar = load_calendar(self.wh, self.settings)

    def _check_may_write(
        self,
        proc: Processor,
        part: Partition,
        failed: set[tuple[str, str]],
        force: bool,
        ext: ExternalFingerprint | None,
        held: int,
    ) -> None:
        """Raise when a partition must not be written: a failed upstream, a closed gate, or a
        source that lost the payload of rows the table still holds (`held`)."""
        blocker = self._blocked_by(proc, part, failed)
        if blocker:
            raise NbapropsError(f"upstream {blocker} failed for {part.key}")
        for gate in self.gates:
            reason = gate(self, proc, part)
            if reason and not force:
                raise GateBlockedError(f"gate: {reason}")
        if ext is not None and ext.rows == 0 and not force and held:
            raise DataError(
                f"the source holds no rows for {part.key} but {proc.output} has {held}: "
                "refusing to erase them (restore the payload, or --force)"
            )

    def _blocked_by(self, proc: Processor, part: Partition, failed: set[tuple[str, str]]) -> str | None:
        for up in self.registry.upstream(proc.name):
            upp = self.registry.by_name[up]
            if upp.partition == proc.partition and (up, part.key) in failed:
                return up
        return None

    def _run_one(
        self,
        proc: Processor,
        part: Partition,
        latest: dict[tuple[str, str], LastRun],
        failed: set[tuple[str, str]],
        force: bool,
    ) -> Outcome:
        ctx = Context(part, self.settings, self.wh, self.calendar, self.raw, self.public_data)
        last = latest.get((proc.name, part.key))
        attempt = last.attempt if last and last.status == "failed" else 1
        run_id: str | None = None
        try:
            ext = proc.external(ctx) if proc.external else None
            params = dict(proc.sql_params(ctx)) if proc.sql_params else {}
            input_hash, rows_in = self.input_hash(proc, part, ext, params)
            expected_zero = self._expected_zero(proc, part, ext)
            if not force and self._should_skip(last, input_hash, expected_zero):
                rid = self.ledger.skip(
                    proc.name,
                    part.key,
                    input_hash=input_hash,
                    code_version=self.code_version,
                    note="inputs and code unchanged since the last success",
                )
                return Outcome(proc.name, part.key, "skipped", run_id=rid)
            run_id = self.ledger.start(
                proc.name,
                part.key,
                input_hash=input_hash,
                code_version=self.code_version,
                attempt=attempt,
                forced=force,
                code_hash=processor_code_hash(proc),
            )
            held = self.wh.count(proc.output, part) if ext is not None and ext.rows == 0 else 0
            self._check_may_write(proc, part, failed, force, ext, held)
            ctx.heartbeat = functools.partial(self.ledger.heartbeat, run_id)
            rows = self._rows(proc, ctx, params)
            result = self.wh.write_partition(proc.output, part, rows)
            suspicious = self.ledger.succeed(run_id, result, rows_in=rows_in, expected_zero=expected_zero)
            return Outcome(proc.name, part.key, "success", result.rows_written, suspicious, run_id=run_id)
        except Exception as exc:  # captured into the ledger; the run goes on
            msg = _one_line(exc)
            if run_id is None:
                run_id = self.ledger.start(
                    proc.name,
                    part.key,
                    input_hash="",
                    code_version=self.code_version,
                    attempt=attempt,
                    forced=force,
                    code_hash=processor_code_hash(proc),
                )
            self.ledger.fail(run_id, msg)
            return Outcome(proc.name, part.key, "failed", error=msg, run_id=run_id)

    def _rows(self, proc: Processor, ctx: Context, params: dict[str, Any]) -> Any:
        if proc.build is not None:
            return proc.build(ctx)
        sql = proc.sql_text()
        values = {proc.partition_column: ctx.partition.value, **params}
        if proc.partition == "date":
            values["game_dates"] = [ctx.partition.value]  # set-based models (see `batchable`)
        used = set(_PARAM.findall(sql))
        return Query(sql, {k: v for k, v in values.items() if k in used})

    # --- batches: set-based SQL models over many date partitions ----------
    # A SQL model that reads ``$game_dates`` (a list of dates) instead of ``$game_date``
    # builds any set of date partitions in one query.  `run` hands such a processor all its
    # partitions at once; bookkeeping stays per partition: one ledger row each, the same
    # input hash as a single run, the same skip rule, gates, upstream blocking and
    # refuse-to-erase guard, and rows_written from the engine's per-partition WriteResult.
    # Partitions are grouped by season and SQL parameters: one query and one write_partitions
    # transaction per group.  A failing query fails every partition of its group (one ledger
    # row each, same error); the next run retries them.

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
        """`input_hash` for many partitions, reading the partition catalog once per input.

        Gives exactly what `input_hash` gives for each partition (sum of the catalog's
        ``hash(partition || checksum)`` over the same window).
        """
        code = hashlib.sha256(proc.code_text().encode()).digest()
        hs = []
        for part, prm in zip(parts, params, strict=True):
            h = hashlib.sha256(f"{proc.name}|{part.key}|{sorted(prm.items())}".encode())
            h.update(code)
            hs.append(h)
        rows_in = [0] * len(parts)
        has_catalog = self.wh.has_table("ops_partitions")
        for inp in proc.inputs:
            if not has_catalog:
                for h in hs:
                    h.update(f"{inp.table}:none".encode())
                continue
            spans = [self._window_cuts(inp.table, inp.window, part) for part in parts]
            pos = self._catalog_prefix(inp.table, [c for span in spans for c in span])
            for i, (lo, hi) in enumerate(spans):
                (s_lo, n_lo), (s_hi, n_hi) = pos(lo), pos(hi)
                hs[i].update(f"{inp.table}:{inp.window}:{s_hi - s_lo}".encode())
                rows_in[i] += n_hi - n_lo
        out = []
        for i, ext in enumerate(exts):
            if ext is not None:
                hs[i].update(f"ext:{ext.digest}:{ext.rows}".encode())
                rows_in[i] += ext.rows
            out.append((hs[i].hexdigest()[:32], rows_in[i]))
        return out

    def _catalog_prefix(self, table: str, cuts: Sequence[Cut]) -> Callable[[Cut], tuple[int, int]]:
        """(hash sum, rows) of a table's catalog before each cut, reading only what the cuts need.

        Everything before the lowest key any cut names is summed by the engine into one
        row, so a batch late in a long backfill reads a few catalog rows, not the history.
        """
        floor = min((c[0] for c in cuts if c[0] is not None), default=None)
        where = "table_name = $t AND rows > 0"
        base_sum, base_rows = 0, 0
        if floor is not None:
            got = self.wh.rows(
                "SELECT coalesce(sum(hash(partition || checksum)), 0)::VARCHAR, coalesce(sum(rows), 0) "
                f"FROM ops_partitions WHERE {where} AND partition < $floor",
                {"t": table, "floor": floor},
            )[0]
            base_sum, base_rows = int(got[0]), int(got[1])
        cat = sorted(
            (str(k), int(x), int(n))
            for k, x, n in self.wh.rows(
                "SELECT partition, hash(partition || checksum), rows FROM ops_partitions "
                f"WHERE {where}" + (" AND partition >= $floor" if floor is not None else ""),
                {"t": table} | ({"floor": floor} if floor is not None else {}),
            )
        )
        keys = [c[0] for c in cat]
        sums, counts = [base_sum], [base_rows]
        for _, x, n in cat:
            sums.append(sums[-1] + x)
            counts.append(counts[-1] + n)

        def prefix(cut: Cut) -> tuple[int, int]:
            key, side = cut
            if key is None:
                return (0, 0) if side == "start" else (sums[-1], counts[-1])
            i = (bisect.bisect_left if side == "left" else bisect.bisect_right)(keys, key)
            return sums[i], counts[i]

        return prefix

    def _window_cuts(self, table: str, window: str, part: Partition) -> tuple[Cut, Cut]:
        """Where the rows `_window_sql` selects start and end among the sorted catalog keys.

        A cut is (key, "left" | "right"): before the first / after the last partition equal
        to key; or (None, "start" | "end"): the catalog's start or end.
        """
        start: Cut = (None, "start")
        everything = (start, (None, "end"))
        producer = self.registry.by_output.get(table)
        in_col = producer.partition_column if producer else "game_date"

        def eq(k: str) -> tuple[Cut, Cut]:
            return (k, "left"), (k, "right")

        if window == "all":
            return everything
        if in_col == "season":
            season = part.key if part.column == "season" else self.calendar.season_of(part.value)  # type: ignore[arg-type]
            return eq(season)
        if part.column == "season" or window == "season":
            season = part.key if part.column == "season" else self.calendar.season_of(part.value)  # type: ignore[arg-type]
            try:
                first, last = self.calendar.season_bounds(season)
            except NbapropsError:
                return start, start
            return (first.isoformat(), "left"), (last.isoformat(), "right")
        if window == "partition":
            return eq(part.key)
        if window == "before":
            return start, (part.key, "left")
        return start, (part.key, "right")  # through

    def _run_batch(
        self,
        proc: Processor,
        values: Sequence[PartitionValue],
        latest: dict[tuple[str, str], LastRun],
        failed: set[tuple[str, str]],
        force: bool,
    ) -> list[Outcome]:
        parts = [proc.partition_for(v) for v in values]
        ctxs = [Context(p, self.settings, self.wh, self.calendar, self.raw, self.public_data) for p in parts]
        attempts = []
        for p in parts:
            last = latest.get((proc.name, p.key))
            attempts.append(last.attempt if last and last.status == "failed" else 1)
        try:
            exts = [proc.external(c) if proc.external else None for c in ctxs]
            params = [dict(proc.sql_params(c)) if proc.sql_params else {} for c in ctxs]
            hashes = self.input_hashes(proc, parts, exts=exts, params=params)
        except Exception as exc:  # nothing can run: one failed row per partition
            msg = _one_line(exc)
            ids = self.ledger.start_many(
                proc.name,
                [p.key for p in parts],
                [""] * len(parts),
                attempts,
                force=force,
                code_version=self.code_version,
                code_hash=processor_code_hash(proc),
            )
            self.ledger.close_many(failures=[(r, msg) for r in ids])
            return [
                Outcome(proc.name, p.key, "failed", error=msg, run_id=r)
                for p, r in zip(parts, ids, strict=True)
            ]
        out: dict[str, Outcome] = {}
        skip, run = [], []
        for i, p in enumerate(parts):
            ez = self._expected_zero(proc, p, exts[i])
            if not force and self._should_skip(latest.get((proc.name, p.key)), hashes[i][0], ez):
                skip.append(i)
            else:
                run.append((i, ez))
        for i, rid in zip(
            skip,
            self.ledger.skip_many(
                proc.name,
                [parts[i].key for i in skip],
                [hashes[i][0] for i in skip],
                code_version=self.code_version,
            ),
            strict=True,
        ):
            out[parts[i].key] = Outcome(proc.name, parts[i].key, "skipped", run_id=rid)
        ids = self.ledger.start_many(
            proc.name,
            [parts[i].key for i, _ in run],
            [hashes[i][0] for i, _ in run],
            [attempts[i] for i, _ in run],
            force=force,
            code_version=self.code_version,
            code_hash=processor_code_hash(proc),
        )
        for gate in self.gates:
            prepare = getattr(gate, "prepare", None)
            if prepare is not None:
                prepare(self, proc, [parts[i] for i, _ in run])
        held = (
            self.wh.counts_by(proc.output, proc.partition_column)
            if any(e is not None and e.rows == 0 for e in exts) and not force
            else {}
        )
        failures: list[tuple[str, str]] = []
        groups: dict[str, list[tuple[int, bool, str]]] = {}
        for (i, ez), rid in zip(run, ids, strict=True):
            p = parts[i]
            try:
                self._check_may_write(proc, p, failed, force, exts[i], held.get(p.key, 0))
            except Exception as exc:
                failures.append((rid, _one_line(exc)))
                out[p.key] = Outcome(proc.name, p.key, "failed", error=_one_line(exc), run_id=rid)
                continue
            # one query per season and parameter set: memory stays bounded by one season
            group = f"{self.calendar.season_of(p.value)}|{sorted(params[i].items())}"  # type: ignore[arg-type]
            groups.setdefault(group, []).append((i, ez, rid))
        successes: list[tuple[str, Any, int, bool]] = []
        sql = proc.sql_text() if proc.sql is not None else ""
        used = set(_PARAM.findall(sql))
        for members in groups.values():
            vals = [parts[i].value for i, _, _ in members]
            for i, _, rid in members:
                ctxs[i].heartbeat = functools.partial(self.ledger.heartbeat, rid)
            bind = {**params[members[0][0]], "game_dates": vals}
            try:
                rows: pa.Table | Query = (
                    proc.build_many([ctxs[i] for i, _, _ in members])
                    if proc.build_many is not None
                    else Query(sql, {k: v for k, v in bind.items() if k in used})
                )
                results = self.wh.write_partitions(proc.output, proc.partition_column, vals, rows)
            except Exception as exc:
                msg = _one_line(exc)
                for i, _, rid in members:
                    failures.append((rid, msg))
                    out[parts[i].key] = Outcome(proc.name, parts[i].key, "failed", error=msg, run_id=rid)
                continue
            for i, ez, rid in members:
                res = results[parts[i].key]
                suspicious = res.rows_written == 0 and not ez
                successes.append((rid, res, hashes[i][1], ez))
                out[parts[i].key] = Outcome(
                    proc.name, parts[i].key, "success", res.rows_written, suspicious, run_id=rid
                )
        self.ledger.close_many(successes=successes, failures=failures)
        return [out[p.key] for p in parts]
