"""Shared pieces of the processors that load the public data set."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.ids import player_lookup
from nbaprops.pipeline.contract import Context, ExternalFingerprint

__all__ = ["external_for", "with_game_code", "with_player_lookup"]


def external_for(file: str):  # type: ignore[no-untyped-def]
    """An `external` fingerprint function for one public data file."""

    def fingerprint(ctx: Context) -> ExternalFingerprint:
        digest, rows = ctx.public_data().fingerprint(file, ctx.partition.column, ctx.partition.key)
        return ExternalFingerprint(f"{file}:{digest}", rows)

    return fingerprint


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


def as_date(t: pa.Table, col: str = "game_date") -> pa.Table:
    """Cast a timestamp column to a date column in place (a no-op on a date column)."""
    i = t.schema.get_field_index(col)
    if t.schema.field(i).type == pa.date32():
        return t
    return t.set_column(i, col, pc.cast(t.column(col), pa.date32()))
