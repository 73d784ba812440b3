"""The canonical player box scores: every source, one row per player and game.

Sources, by declared priority (`BOX_SOURCES`): NBA.com's per-game box score
(``raw_nbac_team_boxscores``, boxscoretraditionalv2, source ``nbac_boxscore``), NBA.com's game
log of the date (``raw_nbac_player_boxscores``, leaguegamelog, ``nbac``), balldontlie
(``raw_bdl_player_boxscores``), then the public archive (history and backfills).  The NBA.com
gamebook is not a stats source here: its parser reads the DNP/DND/NWT and inactive lines only
(the one recorded gamebook does not decode, so a stat-line parser could not be checked on a
real page); its statuses feed ``player_availability``, after the fact.  Each game is served by the first source that has played
rows for it (**fallback per game**: a source that returns nothing for a game hands it to the
next); within a served game, a field the serving source leaves NULL is taken from the next
source that lists the same player in the same game (**priority per field**, `FILLED_FIELDS`:
the archive's offensive/defensive rebounds and plus-minus complete a scraped row).  The
``source`` column says which source served each row.

Every row resolves to one NBA.com person id: the player registry at parse time, else the one id
the name (without accents, punctuation or suffix: "Jimmy Butler" is "Jimmy Butler III") played
under in the archive's season.  A name neither knows waits in the registry queue
(``player_unresolved``).  A source whose game has such a name *with points* cannot serve that
game (its team would add up short of the final score, which the write-time audit refuses): the
next source serves it, or, when none can, the game is held back until the name is resolved.
The date's other games load (the coverage gate lets a date through at 90 %), so one unknown
name blocks only its own game; ``validate`` reports the date as ``partial`` meanwhile.  A
scoreless unresolved row is left out and its game loads.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.pipeline.contract import Context, ExternalFingerprint
from nbaprops.storage.queries.canonical import SCRAPED_BOX_COUNT, SCRAPED_BOX_ROWS

__all__ = [
    "ARCHIVE",
    "BOX_SOURCES",
    "FILLED_FIELDS",
    "BoxSource",
    "merge_boxscores",
    "name_norm",
    "scraped_rows",
    "with_scraped_rows",
]


@dataclass(frozen=True)
class BoxSource:
    """One source of player box scores."""

    name: str
    """The value of the canonical ``source`` column."""
    table: str | None
    """The raw table it is parsed into (None: the public archive, read from its file)."""


ARCHIVE = BoxSource("public_archive", None)
BOX_SOURCES: tuple[BoxSource, ...] = (
    BoxSource("nbac_boxscore", "raw_nbac_team_boxscores"),
    BoxSource("nbac", "raw_nbac_player_boxscores"),
    BoxSource("bdl", "raw_bdl_player_boxscores"),
    ARCHIVE,
)
"""Priority order: the first source with played rows for a game serves it."""

FILLED_FIELDS = ("oreb", "dreb", "plus_minus", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "reb", "pf", "tov")
"""Fields a lower-priority source may fill where the serving source has NULL."""

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}


def name_norm(name: str) -> str:
    """The archive's name key: ASCII, lowercase, no ``. ' ,``, ``-`` as a space, no suffix."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[.',]", "", s).replace("-", " ")
    return " ".join(w for w in s.split() if w not in _SUFFIXES)


def _window(days: Sequence[dt.date]) -> dict[str, Any]:
    return {"days": list(days), "lo": min(days), "hi": max(days)}


def scraped_rows(ctx: Context, days: Sequence[dt.date]) -> int:
    """Played rows the scraped sources hold for the dates (part of the external fingerprint)."""
    wh = ctx.warehouse
    return sum(
        int(wh.rows(SCRAPED_BOX_COUNT.format(table=s.table), _window(days))[0][0])
        for s in BOX_SOURCES
        if s.table is not None and wh.has_table(s.table)
    )


def with_scraped_rows(fingerprint: ExternalFingerprint, ctx: Context) -> ExternalFingerprint:
    """The archive's fingerprint plus what the scraped sources hold: zero only when none has rows."""
    n = scraped_rows(ctx, [ctx.date]) if ctx.partition.column == "game_date" else 0
    return ExternalFingerprint(f"{fingerprint.digest}|scraped:{n}", fingerprint.rows + n)


