"""The sources of the canonical ``raw_prop_lines`` and how their quotes merge.

Every source's quotes arrive in one shape (the canonical columns, ``source`` on every row):

==============  ===============================================  ========  ==========================
source          raw table(s)                                     priority  snapshot_time
==============  ===============================================  ========  ==========================
``odds_api``    ``raw_oddsa_live_prop_lines`` (live, each run),  1         live: the fetch; historical:
                ``raw_oddsa_prop_lines`` (historical)                      the API's snapshot time
``public_archive``  ``props_points`` / ``props_other_markets``   2         as the archive has it
==============  ===============================================  ========  ==========================

Priority is a fallback per (game, market, bookmaker): the first source in that order with a usable
quote of a book's market for a game serves *all* of that book's quotes of that market and game,
every snapshot of them; a lower source fills the games, markets and books the higher ones lack
(a date absent from the archive is served by the scrape alone).  Sources are never mixed inside
one (game, market, book): two sources' snapshots of one book would interleave two observers.

Quotes flagged by their parser (``flag`` not null: a price that is not a price, an unknown book or
market) never reach the canonical table; they stay in the raw table with the reason.  Decimal
prices become American odds rounded to the cent of a dollar the books quote (1.91 -> -110).
``is_primary_line`` is computed as the archive documents it: per (player, date, market, book,
snapshot) the one line whose over and under implied probabilities are closest (ties: the lower
line; a quote missing a side ranks last).  BettingPros offers are not a source yet: no offers
payload has been recorded to build and test a parser on (``docs/sources.md``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.storage.queries.prop_lines import SCRAPED_COUNT, SCRAPED_QUOTES
from nbaprops.storage.warehouse import Warehouse

__all__ = [
    "ARCHIVE",
    "PRIORITY",
    "SCRAPED",
    "american",
    "mark_primary",
    "merge",
    "scraped_count",
    "scraped_lines",
]

SCRAPED = ("raw_oddsa_live_prop_lines", "raw_oddsa_prop_lines")
"""Raw prop-line tables parsed from scraped payloads (read when they exist)."""
ARCHIVE = "public_archive"
"""``source`` of the archive's rows."""
PRIORITY = ("odds_api", ARCHIVE)
"""Sources in priority order (fallback per game, market and bookmaker)."""


