"""Processor ``source_disagreements``: where the sources of a date disagree, one row each.

Per date, every source the canonical tables merge is compared (`consistency.disagreements`):
each schedule source's final score (and home team) against the canonical ``schedule`` row;
each box-score source's points summed per team (NBA.com, balldontlie, the archive) against
that final score; and each player's points across the box-score sources.  Nothing is averaged
away or corrected: the canonical tables keep their priority, this table says where the others
differ, and ``nbaprops validate`` shows it (class ``source_disagreement``).

Zero rows is the normal answer (the sources agree).  The external fingerprint counts the
disagreements the inputs hold, so an agreeing date is written once and then skipped; a recorded
disagreement that goes away (a source corrected) is cleared only with ``--force``, since the
runner never erases rows when the source says there is nothing.  Dates without a scraped row
are the archive against itself, computed once per season.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from nbaprops.core.ids import game_code_from_key
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw.canonical import BOX_SOURCES
from nbaprops.pipeline.raw.consistency import DISAGREEMENTS, disagreements
from nbaprops.pipeline.raw.schedule import ARCHIVE, SCHEDULE_SOURCES
from nbaprops.storage.queries.schedule import (
    BOX_OF_DATES,
    GAMES_OF_DATES,
    PARTITIONS_WITH_ROWS,
    SCHEDULE_OF_DATES,
)

__all__ = ["SOURCE_DISAGREEMENTS", "compare_dates"]

_BOX_COLUMNS = {
    "source",
    "game_code",
    "game_date",
    "team",
    "player_name",
    "player_lookup",
    "nba_player_id",
    "pts",
}
_GAME_FIELDS = ("game_code", "game_date", "home_team", "away_team", "home_pts", "away_pts", "status")


def _window(days: Sequence[dt.date]) -> dict[str, Any]:
    return {"days": list(days), "lo": min(days), "hi": max(days)}


def _scraped_tables(ctx: Context) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(source, table) of the scraped games and box-score tables present."""
    wh = ctx.warehouse
    games = [(s.name, s.table) for s in SCHEDULE_SOURCES if s.table is not None and wh.has_table(s.table)]
    boxes = [
        (s.name, s.table)
        for s in BOX_SOURCES
        if s.table is not None and wh.has_table(s.table) and set(wh.columns(s.table)) >= _BOX_COLUMNS
    ]
    return games, boxes


