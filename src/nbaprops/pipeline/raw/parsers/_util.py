"""Parser helpers: strict field access (drift is an error, not a null), teams, dates."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from nbaprops.core.errors import DataError, InputError, SchemaDriftError
from nbaprops.core.ids import GAME_TYPES, player_lookup
from nbaprops.pipeline.raw.schemas import TEAMS

__all__ = [
    "ET",
    "as_id",
    "as_int",
    "as_text",
    "et_date",
    "full_name",
    "load_json",
    "lookup",
    "need",
    "need_list",
    "need_map",
    "parse_utc",
    "result_set",
    "team_abbr",
    "to_table",
    "unzip",
]

ET = ZoneInfo("America/New_York")

_FULL_NAMES = {
    "Atlanta Hawks": "ATL", "Boston Celtics": "BOS", "Brooklyn Nets": "BKN", "Charlotte Hornets": "CHA",
    "Chicago Bulls": "CHI", "Cleveland Cavaliers": "CLE", "Dallas Mavericks": "DAL", "Denver Nuggets": "DEN",
    "Detroit Pistons": "DET", "Golden State Warriors": "GSW", "Houston Rockets": "HOU", "Indiana Pacers": "IND",
    "LA Clippers": "LAC", "Los Angeles Clippers": "LAC", "Los Angeles Lakers": "LAL", "Memphis Grizzlies": "MEM",
    "Miami Heat": "MIA", "Milwaukee Bucks": "MIL", "Minnesota Timberwolves": "MIN", "New Orleans Pelicans": "NOP",
    "New York Knicks": "NYK", "Oklahoma City Thunder": "OKC", "Orlando Magic": "ORL", "Philadelphia 76ers": "PHI",
    "Phoenix Suns": "PHX", "Portland Trail Blazers": "POR", "Sacramento Kings": "SAC", "San Antonio Spurs": "SAS",
    "Toronto Raptors": "TOR", "Utah Jazz": "UTA", "Washington Wizards": "WAS",
}  # fmt: skip
_ALIASES = {"GS": "GSW", "NY": "NYK", "SA": "SAS", "NO": "NOP", "UTAH": "UTA", "WSH": "WAS", "BRK": "BKN",
            "PHO": "PHX", "CHO": "CHA", "NOR": "NOP"}  # fmt: skip
ABBRS = TEAMS


def unzip(content: bytes, kind: str = "payload") -> bytes:
    """The bytes, gunzipped when they carry the gzip magic.

    Raises:
        DataError: a gzip stream that is truncated or corrupt.
    """
    if content[:2] != b"\x1f\x8b":
        return content
    try:
        return gzip.decompress(content)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{kind}: gzip payload is truncated or corrupt ({exc})") from None


def load_json(kind: str, content: bytes) -> Any:
    """Parse a (possibly gzipped) JSON payload.

    Raises:
        DataError: naming the kind, when the bytes are not JSON.
    """
    try:
        return json.loads(unzip(content, kind))
    except (ValueError, RecursionError) as exc:
        raise DataError(f"{kind}: payload is not JSON ({exc})") from None


def need(kind: str, obj: Any, path: str) -> Any:
    """The value at a dotted path; a missing key is schema drift.

    Raises:
        SchemaDriftError: naming the kind and the full path.
    """
    node = obj
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            raise SchemaDriftError("field missing", source=kind, field=path)
    return node


def need_list(kind: str, obj: Any, path: str) -> list[Any]:
    """The list at a dotted path; a missing key or another type (``null``, an object) is drift.

    Raises:
        SchemaDriftError: naming the kind and the full path.
    """
    node = need(kind, obj, path)
    if not isinstance(node, list):
        raise SchemaDriftError(f"expected a list, got {type(node).__name__}", source=kind, field=path)
    return node


def need_map(kind: str, obj: Any, path: str) -> Mapping[str, Any]:
    """The object at a dotted path (see `need_list`)."""
    node = need(kind, obj, path)
    if not isinstance(node, Mapping):
        raise SchemaDriftError(f"expected an object, got {type(node).__name__}", source=kind, field=path)
    return node


def result_set(kind: str, doc: Any, name: str, required: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of an NBA.com ``resultSets`` entry as dicts keyed by header name.

    Values are read by header name, never by position: a header list that
    does not match its rows (one header dropped, one added) is drift, since
    every later column would shift.

    Raises:
        SchemaDriftError: when the set or a required header is missing, a header
            is repeated, or a row's length differs from the headers'.
    """
    sets = need_list(kind, doc, "resultSets")
    found = next((s for s in sets if isinstance(s, Mapping) and s.get("name") == name), None)
    if found is None:
        raise SchemaDriftError("result set missing", source=kind, field=f"resultSets[{name}]")
    headers = need_list(kind, found, "headers")
    where = f"resultSets[{name}]"
    if not all(isinstance(h, str) for h in headers) or len(set(headers)) != len(headers):
        raise SchemaDriftError("headers are not unique names", source=kind, field=f"{where}.headers")
    for h in required:
        if h not in headers:
            raise SchemaDriftError("header missing", source=kind, field=f"{where}.{h}")
    rows = need_list(kind, found, "rowSet")
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(headers):
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise SchemaDriftError(
                f"row {i} has {got} values for {len(headers)} headers (columns would shift)",
                source=kind,
                field=f"{where}.rowSet",
            )
        out.append(dict(zip(headers, row, strict=True)))
    return out