def american(decimal: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Decimal odds -> American odds, rounded to whole units (2.5 -> +150, 1.91 -> -110).

    Decimal odds are > 1 here (the parser flags any other price).
    """
    d = pc.cast(decimal, pa.float64())
    profit = pc.subtract(d, 1.0)
    plus = pc.multiply(profit, 100.0)
    minus = pc.negate(pc.divide(100.0, profit))
    out = pc.if_else(pc.greater_equal(d, 2.0), plus, minus)
    return pc.round(out, 0)


def scraped_count(wh: Warehouse, day: dt.date) -> int:
    """Usable scraped quotes of a date (what the scraped sources hold for the partition)."""
    n = 0
    for table in SCRAPED:
        if wh.has_table(table):
            got = wh.rows(SCRAPED_COUNT.format(table=table), {"d": day})
            n += int(got[0][0]) if got else 0
    return n


def scraped_lines(wh: Warehouse, dates: Sequence[dt.date], schema: pa.Schema) -> pa.Table:
    """The usable scraped quotes of `dates` in the canonical shape (`schema`), primary lines marked.

    Args:
        wh: the warehouse holding the scraped raw tables (absent ones are skipped).
        dates: the partitions being built.
        schema: the canonical table's Arrow schema.
    """
    days = set(dates)
    parts = []
    for table in SCRAPED:
        if not days or not wh.has_table(table):
            continue
        t = wh.query(SCRAPED_QUOTES.format(table=table), {"lo": min(days), "hi": max(days)})
        if t.num_rows:
            parts.append(t.filter(pc.is_in(pc.cast(t.column("game_date"), pa.date32()),
                                           pa.array(sorted(days), pa.date32()))))  # fmt: skip
    rows = pa.concat_tables(parts, promote_options="permissive") if parts else None
    if rows is None or rows.num_rows == 0:
        return schema.empty_table()
    code = rows.column("game_code")
    # 20240124_PHX_DAL -> 2024-01-24_PHX@DAL
    key = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(code, 0, 4), "-", pc.utf8_slice_codeunits(code, 4, 6), "-",
        pc.utf8_slice_codeunits(code, 6, 8), "_",
        pc.replace_substring(pc.utf8_slice_codeunits(code, 9, 20), "_", "@"), "",
    )  # fmt: skip
    snap = rows.column("snapshot_time")
    out = {
        "game_date": rows.column("game_date"),
        "game_code": code,
        "game_key": key,
        "event_id": rows.column("event_id"),
        "game_time_utc": rows.column("commence_time"),
        "player_name": rows.column("player_name"),
        "player_lookup": rows.column("player_lookup"),
        "player_id": pc.cast(rows.column("nba_player_id"), pa.int64()),
        "market": rows.column("market"),
        "bookmaker": rows.column("bookmaker"),
        "line": rows.column("line"),
        "over_odds": american(rows.column("over_price")),
        "under_odds": american(rows.column("under_price")),
        "snapshot": pa.array([_label(x) for x in snap.to_pylist()], pa.string()),
        "snapshot_time": snap,
        "source": rows.column("source"),
    }
    t = pa.table({f.name: out[f.name] for f in schema if f.name in out})
    t = mark_primary(t, over=rows.column("over_price"), under=rows.column("under_price"))
    return pa.table({f.name: pc.cast(t.column(f.name), f.type) for f in schema}, schema=schema)


def _label(at: dt.datetime | None) -> str | None:
    """A snapshot's label: its UTC time in ISO form, to the microsecond when it has one
    (``2024-01-25T03:55:40Z``; a live fetch ``2024-01-25T03:55:40.123456Z``)."""
    if at is None:
        return None
    at = at.astimezone(dt.UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if at.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def mark_primary(t: pa.Table, *, over: pa.ChunkedArray, under: pa.ChunkedArray) -> pa.Table:
    """`t` with ``is_primary_line``: per (player, game, market, book, snapshot) (a player has one
    game a date: the archive's rule), the line whose implied probabilities (1 / decimal price)
    are closest; ties go to the lower line."""
    gap = pc.abs(pc.subtract(pc.divide(1.0, over), pc.divide(1.0, under)))
    player = pc.coalesce(t.column("player_lookup"), t.column("player_name"))
    cols = (
        player,
        t.column("game_code"),
        t.column("market"),
        t.column("bookmaker"),
        t.column("snapshot_time"),
    )
    groups = list(zip(*(c.to_pylist() for c in cols), strict=True))
    ranks = list(zip(gap.to_pylist(), t.column("line").to_pylist(), strict=True))
    best: dict[tuple[object, ...], int] = {}
    for i, g in enumerate(groups):
        j = best.get(g)
        if j is None or _rank(ranks[i]) < _rank(ranks[j]):
            best[g] = i
    primary = [False] * t.num_rows
    for i in best.values():
        primary[i] = True
    return t.append_column("is_primary_line", pa.array(primary, pa.bool_()))


def _rank(r: tuple[float | None, float | None]) -> tuple[int, float, int, float]:
    gap, line = r
    return (gap is None, gap or 0.0, line is None, line or 0.0)


def merge(archive: pa.Table, scraped: pa.Table) -> pa.Table:
    """The archive's rows and the scraped ones, by priority per (game, market, bookmaker).

    The archive's rows are kept as read (same values, same order) for every (game, market,
    book) no scraped quote serves; with nothing scraped the archive's table is returned as is.
    """
    if scraped.num_rows == 0:
        return archive
    served = set(_triples(scraped))
    keep = pa.array([k not in served for k in _triples(archive)], pa.bool_())
    return pa.concat_tables([archive.filter(keep), scraped.select(archive.column_names).cast(archive.schema)])


def _triples(t: pa.Table) -> list[tuple[object, object, object]]:
    cols = (
        t.column("game_code").to_pylist(),
        t.column("market").to_pylist(),
        t.column("bookmaker").to_pylist(),
    )
    return list(zip(*cols, strict=True))