def _archive_games(t: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = t.select(["game_key", *_GAME_FIELDS[1:]]).to_pylist()
    for r in rows:
        r["game_code"] = game_code_from_key(r.pop("game_key"))
        r["game_date"] = _day(r["game_date"])
    return rows


def _archive_box(t: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = t.select(
        ["game_key", "game_date", "team", "player_name", "player_id", "pts"]
    ).to_pylist()
    for r in rows:
        r["game_code"] = game_code_from_key(r.pop("game_key"))
        r["game_date"] = _day(r["game_date"])
        r["player_lookup"] = None
    return rows


def _day(v: Any) -> dt.date:
    return v.date() if isinstance(v, dt.datetime) else v


_ARCHIVE_ALONE: dict[tuple[str, str, str], dict[dt.date, list[dict[str, Any]]]] = {}
"""(games digest, box digest, season) -> the archive's disagreements with itself, by date."""


def _archive_alone(ctx: Context, season: str) -> dict[dt.date, list[dict[str, Any]]]:
    """The archive against itself over a season (its box points summed per team vs its final
    scores), by date; computed once per content of the files, set-based."""
    data = ctx.public_data()
    key = (data.digest("games"), data.digest("player_boxscores"), season)
    if key not in _ARCHIVE_ALONE:
        box = data.read_season("player_boxscores", season)
        sums = box.group_by(["game_key", "team"]).aggregate([("pts", "sum")])
        games = data.read_season("games", season).filter(pc.equal(pc.field("status"), "final"))
        sides = pa.concat_tables(
            [
                pa.table(
                    {
                        "game_key": games["game_key"],
                        "game_date": games["game_date"],
                        "team": games[f"{side}_team"],
                        "score": games[f"{side}_pts"],
                    }
                )
                for side in ("home", "away")
            ]
        )
        both = sums.join(sides, ["game_key", "team"], join_type="inner")
        bad = both.filter(pc.not_equal(both["pts_sum"], both["score"])).to_pylist()
        by_date: dict[dt.date, list[dict[str, Any]]] = {}
        for r in sorted(bad, key=lambda r: (r["game_key"], r["team"])):
            day = _day(r["game_date"])
            by_date.setdefault(day, []).append(
                {
                    "game_date": day,
                    "game_code": game_code_from_key(r["game_key"]),
                    "check": "team_points",
                    "subject": r["team"],
                    "source": ARCHIVE.name,
                    "value": r["pts_sum"],
                    "reference_source": f"schedule:{ARCHIVE.name}",
                    "reference_value": r["score"],
                }
            )
        _ARCHIVE_ALONE[key] = by_date
    return _ARCHIVE_ALONE[key]


_SCRAPED = [
    *(s.table for s in SCHEDULE_SOURCES if s.table is not None),
    *(s.table for s in BOX_SOURCES if s.table is not None),
]


def _has_scraped(ctx: Context, days: Sequence[dt.date]) -> bool:
    """Whether any scraped games or box-score table holds rows on the dates (the catalog)."""
    if not ctx.warehouse.has_table("ops_partitions"):
        return False
    keys = [d.isoformat() for d in days] + [ctx.season]  # a season-partitioned source too
    return bool(ctx.warehouse.rows(PARTITIONS_WITH_ROWS, {"tables": _SCRAPED, "keys": keys})[0][0])


def compare_dates(ctx: Context, days: Sequence[dt.date]) -> list[dict[str, Any]]:
    """Every disagreement of the dates (rows of `DISAGREEMENTS`).

    Args:
        ctx: a context of the dates' season (warehouse, public data).
        days: the dates, all of one season.
    """
    data = ctx.public_data()
    if not _has_scraped(ctx, days):
        alone = _archive_alone(ctx, ctx.season)
        return [r for d in days for r in alone.get(d, [])]
    wh, window = ctx.warehouse, _window(days)
    canonical = wh.query(SCHEDULE_OF_DATES, window).to_pylist() if wh.has_table("schedule") else []
    games_src, box_src = _scraped_tables(ctx)
    games = {n: wh.query(GAMES_OF_DATES.format(table=t), window).to_pylist() for n, t in games_src}
    games[ARCHIVE.name] = _archive_games(data.read_dates("games", list(days)))
    boxes = {n: wh.query(BOX_OF_DATES.format(table=t), window).to_pylist() for n, t in box_src}
    boxes[ARCHIVE.name] = _archive_box(data.read_dates("player_boxscores", list(days)))
    return disagreements(canonical, games, boxes)


def build(ctx: Context) -> pa.Table:
    """One date's disagreements."""
    return pa.Table.from_pylist(compare_dates(ctx, [ctx.date]), schema=DISAGREEMENTS)


def build_many(ctxs: list[Context]) -> pa.Table:
    """Many dates of one season at once."""
    return pa.Table.from_pylist(compare_dates(ctxs[0], [c.date for c in ctxs]), schema=DISAGREEMENTS)


def _external(ctx: Context) -> ExternalFingerprint:
    """The disagreements the inputs hold now: zero rows is then the right answer."""
    found = compare_dates(ctx, [ctx.date])
    digest = hashlib.sha256(repr(found).encode()).hexdigest()[:16]
    return ExternalFingerprint(f"disagreements:{digest}", len(found))


SOURCE_DISAGREEMENTS = Processor(
    name="source_disagreements",
    phase=2,
    output="source_disagreements",
    partition="date",
    key=("game_code", "check", "subject", "source"),
    description="Where the sources disagree: final scores per schedule source, team points vs the "
    "final score, player points across box-score sources (one row each).",
    inputs=(
        Input("schedule"),
        *(Input(s.table, optional=True) for s in SCHEDULE_SOURCES if s.table is not None),
        *(Input(s.table, optional=True) for s in BOX_SOURCES if s.table is not None),
    ),
    build=build,
    build_many=build_many,
    external=_external,
    per_game=False,
    reports_disagreements=True,
)
