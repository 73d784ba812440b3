"""Declared raw-table contracts and the one function that makes rows conform to them.

A `Contract` names every column of a raw table with its Arrow type, whether it
may be null, an inclusive numeric range and (for codes) the allowed values,
plus the table's key and row rules (``fgm <= fga``).  `conform` is run on
every batch of rows before the runner writes it:

- a declared column that is missing, or arrives with a type of another kind
  (text where a number is declared), is `SchemaDriftError`;
- values are cast to the declared types (``int64`` counts to ``int16``,
  timestamps to dates, large strings to strings), so the warehouse never creates
  a table from whatever types the input had;
- a null in a non-nullable column, a value out of range or not allowed, a row
  rule broken, or a key seen twice is `ContractError`, naming the table, the
  column, the value and the row (file or payload, row number, game, player);
- a column that is not declared is schema drift too, but not fatal: it is
  logged (logger ``nbaprops.raw.contracts``, one warning line) and dropped until
  it is declared.

Checks are pyarrow compute kernels over whole columns (min/max first, the
offending row is located only when a check fails), so a season of box scores
costs milliseconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.errors import ContractError, SchemaDriftError

__all__ = [
    "Column",
    "Contract",
    "Rule",
    "Where",
    "at_most",
    "col",
    "conform",
    "points_identity",
    "report_drift",
]

log = logging.getLogger("nbaprops.raw.contracts")

_DESCRIBE = ("game_key", "game_code", "team", "player_name", "bookmaker", "event_id")
"""Columns that say which row is meant, in the order an error names them."""


@dataclass(frozen=True)
class Column:
    """One declared column."""

    name: str
    type: pa.DataType
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    allowed: frozenset[str] | None = None
    pattern: str | None = None
    """A regular expression every non-null text value matches in full."""

    @property
    def field(self) -> pa.Field:
        """The Arrow field (nullable in Arrow: nulls are checked here, not by Arrow)."""
        return pa.field(self.name, self.type)


def col(
    name: str,
    type_: pa.DataType,
    *,
    null: bool = True,
    range_: tuple[float, float] | None = None,
    allowed: Iterable[str] | None = None,
    pattern: str | None = None,
) -> Column:
    """A `Column`, written compactly: ``col("pts", I16, null=False, range_=(0, 100))``."""
    lo, hi = range_ if range_ is not None else (None, None)
    return Column(name, type_, null, lo, hi, frozenset(allowed) if allowed is not None else None, pattern)


@dataclass(frozen=True)
class Rule:
    """A row rule: ``check(table)`` is a boolean array, false where a row breaks it (null passes)."""

    text: str
    check: Callable[[pa.Table], pa.ChunkedArray | pa.Array]
    columns: tuple[str, ...]
    """The columns the rule reads (it runs only when all are present)."""


def at_most(a: str, b: str) -> Rule:
    """The rule ``a <= b`` (made shots never exceed attempts)."""
    return Rule(f"{a} <= {b}", lambda t: pc.less_equal(t.column(a), t.column(b)), (a, b))


def points_identity(pts: str = "pts", fgm: str = "fgm", fg3m: str = "fg3m", ftm: str = "ftm") -> Rule:
    """The rule ``pts = 2*fgm + fg3m + ftm`` (where the shooting counts are known)."""

    def check(t: pa.Table) -> pa.ChunkedArray:
        two = pc.multiply(pc.cast(t.column(fgm), pa.int32()), 2)
        made = pc.add(pc.add(two, pc.cast(t.column(fg3m), pa.int32())), pc.cast(t.column(ftm), pa.int32()))
        return pc.equal(pc.cast(t.column(pts), pa.int32()), made)

    return Rule(f"{pts} = 2*{fgm} + {fg3m} + {ftm}", check, (pts, fgm, fg3m, ftm))


@dataclass(frozen=True)
class Contract:
    """A raw table's declared columns, key and row rules."""

    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    """Unique per partition (the partition column is implied when present)."""
    rules: tuple[Rule, ...] = ()
    partition_column: str | None = None
    ignored: frozenset[str] = frozenset()
    """Input columns known and deliberately not loaded (dropped without a drift warning)."""

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of a conforming table (column order included)."""
        return pa.schema([c.field for c in self.columns])

    @cached_property
    def names(self) -> frozenset[str]:
        """The declared column names."""
        return frozenset(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The declaration of one column."""
        return next(c for c in self.columns if c.name == name)

    def renamed(self, table: str) -> Contract:
        """The same contract for another table name (a payload family's table)."""
        return Contract(table, self.columns, self.key, self.rules, self.partition_column, self.ignored)


