"""Processor ``schedule``: the canonical game table, every game of a season from every source.

Sources, by declared priority (`SCHEDULE_SOURCES`): NBA.com's scoreboard of the date
(``raw_nbac_games``), NBA.com's season schedule (``raw_nbac_schedule``: the games still to come),
balldontlie (``raw_bdl_games``), ESPN's scoreboard (``raw_espn_games``), then the public archive
(``games.parquet``: history and backfills).  A game is one (date, pair of teams): sources that
disagree on which team was at home (neutral sites) still name one game.

* **Fallback per game**: a game the first source lacks comes from the next one that lists it.
* **Priority per field**: status and score come from the first source that calls the game
  final (a morning scrape that still says ``scheduled`` does not hide a final score another
  source has), else from the first source; that source *serves* the row (``source``) and gives
  its code, date and teams.  ``game_id`` and ``season_type`` are the first non-null value in
  priority order (NBA.com's ids name the type; the archive has ids up to 2024-25).
* Orientation: where the archive has the game, its code and home team stay (at neutral sites it
  chose the home team alphabetically, and its box scores carry that code); elsewhere the serving
  source's.  A source naming the other home team is recorded by ``source_disagreements``.
* Preseason and All-Star games are left out, as the archive leaves them out: the calendar's
  seasons start on opening night whichever source is present.

The table is per season while the scraped tables are per date: a season's build reads every
scraped row whose ``season`` is that season (``Input(..., "all")``: any scraped date changes the
input hash), never the dates of the run, so the rows do not depend on where a run starts.
With no scraped rows for the season the archive's rows are the table, as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw._public import external_for, load_public, with_game_code
from nbaprops.pipeline.raw.contracts import Where, conform
from nbaprops.pipeline.raw.schemas import SCHEDULE_CONTRACT, SCHEDULE_PUBLIC
from nbaprops.storage.queries.schedule import SCRAPED_GAMES, SCRAPED_GAMES_COUNT

__all__ = ["ARCHIVE", "SCHEDULE", "SCHEDULE_SOURCES", "GameSource", "game_of", "merge_schedule"]


@dataclass(frozen=True)
class GameSource:
    """One source of games."""

    name: str
    """The value of the canonical ``source`` column."""
    table: str | None
    """The raw table it is parsed into (None: the public archive, read from its file)."""


ARCHIVE = GameSource("public_archive", None)
SCHEDULE_SOURCES: tuple[GameSource, ...] = (
    GameSource("nbac", "raw_nbac_games"),
    GameSource("nbac_schedule", "raw_nbac_schedule"),
    GameSource("bdl", "raw_bdl_games"),
    GameSource("espn", "raw_espn_games"),
    ARCHIVE,
)
"""Priority order (see the module docstring)."""

LEFT_OUT = ("preseason", "all_star")
"""Season types the schedule does not hold (the archive has none of them)."""
FILLED = ("game_id", "season_type")
"""Fields taken from the first source that has them, whichever source serves the row."""


def game_of(row: dict[str, Any]) -> tuple[Any, frozenset[str]]:
    """A game's identity across sources: its date and its two teams (home or away)."""
    return row["game_date"], frozenset((row["home_team"], row["away_team"]))


def _scraped(ctx: Context, source: GameSource) -> list[dict[str, Any]]:
    wh = ctx.warehouse
    if source.table is None or not wh.has_table(source.table):
        return []
    rows = wh.query(SCRAPED_GAMES.format(table=source.table), {"season": ctx.season}).to_pylist()
    return [r for r in rows if r.get("season_type") not in LEFT_OUT]