def _derived(row: dict[str, Any]) -> dict[str, Any]:
    """Fields the archive carries that a scraped row can compute."""
    counts = [row.get(k) for k in ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta")]
    row["has_shooting_counts"] = all(c is not None for c in counts)
    for pct, made, att in (("fg_pct", "fgm", "fga"), ("fg3_pct", "fg3m", "fg3a"), ("ft_pct", "ftm", "fta")):
        m, a = row.get(made), row.get(att)
        row[pct] = (m / a if a else 0.0) if m is not None and a is not None else None
    row["player_name_norm"] = name_norm(row["player_name"] or "")
    return row


def merge_boxscores(ctx: Context, days: Sequence[dt.date], archive: pa.Table) -> pa.Table:
    """The canonical rows of the dates from the scraped sources and the archive's rows.

    Args:
        ctx: any context of the batch (warehouse, public data).
        days: the dates being built.
        archive: the archive's rows of the dates, already in the canonical columns.
    """
    schema = archive.schema.append(pa.field("source", pa.string()))
    tagged = archive.append_column("source", pa.array([ARCHIVE.name] * archive.num_rows, pa.string()))
    wh = ctx.warehouse
    scraped: dict[str, list[dict[str, Any]]] = {}
    for s in BOX_SOURCES:
        if s.table is not None and wh.has_table(s.table):
            got = wh.query(SCRAPED_BOX_ROWS.format(table=s.table), _window(days)).to_pylist()
            if got:
                scraped[s.name] = got
    if not scraped:
        return tagged  # the archive alone: its rows as they are
    known = _archive_ids(ctx, max(days))
    by_source: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
    pending: set[tuple[str, str]] = set()  # (source, game) with a scorer whose name is unresolved
    for name, rows in scraped.items():
        for r in rows:
            pid = (
                r["player_id"] if r["player_id"] is not None else known.get(name_norm(r["player_name"] or ""))
            )
            if pid is None:  # unresolved: in the registry queue, never guessed
                if r["pts"]:
                    pending.add((name, r["game_code"]))
                continue
            r["player_id"] = pid
            r["source"] = name
            by_source.setdefault(name, {}).setdefault(r["game_code"], {})[pid] = _derived(r)
    for r in tagged.to_pylist():
        by_source.setdefault(ARCHIVE.name, {}).setdefault(r["game_code"], {})[r["player_id"]] = r
    out = []
    for game in sorted({g for games in by_source.values() for g in games}):
        order = [s.name for s in BOX_SOURCES if game in by_source.get(s.name, {})]
        complete = [n for n in order if (n, game) not in pending]
        if not complete:
            continue  # held back until the name resolves: a team's points never go in short
        serving, fallbacks = complete[0], [n for n in order if n != complete[0]]
        for pid, row in by_source[serving][game].items():
            merged = {f.name: row.get(f.name) for f in schema}
            for field in FILLED_FIELDS:
                for other in fallbacks:
                    if merged[field] is not None:
                        break
                    merged[field] = by_source[other][game].get(pid, {}).get(field)
            out.append(merged)
    return pa.Table.from_pylist(out, schema=schema)


def _archive_ids(ctx: Context, through: dt.date) -> dict[str, int]:
    """The archive's name key (`name_norm`: no accents, punctuation or suffix) -> the one NBA.com
    id that name played under in the season through a date; a key two players share is left out."""
    t = ctx.public_data().read_season("player_boxscores", ctx.calendar.season_of(through))
    t = t.filter(pc.less_equal(pc.cast(t.column("game_date"), pa.date32()), pa.scalar(through, pa.date32())))
    ids: dict[str, set[int]] = {}
    for key, pid in zip(
        t.column("player_name_norm").to_pylist(), t.column("player_id").to_pylist(), strict=True
    ):
        ids.setdefault(key, set()).add(pid)
    return {k: next(iter(v)) for k, v in ids.items() if len(v) == 1}
