"""Shared pieces of the processors that load the public data set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nbaprops.core.ids import player_lookup
from nbaprops.pipeline.contract import Context, ExternalFingerprint
from nbaprops.pipeline.raw.contracts import Contract, Where, conform
from nbaprops.sources.public_data import PublicData

__all__ = [
    "external_for",
    "load_public",
    "public_span",
    "with_game_code",
    "with_player_lookup",
]


def external_for(file: str):  # type: ignore[no-untyped-def]
    """An `external` fingerprint function for one public data file."""

    def fingerprint(ctx: Context) -> ExternalFingerprint:
        digest, rows = ctx.public_data().fingerprint(file, ctx.partition.column, ctx.partition.key)
        return ExternalFingerprint(f"{file}:{digest}", rows)

    return fingerprint


def public_span(data: PublicData, file: str) -> tuple[dt.date, dt.date] | None:
    """(first, last) ``game_date`` of one public data file (None if it holds no rows)."""
    return _date_span(data.path(file), data.digest(file))


@cache
def _date_span(path: str, digest: str) -> tuple[dt.date, dt.date] | None:
    """(first, last) ``game_date`` of a Parquet file (cached per content).

    Read from the row groups' min/max statistics (no data read); a file written without
    statistics has its column read instead.
    """
    meta = pq.ParquetFile(path).metadata
    col = meta.schema.names.index("game_date")
    stats = [meta.row_group(g).column(col).statistics for g in range(meta.num_row_groups)]
    if stats and all(s is not None and s.has_min_max for s in stats):
        lo = min(_as_date(s.min) for s in stats if s is not None)
        hi = max(_as_date(s.max) for s in stats if s is not None)
        return lo, hi
    days = pc.cast(pq.read_table(path, columns=["game_date"]).column("game_date"), pa.date32())
    first, last = pc.min_max(days).values()
    return None if first.as_py() is None else (first.as_py(), last.as_py())


def _as_date(v: object) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v  # type: ignore[return-value]


def with_player_lookup(t: pa.Table, name_col: str = "player_name") -> pa.Table:
    """Append ``player_lookup`` computed from a name column."""
    names = t.column(name_col).to_pylist()
    cache: dict[str, str] = {}
    keys = [cache.setdefault(n, player_lookup(n)) if n else None for n in names]
    return t.append_column("player_lookup", pa.array(keys, pa.string()))


def with_game_code(t: pa.Table) -> pa.Table:
    """Append the ``YYYYMMDD_AWAY_HOME`` code from the public ``game_key``."""
    keys = t.column("game_key")
    date_part = pc.replace_substring(pc.utf8_slice_codeunits(keys, 0, 10), "-", "")
    teams = pc.utf8_slice_codeunits(keys, 11, 18)
    code = pc.binary_join_element_wise(date_part, pc.replace_substring(teams, "@", "_"), "_")
    return t.append_column("game_code", code)


def load_public(
    t: pa.Table,
    contract: Contract,
    data: PublicData,
    file: str,
    *,
    derive: Callable[[pa.Table], pa.Table],
    derived: Sequence[str],
    file_key: Sequence[str],
) -> pa.Table:
    """Rows read from a public file, made to conform to the table's contract.

    The file's columns are cast first (a type of another kind, a missing column
    or a value that overflows its declared type stops here), then the derived
    columns are added and the whole table, key included, is checked once.  Errors name the file and the row in it.

    Args:
        t: rows read from the file (any subset of it).
        contract: the raw table's contract.
        data: the public data folder (to number rows in errors).
        file: the logical file name (``player_boxscores``).
        derive: adds the `derived` columns.
        derived: declared columns computed here, not read.
        file_key: columns that identify a row in the file (to number it).

    Raises:
        SchemaDriftError: a declared column is missing or changed type.
        ContractError: a value, a row rule or the key breaks the contract.
    """
    path = data.path(file)
    where = Where(Path(path).name, row_number=_file_row_number(path, file_key))
    typed = conform(t, contract, where, skip=derived, keys=False, check=False)
    return conform(derive(typed), contract, where)


def _file_row_number(path: str, key: Sequence[str]) -> Callable[[pa.Table, int], int | None]:
    """Row ``i`` of a read table -> its row number in the file (computed only for an error)."""

    def row_number(t: pa.Table, i: int) -> int | None:
        import pyarrow.parquet as pq

        cols = [k for k in key if k in t.column_names]
        if not cols:
            return None
        mine = list(zip(*(t.column(k).to_pylist() for k in cols), strict=True))
        occurrence = mine[:i].count(mine[i])  # duplicates: the n-th copy is the n-th match
        full = pq.read_table(path, columns=cols)
        found = [j for j, row in enumerate(zip(*(full.column(k).to_pylist() for k in cols), strict=True))
                 if row == mine[i]]  # fmt: skip
        return found[occurrence] if occurrence < len(found) else None

    return row_number