def team_abbr(kind: str, value: str, field: str) -> str:
    """An NBA.com team abbreviation from an abbreviation, an ESPN/BP alias or a full name.

    Raises:
        SchemaDriftError: an unknown team (a renamed field or a changed code list).
    """
    if not isinstance(value, str):
        raise SchemaDriftError(f"team {value!r} is not text", source=kind, field=field)
    v = value.strip()
    if v.upper() in ABBRS:
        return v.upper()
    if v.upper() in _ALIASES:
        return _ALIASES[v.upper()]
    if v in _FULL_NAMES:
        return _FULL_NAMES[v]
    raise SchemaDriftError(f"unknown team {value!r}", source=kind, field=field)


def lookup(name: str | None) -> str | None:
    """`player_lookup` of a name (None for a missing or symbol-only name)."""
    if not name:
        return None
    try:
        return player_lookup(name)
    except InputError:
        return None


def et_date(ts: dt.datetime) -> dt.date:
    """The US/Eastern date of an aware timestamp."""
    return ts.astimezone(ET).date()


def parse_utc(kind: str, value: str, field: str) -> dt.datetime:
    """An ISO timestamp (``Z`` or offset; naive means UTC) as aware UTC.

    Raises:
        SchemaDriftError: when the value is not a timestamp.
    """
    try:
        ts = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        raise SchemaDriftError(f"not a timestamp: {value!r}", source=kind, field=field) from None
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)


def as_int(kind: str, value: Any, field: str) -> int:
    """An integer given as a number or as digits (``"125"``); anything else is drift.

    Raises:
        SchemaDriftError: a bool, a fraction, empty or non-digit text, null.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise SchemaDriftError(f"not an integer: {value!r}", source=kind, field=field)


def as_text(kind: str, value: Any, field: str) -> str:
    """A text field (a name, a status); a number, a list or null where text belongs is drift.

    Raises:
        SchemaDriftError: the value is not a string.
    """
    if isinstance(value, str):
        return value
    raise SchemaDriftError(f"not text: {value!r}", source=kind, field=field)


def full_name(kind: str, obj: Any, first: str, last: str) -> str:
    """``"First Last"`` from two text fields of an object (a missing one is drift)."""
    return (
        f"{as_text(kind, need(kind, obj, first), first)} {as_text(kind, need(kind, obj, last), last)}".strip()
    )


def as_id(kind: str, value: Any, field: str) -> str:
    """An identifier given as a number or as text, as text; anything else is drift.

    Raises:
        SchemaDriftError: a bool, a list, an object, null or empty text.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise SchemaDriftError(f"not an identifier: {value!r}", source=kind, field=field)


def to_table(kind: str, rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows to a table of exactly `schema`.

    Raises:
        DataError: a value that does not fit its column's type (a bool is never a number).
    """
    flags = {f.name for f in schema if pa.types.is_boolean(f.type)}
    for i, r in enumerate(rows):
        for name, v in r.items():
            if isinstance(v, bool) and name not in flags:
                raise DataError(
                    f"{kind}: row {i} {name} = {v!r} is a bool, declared {schema.field(name).type}"
                )
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"{kind}: {_misfit(rows, schema) or exc}") from None


def _misfit(rows: list[dict[str, Any]], schema: pa.Schema) -> str | None:
    """The first value that does not fit its column (only computed for an error)."""
    for f in schema:
        for i, r in enumerate(rows):
            try:
                pa.array([r.get(f.name)], f.type)
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
                return f"row {i} {f.name} = {r.get(f.name)!r} does not fit {f.type}"
    return None


def game_type(game_id: str | None) -> str | None:
    """The season type an NBA.com game id names (its third digit), or None when it is not one."""
    if game_id and len(game_id) == 10 and game_id.startswith("00"):
        return GAME_TYPES.get(game_id[2])
    return None
