"""The processor contract.

A processor is a declaration: what it reads, what table it writes, how one
partition of that table is built.  It returns rows (an Arrow table) or names a
SQL file; it never writes and never counts.  The runner (``nbaprops.ops``)
does the writing through ``Warehouse.write_partition`` and records the count
the engine reports, so a processor has no way to report its own count.

Audits: ``audits/<output>.sql`` and ``audits/<output>__<name>.sql`` in the folder of a
processor's model (or of its build function's module) each SELECT the output's bad rows,
including its partition column (``game_date`` or ``season``); empty is a pass.  The runner
runs them inside every write of the processor, over the partitions written; a bad row rolls
the write back and fails the run (`AuditError`).  New files are picked up automatically.
An audit shares a rule with other tables' audits by a ``-- uses: <rule>`` line: the query
``audit_rules/<rule>.sql`` is inlined at its ``FROM <rule>`` (as models inline `sql_uses`),
reading the rows the audit hands it in a CTE.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import pyarrow as pa

from nbaprops.core.types import PartitionKind, Phase
from nbaprops.storage.warehouse import Audit, KeyRange, Partition, PartitionValue, Query

if TYPE_CHECKING:
    from nbaprops.core.calendar import Calendar
    from nbaprops.core.config import Settings
    from nbaprops.sources.public_data import PublicData
    from nbaprops.storage.rawstore import RawStore
    from nbaprops.storage.warehouse import Warehouse

__all__ = [
    "Context",
    "ExternalFingerprint",
    "Input",
    "Processor",
    "SourceCoverage",
    "Window",
]

Window: TypeAlias = Literal["partition", "before", "through", "season", "all"]
"""Which rows of an input a run reads, relative to its partition:
``partition`` the same partition; ``before`` every date strictly earlier;
``through`` every date up to and including it; ``season`` the partition's
season; ``all`` the whole table."""


@dataclass(frozen=True)
class Input:
    """A warehouse table a processor reads, and which slice of it."""

    table: str
    window: Window = "partition"
    feedback: bool = False
    """The table comes from a processor that runs *after* this one, whose earlier partitions
    feed back (calibration and ensemble weights from past grades).  It is part of the input
    hash, so a change to it re-runs the reader, but not a DAG edge; a run or backfill that
    includes both processors runs the loop date by date (`Registry.feedback_groups`).
    Only ``before`` is allowed: a date may learn from earlier dates, never from itself."""
    optional: bool = False
    """Read when present: the table comes from an opt-in or network (scrape) source that a
    default run may not have.  It orders the DAG and is part of the input hash, but a
    reader stays in the default selection when its producer is opt-in (canonical tables
    merge every source that has data, and the public archive needs none of them)."""


@dataclass(frozen=True)
class ExternalFingerprint:
    """What an external input (a file, a payload folder) looks like right now."""

    digest: str
    """Changes whenever the data the run would read changes."""
    rows: int
    """Rows the source holds for the partition (0: upstream has nothing)."""


@dataclass
class Context:
    """What a processor may use while building one partition."""

    partition: Partition
    settings: Settings
    warehouse: Warehouse
    calendar: Calendar
    raw: RawStore
    public_data: Callable[[], PublicData]
    heartbeat: Callable[[], None] = field(default=lambda: None)
    """Tells the ledger this run is alive; a long build (the prediction coordinator's batches)
    calls it between steps.  The runner binds it to the run's ledger row(s)."""
    input_range: Callable[[Input], KeyRange] | None = None
    """The partition keys of an input this run reads (the runner's one window rule,
    ``ops/windows.py``, also used for input hashes); ``KeyRange.condition`` turns it into SQL."""

    @property
    def date(self) -> dt.date:
        """The partition's date (date-partitioned processors only)."""
        assert isinstance(self.partition.value, dt.date), "not a date partition"
        return self.partition.value

    @property
    def season(self) -> str:
        """The partition's season (the date's season for date partitions)."""
        v = self.partition.value
        return v if isinstance(v, str) else self.calendar.season_of(v)


Builder: TypeAlias = Callable[[Context], pa.Table]
External: TypeAlias = Callable[[Context], ExternalFingerprint]
SourceCoverage: TypeAlias = Callable[[Context], tuple[dt.date, dt.date] | None]
"""The first and last date a source holds at all (None: it holds nothing), read from the
source itself; any partition's context may be passed."""

PIPELINE_ROOT = Path(__file__).resolve().parent
"""The ``pipeline`` package folder: audits live in ``<phase>/audits/`` under it."""


@dataclass(frozen=True)
class Processor:
    """A declared unit of work; see the module docstring.

    Exactly one of `build` and `sql` is set.  A SQL file is a SELECT in DuckDB
    dialect taking ``$game_date`` (date partitions) or ``$season`` (season
    partitions) as its parameter.
    """

    name: str
    phase: Phase
    output: str
    partition: PartitionKind
    key: tuple[str, ...]
    description: str
    inputs: tuple[Input, ...] = ()
    build: Builder | None = None
    sql: Path | None = None
    build_many: Callable[[list[Context]], pa.Table | Query] | None = None
    """Optional: build many date partitions at once (same rows as `build` per partition);
    the runner uses it for batches and still records every partition on its own.  It may
    return a `Query` (a SQL model whose text depends on which optional inputs exist)."""
    external: External | None = None
    """Fingerprint of data read from outside the warehouse (source processors)."""
    per_game: bool = True
    """Rows are expected on every date with final games (zero there is suspicious)."""
    default: bool = True
    """Selected when no processor is named: False for opt-in work (heavy model fitting,
    network scrapes), run only by name, by `nbaprops predict`, or with its phase asked for."""
    sql_params: Callable[[Context], Mapping[str, Any]] | None = None
    """Extra named parameters for the SQL model (they are part of the input hash)."""
    extra_depends: tuple[str, ...] = field(default=())
    """Processors to run first though no table is read from them."""
    sql_uses: tuple[Path, ...] = ()
    """Shared SQL queries the model reads as relations named after their files: a model that
    declares ``grading.sql`` reads ``FROM grading`` and gets that query inlined there (it may
    read the model's own CTEs).  The shared text is part of `sql_text`, hence of the code
    hash: a change to a shared rule re-runs every model that uses it."""
    calendar_source: bool = False
    """Its output is the schedule the calendar is read from: the runner reloads the calendar
    after it runs, and ops code finds it through `Registry.calendar_source` (never by name)."""
    merges_sources: tuple[str, ...] = ()
    """A canonical table: the sources it merges, in priority order; its ``source`` column says
    which one served each row (`validate` counts the games each source served)."""
    reports_disagreements: bool = False
    """Each of its rows is a disagreement between sources for a person to look at: `validate`
    reports a partition that holds any as ``source_disagreement`` (zero rows is the normal case)."""
    covers_every_game: bool = False
    """Its output holds rows for every final game the box-score source covers: the coverage
    gate checks readers of it against the schedule (prop lines are not: books skip games)."""
    stale_when_final: bool = False
    """Its output holds rows only for games not final yet: partitions of dates whose games all
    became final are emptied (`ops.gates.cleanup_stale_upcoming`)."""
    source_coverage: SourceCoverage | None = None
    """The span of dates its source covers (derived from the source's data, never a constant):
    `validate` calls a date outside it "not covered by source" (no alarm) instead of a loss.
    None: the source is expected to cover every date with games."""

    def __post_init__(self) -> None:
        if (self.build is None) == (self.sql is None):
            raise ValueError(f"processor {self.name}: set exactly one of build and sql")
        for i in self.inputs:
            if i.feedback and (i.window != "before" or self.partition != "date"):
                raise ValueError(
                    f"processor {self.name}: feedback input {i.table} must be a date 'before' window"
                )

    @property
    def built_from_history(self) -> bool:
        """Precompute and prediction rows need earlier games of the season: in a season's
        first (bootstrap) days thin or empty output is expected."""
        return self.phase >= 4

    @property
    def partition_column(self) -> str:
        """The output table's partition column."""
        return "game_date" if self.partition == "date" else "season"

    def partition_for(self, value: PartitionValue) -> Partition:
        """The output partition for a value."""
        return Partition(self.partition_column, value)

    def sql_text(self) -> str:
        """The SQL model's text, with the shared queries of `sql_uses` inlined."""
        assert self.sql is not None
        return _inline(self.sql.read_text(), self.sql_uses)

    @property
    def source_file(self) -> str:
        """Where the processor is defined, relative to the package: its ``.sql`` model, or
        the module of its `build` (e.g. ``pipeline/raw/schedule.py``)."""
        if self.sql is not None:
            path = self.sql
        else:
            assert self.build is not None
            path = Path(inspect.getfile(self.build))
        root = Path(__file__).resolve().parents[1]  # src/nbaprops
        try:
            return path.resolve().relative_to(root).as_posix()
        except ValueError:  # defined outside the package (a plug-in, a test)
            return str(path)

    @property
    def audits(self) -> tuple[Audit, ...]:
        """The audits run inside every write of this processor (and by `validate`): the SQL
        files ``audits/<output>.sql`` and ``audits/<output>__<name>.sql`` of any phase folder
        under ``pipeline/``, or beside its model (or its build function's module).  Each
        SELECTs bad rows (empty = pass) and returns the output's partition column, so a write
        audits only what it replaces."""
        if self.sql is not None:
            folder = self.sql.parent
        else:
            assert self.build is not None
            folder = Path(inspect.getfile(self.build)).parent
        return _audits_in((folder / "audits", *sorted(PIPELINE_ROOT.glob("*/audits"))), self.output)

    def code_text(self) -> str:
        """The processor's definition as text (for idempotency and drift detection)."""
        if self.sql is not None:
            return self.sql_text()
        assert self.build is not None
        return _source_of(self.build)


def _inline(text: str, uses: tuple[Path, ...]) -> str:
    """Replace ``FROM <name>`` by ``FROM (<shared query>) AS <name>`` for each shared file."""
    for path in uses:
        name = path.stem
        pattern = re.compile(rf"\bFROM\s+{re.escape(name)}\b(?!\s*\()", re.IGNORECASE)
        inlined = f"FROM (\n{path.read_text().strip().rstrip(';')}\n) AS {name}"
        text = pattern.sub(_constant(inlined), text)
    return text


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


@cache
def _audits_in(folders: tuple[Path, ...], output: str) -> tuple[Audit, ...]:
    files: dict[Path, None] = {}
    for folder in folders:
        if folder.is_dir():
            for f in (folder / f"{output}.sql", *sorted(folder.glob(f"{output}__*.sql"))):
                if f.is_file():
                    files[f.resolve()] = None
    return tuple(Audit(f.stem, _audit_text(f)) for f in sorted(files, key=lambda f: (f.stem, str(f))))


AUDIT_RULES = PIPELINE_ROOT / "audit_rules"
"""Audit rules shared by several tables' audits (``-- uses: <rule>`` in an audit file)."""
_USES = re.compile(r"^--\s*uses:\s*(.+)$", re.MULTILINE)


def _audit_text(path: Path) -> str:
    """An audit file's SQL, with the shared rules it names in ``-- uses:`` lines inlined.

    Raises:
        FileNotFoundError: a named rule has no file under `AUDIT_RULES` (naming both files).
    """
    text = path.read_text()
    rules = [AUDIT_RULES / f"{name.strip()}.sql" for m in _USES.finditer(text) for name in m[1].split(",")]
    for rule in rules:
        if not rule.is_file():
            raise FileNotFoundError(f"audit {path.name} uses {rule.stem}, but {rule} does not exist")
    return _inline(text, tuple(rules))


@cache
def _source_of(fn: Builder) -> str:
    import inspect

    return inspect.getsource(inspect.getmodule(fn) or fn)
