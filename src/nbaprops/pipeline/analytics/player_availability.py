"""Processor ``player_availability``: who can play, per player and game, *as of* a timestamp.

Phase 3: built from parsed raw tables, not from payloads.  Two sources:

- the NBA.com injury report (``raw_nbac_injury_report``; every stored report is a snapshot,
  so a player listed at 12:30 PM and again at 5 PM has two rows, each with its ``as_of``);
- the NBA.com gamebook (``raw_nbac_gamebook``), **after the fact**: every player it lists as
  DNP, DND, NWT or inactive becomes an ``out`` row with the gamebook's reason ("DNP - Coach's
  Decision"), ``as_of`` the time the gamebook was fetched and ``after_game = true``.  A gamebook
  is published only once the game is over, so those rows say why a player did not play; they
  never inform a call: readers that decide before tip-off (``predictions``,
  ``upcoming_player_game_context``) read ``NOT after_game`` rows only.

Readers take, per player and game, the latest status whose ``as_of`` lies before their own
prediction time.  A date nobody scraped a report or a gamebook for has no rows: that is "not
known", never "available", and zero rows are expected (both are opt-in phase-1 scrapes; the
public archive has neither).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa

from nbaprops.core.errors import DataError
from nbaprops.core.ids import game_code, parse_game_code
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw.parsers._util import team_abbr
from nbaprops.pipeline.raw.players import ALIASES, INDEX, PlayerRegistry
from nbaprops.storage.queries.availability import (
    GAMEBOOK_COUNT,
    GAMEBOOK_ROWS,
    GAMEBOOK_TEAMS,
    INJURY_REPORT_COUNT,
    INJURY_REPORT_ROWS,
    KNOWN_PLAYER_IDS,
    KNOWN_PLAYER_TEAMS,
)

__all__ = ["AVAILABILITY_SCHEMA", "PLAYER_AVAILABILITY", "STATUSES"]

SOURCE = "nbac_injury_report"
INJURY_TABLE = "raw_nbac_injury_report"
GAMEBOOK_SOURCE = "nbac_gamebook"
GAMEBOOK_TABLE = "raw_nbac_gamebook"
NBAC_BOX_TABLE = "raw_nbac_team_boxscores"
BOX_TABLE = "raw_player_boxscores"
ET = ZoneInfo("America/New_York")
STATUSES = ("out", "doubtful", "questionable", "probable", "available")
"""Statuses in the order of how unlikely the player is to play."""

AVAILABILITY_SCHEMA = pa.schema(
    [
        ("game_date", pa.date32()),
        ("game_code", pa.string()),
        ("team", pa.string()),  # NBA.com tricode
        ("player_id", pa.int64()),  # NBA.com person id (NULL: the registry could not resolve the name)
        ("player_lookup", pa.string()),
        ("player_name", pa.string()),
        ("status", pa.string()),  # one of STATUSES
        ("reason", pa.string()),
        ("as_of", pa.timestamp("us", tz="UTC")),  # when the source published this status
        ("source", pa.string()),
        ("after_game", pa.bool_()),  # published after the game (gamebook): never read for a call
    ]
)


def _as_of(label: str) -> dt.datetime:
    """The report's publication time ("01/04/24 12:30 PM", US/Eastern) in UTC."""
    try:
        local = dt.datetime.strptime(label.strip(), "%m/%d/%y %I:%M %p")
    except ValueError:
        raise DataError(f"{INJURY_TABLE}: report_label {label!r} is not 'MM/DD/YY HH:MM AM'") from None
    return local.replace(tzinfo=ET).astimezone(dt.UTC)


def _status(value: str, player: str) -> str:
    s = value.strip().lower()
    if s not in STATUSES:
        raise DataError(f"{INJURY_TABLE}: status {value!r} of {player} is not one of {', '.join(STATUSES)}")
    return s


def build(ctx: Context) -> pa.Table:
    """One date's availability rows from every stored injury report and gamebook of that date.

    Names resolve through the player registry (source ``nbac``); a name it does not know
    takes the id it last played under in ``raw_player_boxscores`` before the date, and one
    that never played stays NULL (listed, counted as missing for its team, never guessed).
    """
    registry = PlayerRegistry(ctx.warehouse)
    rows = [*_injury_rows(ctx, registry), *_gamebook_rows(ctx, registry)]
    unknown = sorted({r["player_lookup"] for r in rows if r["player_id"] is None and r["player_lookup"]})
    if unknown and ctx.warehouse.has_table(BOX_TABLE):
        known = dict(ctx.warehouse.rows(KNOWN_PLAYER_IDS, {"d": ctx.date, "names": unknown}))
        for r in rows:
            if r["player_id"] is None:
                r["player_id"] = known.get(r["player_lookup"])
    return pa.Table.from_pylist(rows, schema=AVAILABILITY_SCHEMA)


