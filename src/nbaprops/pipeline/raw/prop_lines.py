"""Processor ``raw_prop_lines``: sportsbook player-prop lines for one date, every market.

The public archive serves them from two files: ``props_points.parquet`` (points) and,
when the folder has it, ``props_other_markets.parquet`` (rebounds, assists, threes, PRA,
blocks, steals, double-double, triple-double).  Every row says its ``market`` (The Odds
API's name) and ``source``; ``snapshot_time`` is the snapshot's UTC time where the
source's label carries a time zone (the archive's daily ``YYYYMMDD_HHMMSS`` labels do
not, so their time is NULL rather than guessed).

The scraped quotes (`nbaprops.pipeline.raw.line_sources`: The Odds API, live and historical,
every snapshot with its time) come first, per game, market and bookmaker; the archive serves
what they lack, so a date absent from the archive is served by the scrape alone.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw._public import load_public, public_span, with_game_code, with_player_lookup
from nbaprops.pipeline.raw.contracts import Where, conform
from nbaprops.pipeline.raw.line_sources import SCRAPED, merge, scraped_count, scraped_lines
from nbaprops.pipeline.raw.schemas import PROP_LINES_PUBLIC
from nbaprops.sources.public_data import PublicData

__all__ = ["LINE_FILES", "RAW_PROP_LINES"]

LINE_FILES = ("props_points", "props_other_markets")
"""The archive's line files, in order; the second is optional."""

ARCHIVE = "public_archive"


def build(ctx: Context) -> pa.Table:
    """One date's lines from the public archive (``player_id``: the id the archive matched the name to)."""
    return build_many([ctx])


def build_many(ctxs: list[Context]) -> pa.Table:
    """Several dates' lines at once (a backfill batch), checked against the contract.

    Raises:
        DataError: the rows break `PROP_LINES_PUBLIC` (nothing is written).
    """
    data = ctxs[0].public_data()
    days = [c.date for c in ctxs]
    parts = [
        load_public(
            _archive_columns(data.read_dates(file, days)),
            PROP_LINES_PUBLIC,
            data,
            file,
            derive=_derive,
            derived=("game_code", "player_lookup", "snapshot_time", "source"),
            file_key=("game_key", "market", "player_name", "bookmaker", "line", "snapshot"),
        )
        for file in _present(data)
    ]
    archive = pa.concat_tables(parts) if parts else PROP_LINES_PUBLIC.schema.empty_table()
    scraped = scraped_lines(ctxs[0].warehouse, days, PROP_LINES_PUBLIC.schema)
    if scraped.num_rows == 0:
        return archive
    merged = merge(archive, scraped)
    return conform(merged, PROP_LINES_PUBLIC, Where(f"raw_prop_lines of {min(days)}..{max(days)}"))


def _present(data: PublicData) -> list[str]:
    return [f for f in LINE_FILES if data.has(f)]


def _archive_columns(t: pa.Table) -> pa.Table:
    """The file's columns under the table's names (its free-text ``source`` is not ours)."""
    t = t.drop_columns([c for c in ("source",) if c in t.column_names])
    return t.rename_columns(["player_id" if c == "matched_player_id" else c for c in t.column_names])


def _derive(t: pa.Table) -> pa.Table:
    t = with_player_lookup(with_game_code(t))
    t = t.append_column("snapshot_time", _snapshot_times(t.column("snapshot")))
    t = t.append_column("source", pa.array([ARCHIVE] * t.num_rows, pa.string()))
    return _first_per_key(t)


def _snapshot_times(labels: pa.ChunkedArray) -> pa.Array:
    """UTC times of ISO labels ending in ``Z``; NULL for labels without a zone (or none)."""
    naive = pc.strptime(labels, format="%Y-%m-%dT%H:%M:%SZ", unit="us", error_is_null=True)
    return pc.assume_timezone(naive, "UTC")


def _first_per_key(t: pa.Table) -> pa.Table:
    """One row per key: the archive repeats some rows verbatim (823 PRA rows of 2023-25).

    The primary line wins a tie, then the first in file order, so the choice is stable.
    """
    key = list(PROP_LINES_PUBLIC.key)
    n = t.num_rows
    t = t.append_column("_row", pa.array(range(n), pa.int64()))
    order = t.sort_by([("is_primary_line", "descending"), ("_row", "ascending")])
    firsts = order.group_by(key, use_threads=False).aggregate([("_row", "first")])
    if firsts.num_rows == n:
        return t.drop_columns(["_row"])
    keep = pc.sort_indices(firsts.column("_row_first"))
    rows = pc.take(firsts.column("_row_first"), keep)
    return t.take(rows).drop_columns(["_row"])


def _fingerprint(ctx: Context) -> ExternalFingerprint:
    data = ctx.public_data()
    parts = [(f, *data.fingerprint(f, ctx.partition.column, ctx.partition.key)) for f in _present(data)]
    rows = sum(n for *_, n in parts)
    if rows == 0 and ctx.partition.column == "game_date":
        # the scraped tables are inputs (their digests are in the input hash); on a date the
        # archive lacks, their rows are the source's, so a date only the scrape serves is never
        # taken for one whose source lost its rows (asked only then: dates with archive lines
        # pay nothing)
        rows = scraped_count(ctx.warehouse, ctx.date)
    return ExternalFingerprint("|".join(f"{f}:{digest}" for f, digest, _ in parts), rows)


def _coverage(ctx: Context) -> tuple[dt.date, dt.date] | None:
    data = ctx.public_data()
    spans = [s for f in _present(data) if (s := public_span(data, f)) is not None]
    return (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None


RAW_PROP_LINES = Processor(
    name="raw_prop_lines",
    phase=2,
    output="raw_prop_lines",
    partition="date",
    key=PROP_LINES_PUBLIC.key,
    description=(
        "Player prop lines of every market, book, alternate and snapshot, with their source: the "
        "scraped Odds API quotes (live and historical) first, the public archive (props_points.parquet, "
        "props_other_markets.parquet) per game, market and book they lack."
    ),
    inputs=(Input("schedule", "season"), *(Input(t, optional=True) for t in SCRAPED)),
    build=build,
    build_many=build_many,
    external=_fingerprint,
    source_coverage=_coverage,
)
