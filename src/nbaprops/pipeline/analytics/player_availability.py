"""Processor ``player_availability``: who can play, per player and game, *as of* a timestamp.

Phase 3: built from parsed raw tables, not from payloads.  Fed today by the NBA.com injury report (``raw_nbac_injury_report``; every
stored report is a snapshot, so a player listed at 12:30 PM and again at 5 PM has two rows,
each with its ``as_of``).  Readers take, per player and game, the latest status whose
``as_of`` lies before their own prediction time (``predictions``,
``upcoming_player_game_context``).

A date nobody scraped a report for has no rows: that is "not known", never "available", and
zero rows are expected (the report is an opt-in phase-1 scrape; the public archive has none).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow as pa

from nbaprops.core.errors import DataError
from nbaprops.core.ids import game_code
from nbaprops.pipeline.contract import Context, ExternalFingerprint, Input, Processor
from nbaprops.pipeline.raw.parsers._util import team_abbr
from nbaprops.pipeline.raw.players import ALIASES, INDEX, PlayerRegistry
from nbaprops.storage.queries.availability import INJURY_REPORT_COUNT, INJURY_REPORT_ROWS, KNOWN_PLAYER_IDS

__all__ = ["AVAILABILITY_SCHEMA", "PLAYER_AVAILABILITY", "STATUSES"]

SOURCE = "nbac_injury_report"
INJURY_TABLE = "raw_nbac_injury_report"
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
    """One date's availability rows from every stored injury report of that date.

    Names resolve through the player registry (source ``nbac``); a name it does not know
    takes the id it last played under in ``raw_player_boxscores`` before the date, and one
    that never played stays NULL (listed, counted as missing for its team, never guessed).
    """
    if not ctx.warehouse.has_table(INJURY_TABLE):
        return AVAILABILITY_SCHEMA.empty_table()
    registry = PlayerRegistry(ctx.warehouse)
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
            }
        )
    unknown = sorted({r["player_lookup"] for r in rows if r["player_id"] is None and r["player_lookup"]})
    if unknown and ctx.warehouse.has_table(BOX_TABLE):
        known = dict(ctx.warehouse.rows(KNOWN_PLAYER_IDS, {"d": ctx.date, "names": unknown}))
        for r in rows:
            if r["player_id"] is None:
                r["player_id"] = known.get(r["player_lookup"])
    return pa.Table.from_pylist(rows, schema=AVAILABILITY_SCHEMA)


def build_many(ctxs: list[Context]) -> pa.Table:
    """Many dates at once (a batch): nothing to read without an injury-report table."""
    if not ctxs or not ctxs[0].warehouse.has_table(INJURY_TABLE):
        return AVAILABILITY_SCHEMA.empty_table()
    return pa.concat_tables([build(c) for c in ctxs])


def _reported(ctx: Context) -> ExternalFingerprint:
    """How many injury-report rows exist for the date: 0 makes zero output the right answer."""
    n = (
        int(ctx.warehouse.rows(INJURY_REPORT_COUNT, {"d": ctx.date})[0][0])
        if ctx.warehouse.has_table(INJURY_TABLE)
        else 0
    )
    return ExternalFingerprint(f"injury-report-rows:{n}", n)


PLAYER_AVAILABILITY = Processor(
    name="player_availability",
    phase=3,
    output="player_availability",
    partition="date",
    key=("game_code", "player_lookup", "as_of", "source"),
    description="Player status (out .. available) per game as of each injury report (NBA.com).",
    inputs=(
        Input(INJURY_TABLE, optional=True),
        Input(INDEX, "all", optional=True),
        Input(ALIASES, "all", optional=True),
        Input(BOX_TABLE, "before"),
    ),
    build=build,
    build_many=build_many,
    external=_reported,
    per_game=False,
)