def merge_schedule(by_source: dict[str, list[dict[str, Any]]], schema: pa.Schema) -> pa.Table:
    """The canonical rows from each source's rows (source name -> rows in the schedule's columns).

    Args:
        by_source: every source's rows of one season.
        schema: the output schema (the schedule's columns plus ``source``).
    """
    games: dict[tuple[Any, frozenset[str]], list[tuple[str, dict[str, Any]]]] = {}
    for s in SCHEDULE_SOURCES:
        for r in by_source.get(s.name, []):
            games.setdefault(game_of(r), []).append((s.name, r))
    out = []
    for listed in games.values():
        name, serving = next(((n, r) for n, r in listed if r["status"] == "final"), listed[0])
        row = {f.name: serving.get(f.name) for f in schema}
        for field in FILLED:
            row[field] = next((r[field] for _, r in listed if r.get(field) is not None), None)
        row["source"] = name
        archived = next((r for n, r in listed if n == ARCHIVE.name), None)
        if archived is not None and archived["home_team"] != row["home_team"]:
            # a neutral site the archive oriented alphabetically: its box scores use that code, so
            # the row keeps it (scores follow the teams); source_disagreements records home_away
            pts = {row["home_team"]: row["home_pts"], row["away_team"]: row["away_pts"]}
            for side in ("home", "away"):
                row[f"{side}_team"] = archived[f"{side}_team"]
                row[f"{side}_pts"] = pts[archived[f"{side}_team"]]
            row["game_code"] = archived["game_code"]
        row["game_key"] = f"{row['game_date']}_{row['away_team']}@{row['home_team']}"
        if archived is not None:
            row["home_away_ambiguous"] = archived["home_away_ambiguous"]
        else:
            row["home_away_ambiguous"] = False  # the scraped sources name the home team
        out.append(row)
    out.sort(key=lambda r: (r["game_date"], r["game_code"]))
    return pa.Table.from_pylist(out, schema=schema)


def _archive(ctx: Context) -> pa.Table:
    data = ctx.public_data()
    return load_public(
        data.read_season("games", ctx.season),
        SCHEDULE_CONTRACT,
        data,
        "games",
        derive=with_game_code,
        derived=("game_code",),
        file_key=("game_key",),
    )


def build(ctx: Context) -> pa.Table:
    """One season's games from every source, checked against the contract.

    Raises:
        DataError: the archive's or the merged rows break their contract (nothing is written).
    """
    archive = _archive(ctx)
    schema = SCHEDULE_PUBLIC.schema
    scraped = {s.name: rows for s in SCHEDULE_SOURCES if (rows := _scraped(ctx, s))}
    if not scraped:  # the archive alone: its rows as they are
        tagged = archive.append_column("source", pa.array([ARCHIVE.name] * archive.num_rows, pa.string()))
        return conform(tagged.select(schema.names), SCHEDULE_PUBLIC, Where(f"the schedule of {ctx.season}"))
    merged = merge_schedule({**scraped, ARCHIVE.name: archive.to_pylist()}, schema)
    return conform(merged, SCHEDULE_PUBLIC, Where(f"the merged schedule of {ctx.season}"))


_archive_fingerprint = external_for("games")


def _external(ctx: Context) -> ExternalFingerprint:
    """The archive's fingerprint plus how many scraped rows the season has (zero only when no
    source has a game)."""
    fp = _archive_fingerprint(ctx)
    wh = ctx.warehouse
    n = sum(
        int(wh.rows(SCRAPED_GAMES_COUNT.format(table=s.table), {"season": ctx.season})[0][0])
        for s in SCHEDULE_SOURCES
        if s.table is not None and wh.has_table(s.table)
    )
    return ExternalFingerprint(f"{fp.digest}|scraped:{n}", fp.rows + n)


SCHEDULE = Processor(
    name="schedule",
    phase=2,
    output="schedule",
    partition="season",
    key=SCHEDULE_PUBLIC.key,
    description="Canonical schedule and final scores, one row per game: NBA.com, balldontlie, ESPN, "
    "then the public archive, per game.",
    inputs=tuple(Input(s.table, "all", optional=True) for s in SCHEDULE_SOURCES if s.table is not None),
    build=build,
    external=_external,
    per_game=False,
    calendar_source=True,
    merges_sources=tuple(s.name for s in SCHEDULE_SOURCES),
)