@dataclass(frozen=True)
class Where:
    """Where rows came from, for error messages.

    Args:
        origin: the file or payload, e.g. ``player_boxscores.parquet``.
        row_number: maps a row of the checked table to its row in the origin.
    """

    origin: str
    row_number: Callable[[pa.Table, int], int | None] = field(default=lambda _t, i: i)

    def row(self, t: pa.Table, i: int) -> str:
        """``in ORIGIN row N (2024-11-02 LAL@PHX, LeBron James)``."""
        n = self.row_number(t, i)
        cols = t.column_names
        present = [  # the archive's game key already says the game: no code beside it
            c for c in _DESCRIBE if c in cols and not (c == "game_code" and "game_key" in cols)
        ]
        shown = [w for w in (_describe(c, t.column(c)[i].as_py()) for c in present) if w]
        at = f" row {n}" if n is not None else ""
        return f"in {self.origin}{at}" + (f" ({', '.join(shown[:3])})" if shown else "")


def _describe(column: str, value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text.replace("_", " ", 1) if column == "game_key" else text


def conform(
    t: pa.Table,
    contract: Contract,
    where: Where,
    *,
    skip: Sequence[str] = (),
    keys: bool = True,
    check: bool = True,
) -> pa.Table:
    """`t` cast to the contract's types and checked against it (see the module docstring).

    Args:
        t: the rows.
        contract: the declaration.
        where: names the origin in errors.
        skip: declared columns not checked yet (derived later from the checked ones).
        keys: check key uniqueness (off while derived key columns are still missing).
        check: check values (off for a first pass that only casts; a narrowing cast
            still refuses values it cannot hold).

    Returns:
        The declared columns (less `skip`), in declared order, of the declared types.

    Raises:
        SchemaDriftError: a declared column is missing or has a type of another kind.
        ContractError: a null, range, allowed-value, rule or key violation.
    """
    declared = [c for c in contract.columns if c.name not in skip]
    present = set(t.column_names)
    extra = [n for n in t.column_names if n not in contract.names and n not in contract.ignored]
    if extra:
        report_drift(contract.table, where.origin, [f"{n} ({t.schema.field(n).type})" for n in extra])
    arrays = []
    for c in declared:
        if c.name not in present:
            raise SchemaDriftError(
                f"declared column {c.name} is missing in {where.origin}",
                source=contract.table,
                field=c.name,
            )
        arrays.append(_cast(t, c, contract, where))
    out = pa.Table.from_arrays(arrays, schema=pa.schema([c.field for c in declared]))
    if not check:
        return out
    for c in declared:
        _check_values(out, c, contract, where)
    checked = set(out.column_names)
    for rule in contract.rules:
        if all(n in checked for n in rule.columns):
            _check_rule(out, rule, contract, where)
    if keys and contract.key:
        _check_key(out, contract, where)
    return out


_REPORTED: set[tuple[str, str, tuple[str, ...]]] = set()


def report_drift(table: str, origin: str, columns: Sequence[str]) -> None:
    """Log (once per process) that `origin` carries columns `table` does not declare."""
    seen = (table, origin, tuple(columns))
    if seen in _REPORTED:
        return
    _REPORTED.add(seen)
    log.warning(
        "%s: schema drift: column(s) %s in %s not declared, ignored until declared in "
        "nbaprops.pipeline.raw.schemas",
        table,
        ", ".join(columns),
        origin,
    )


# --- types --------------------------------------------------------------------
def _kind(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return _kind(t.value_type)
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "float"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return "time"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_null(t):
        return "null"
    return str(t)


_COMPATIBLE = {
    "int": {"int", "null"},
    "float": {"float", "int", "null"},
    "string": {"string", "null"},
    "time": {"time", "null"},
    "bool": {"bool", "null"},
}
"""Input kinds each declared kind accepts (a cast within the kind, or from all-null)."""


def _cast(t: pa.Table, c: Column, contract: Contract, where: Where) -> pa.ChunkedArray:
    arr = t.column(c.name)
    if arr.type == c.type:
        return arr
    if pa.types.is_dictionary(arr.type):
        arr = pc.cast(arr, arr.type.value_type)
    got, want = _kind(arr.type), _kind(c.type)
    if got not in _COMPATIBLE.get(want, {want}):
        i = _first_valid(arr)
        value = f", first value {arr[i].as_py()!r} {where.row(t, i)}" if i is not None else ""
        raise SchemaDriftError(
            f"{c.name} is {arr.type}, declared {c.type} (type changed upstream{value})",
            source=contract.table,
            field=c.name,
        )
    if want in ("int", "float") and got != "null":
        _check_range(t, arr, c, contract, where)  # before a narrowing cast too: no silent overflow
    try:
        return pc.cast(arr, c.type, safe=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise SchemaDriftError(
            f"{c.name} ({arr.type}) does not cast to {c.type} in {where.origin}: {str(exc).splitlines()[0]}",
            source=contract.table,
            field=c.name,
        ) from None


def _first_valid(arr: pa.ChunkedArray) -> int | None:
    idx = pc.indices_nonzero(pc.is_valid(arr))
    return int(idx[0].as_py()) if len(idx) else None


def _first(mask: pa.ChunkedArray | pa.Array) -> int | None:
    """The first row where `mask` is true (null counts as false)."""
    if not pc.any(mask).as_py():  # the common case, without building an index
        return None
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    return int(idx[0].as_py()) if len(idx) else None


# --- values -------------------------------------------------------------------
def _fmt(v: float | None) -> str:
    return "-inf" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def _check_range(
    t: pa.Table, arr: pa.ChunkedArray | pa.Array, c: Column, contract: Contract, where: Where
) -> None:
    if (c.min is None and c.max is None) or len(arr) == 0 or arr.null_count == len(arr):
        return
    if pa.types.is_floating(arr.type) and arr.null_count < len(arr):
        nan = _first(pc.is_nan(arr))
        if nan is not None:
            raise _refuse(t, nan, c, contract, where, "= NaN")
    mm = pc.min_max(arr).as_py()
    lo, hi = mm["min"], mm["max"]
    if (c.min is None or lo >= c.min) and (c.max is None or hi <= c.max):
        return
    bad = pc.invert(
        pc.and_(
            pc.greater_equal(arr, c.min if c.min is not None else lo),
            pc.less_equal(arr, c.max if c.max is not None else hi),
        )
    )
    i = _first(bad)
    assert i is not None
    top = _fmt(c.max) if c.max is not None else "inf"
    raise _refuse(t, i, c, contract, where, f"= {arr[i].as_py()} out of range [{_fmt(c.min)}, {top}]")


def _refuse(t: pa.Table, i: int, c: Column, contract: Contract, where: Where, what: str) -> ContractError:
    """The one-line error for column `c` at row `i`: ``TABLE: COLUMN WHAT in ORIGIN row N (...)``."""
    return ContractError(
        f"{contract.table}: {c.name} {what} {where.row(t, i)}", table=contract.table, column=c.name
    )


def _check_values(t: pa.Table, c: Column, contract: Contract, where: Where) -> None:
    arr = t.column(c.name)
    if _kind(c.type) in ("int", "float"):
        _check_range(t, arr, c, contract, where)
    if not c.nullable and arr.null_count:
        i = _first(pc.is_null(arr))
        assert i is not None
        raise _refuse(t, i, c, contract, where, "is null (declared not null)")
    if arr.null_count == len(arr):
        return
    if c.allowed is not None:
        bad = pc.invert(pc.is_in(arr, value_set=pa.array(sorted(c.allowed), c.type)))
        i = _first(pc.and_(bad, pc.is_valid(arr)))
        if i is not None:
            allowed = ", ".join(sorted(c.allowed))
            raise _refuse(t, i, c, contract, where, f"= {arr[i].as_py()!r} is not one of {allowed}")
    if c.pattern is not None:
        i = _first(pc.invert(pc.match_substring_regex(arr, f"^(?:{c.pattern})$")))
        if i is not None:
            raise _refuse(t, i, c, contract, where, f"= {arr[i].as_py()!r} does not match {c.pattern}")


def _check_rule(t: pa.Table, rule: Rule, contract: Contract, where: Where) -> None:
    i = _first(pc.invert(rule.check(t)))
    if i is None:
        return
    values = ", ".join(f"{n} = {t.column(n)[i].as_py()}" for n in rule.columns)
    raise ContractError(
        f"{contract.table}: {rule.text} broken ({values}) {where.row(t, i)}",
        table=contract.table,
        column=rule.columns[0],
    )


def _distinct(t: pa.Table, key: Sequence[str]) -> int:
    """How many distinct key values `t` holds (a hash kernel: no query plan for the common case)."""
    if len(key) == 1:
        return int(pc.count_distinct(t.column(key[0]), mode="all").as_py())
    parts = [pc.fill_null(pc.cast(t.column(k), pa.string()), "\x00") for k in key]
    joined = pc.binary_join_element_wise(*parts, "\x1f")
    return int(pc.count_distinct(joined, mode="all").as_py())


def _check_key(t: pa.Table, contract: Contract, where: Where) -> None:
    key = list(contract.key)
    if contract.partition_column and contract.partition_column in t.column_names:
        key = [contract.partition_column, *(k for k in key if k != contract.partition_column)]
    if t.num_rows < 2 or _distinct(t, key) == t.num_rows:
        return
    counts = t.select(key).group_by(key, use_threads=False).aggregate([([], "count_all")])
    dup = _first(pc.greater(counts.column("count_all"), 1))
    assert dup is not None
    match = pc.equal(t.column(key[0]), counts.column(key[0])[dup])
    for k in key[1:]:
        v = counts.column(k)[dup]
        match = pc.and_(match, pc.is_null(t.column(k)) if not v.is_valid else pc.equal(t.column(k), v))
    rows = pc.indices_nonzero(pc.fill_null(match, False)).to_pylist()
    first, second = rows[0], rows[1] if len(rows) > 1 else rows[0]
    n2 = where.row_number(t, second)
    value = ", ".join(f"{k}={counts.column(k)[dup].as_py()}" for k in key)
    raise ContractError(
        f"{contract.table}: duplicate key ({value}) {where.row(t, first)}"
        + (f" and row {n2}" if n2 is not None else ""),
        table=contract.table,
        column=",".join(key),
    )