def _injury_rows(ctx: Context, registry: PlayerRegistry) -> list[dict[str, Any]]:
    if not ctx.warehouse.has_table(INJURY_TABLE):
        return []
    rows = []
    for label, day, matchup, team, name, _lk, status, reason in ctx.warehouse.rows(
        INJURY_REPORT_ROWS, {"d": ctx.date}
    ):
        away, _, home = str(matchup).partition("@")
        who = registry.resolve("nbac", name)
        rows.append(
            {
                "game_date": day,
                "game_code": game_code(
                    day, team_abbr(SOURCE, away, "matchup"), team_abbr(SOURCE, home, "matchup")
                ),
                "team": team_abbr(SOURCE, str(team), "team"),
                "player_id": int(who.nba_player_id) if who.nba_player_id else None,
                "player_lookup": who.player_lookup,
                "player_name": name,
                "status": _status(str(status), str(name)),
                "reason": reason,
                "as_of": _as_of(str(label)),
                "source": SOURCE,
                "after_game": False,
            }
        )
    return rows


def _gamebook_rows(ctx: Context, registry: PlayerRegistry) -> list[dict[str, Any]]:
    """The gamebook's DNP/DND/NWT/inactive players of the date: ``out``, after the game.

    The team is the one the game's NBA.com box score lists the name under, else the team the
    player last played for (when it is one of the game's two); the gamebook prints neither.

    Raises:
        DataError: a gamebook row without the time it was fetched (its ``as_of``).
    """
    wh = ctx.warehouse
    if not wh.has_table(GAMEBOOK_TABLE):
        return []
    listed = wh.rows(GAMEBOOK_ROWS, {"d": ctx.date})
    names = sorted({str(r[2]) for r in listed if r[2]})
    on_box: dict[tuple[str, str], tuple[str, str | None]] = {}
    if names and wh.has_table(NBAC_BOX_TABLE):
        on_box = {
            (str(g), str(lk)): (str(t), pid)
            for g, lk, t, pid in wh.rows(GAMEBOOK_TEAMS, {"d": ctx.date, "names": names})
        }
    last: dict[str, str] = {}
    if names and wh.has_table(BOX_TABLE):
        last = {str(lk): str(t) for lk, t in wh.rows(KNOWN_PLAYER_TEAMS, {"d": ctx.date, "names": names})}
    rows = []
    for code, name, lk, status, reason, fetched_at in listed:
        if fetched_at is None:
            raise DataError(f"{GAMEBOOK_TABLE}: {name} of {code} has no fetched_at (the gamebook's as_of)")
        who = registry.resolve("nbac", name)
        team, box_id = on_box.get((str(code), str(who.player_lookup or lk)), (None, None))
        if team is None:
            _day, away, home = parse_game_code(str(code))
            team = last.get(str(who.player_lookup or lk))
            team = team if team in (away, home) else None
        pid = who.nba_player_id or box_id
        printed = "Inactive" if status == "inactive" else str(status).upper()
        rows.append(
            {
                "game_date": ctx.date,
                "game_code": code,
                "team": team,
                "player_id": int(pid) if pid else None,
                "player_lookup": who.player_lookup or lk,
                "player_name": name,
                "status": "out",
                "reason": f"{printed} - {reason}" if reason else printed,
                "as_of": fetched_at,
                "source": GAMEBOOK_SOURCE,
                "after_game": True,
            }
        )
    return rows


def build_many(ctxs: list[Context]) -> pa.Table:
    """Many dates at once (a batch): nothing to read without an injury-report or gamebook table."""
    if not ctxs or not any(ctxs[0].warehouse.has_table(t) for t in (INJURY_TABLE, GAMEBOOK_TABLE)):
        return AVAILABILITY_SCHEMA.empty_table()
    return pa.concat_tables([build(c) for c in ctxs])


def _reported(ctx: Context) -> ExternalFingerprint:
    """How many injury-report and gamebook rows exist for the date: 0 makes zero output right."""
    n = [
        int(ctx.warehouse.rows(sql, {"d": ctx.date})[0][0]) if ctx.warehouse.has_table(table) else 0
        for table, sql in ((INJURY_TABLE, INJURY_REPORT_COUNT), (GAMEBOOK_TABLE, GAMEBOOK_COUNT))
    ]
    digest = f"injury-report-rows:{n[0]}" + (f"|gamebook-rows:{n[1]}" if n[1] else "")
    return ExternalFingerprint(digest, sum(n))


PLAYER_AVAILABILITY = Processor(
    name="player_availability",
    phase=3,
    output="player_availability",
    partition="date",
    key=("game_code", "player_lookup", "as_of", "source"),
    description="Player status (out .. available) per game as of each injury report; gamebook DNPs after the game.",
    inputs=(
        Input(INJURY_TABLE, optional=True),
        Input(GAMEBOOK_TABLE, optional=True),
        Input(NBAC_BOX_TABLE, optional=True),
        Input(INDEX, "all", optional=True),
        Input(ALIASES, "all", optional=True),
        Input(BOX_TABLE, "before"),
    ),
    build=build,
    build_many=build_many,
    external=_reported,
    per_game=False,
)
