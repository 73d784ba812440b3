"""Every raw table's declared contract (columns, Arrow types, nullability, ranges, keys), in one place.

Parsers produce exactly the family schemas (column order included), so a raw
table looks the same whichever source filled it; ``source`` says which.
The public-archive tables (``schedule``, ``raw_player_boxscores``,
``raw_prop_lines``) keep the archive's own columns and types.  Times are UTC;
``game_date`` is the US/Eastern game date.  `nbaprops.pipeline.raw.contracts`
says how a contract is enforced; a column must be declared here to be loaded.
"""

from __future__ import annotations

import pyarrow as pa

from nbaprops.pipeline.raw.contracts import Column, Contract, at_most, col, points_identity
from nbaprops.sources.odds_api import PLAYER_MARKETS

__all__ = [
    "CONTRACTS",
    "EVENTS",
    "GAMEBOOK",
    "GAMES",
    "GAME_LINES",
    "GAME_LINES_PUBLIC",
    "INJURIES",
    "INJURY_REPORT",
    "LINE_SOURCES",
    "MANIFEST",
    "MARKETS",
    "PLAYERS",
    "PLAYER_BOXSCORES",
    "PLAYER_BOXSCORES_ARCHIVE",
    "PLAYER_BOXSCORES_PUBLIC",
    "PLAY_BY_PLAY",
    "PROP_LINES",
    "PROP_LINES_PUBLIC",
    "PUBLIC",
    "SCHEDULE_CONTRACT",
    "SCHEDULE_PUBLIC",
    "SCHEMAS",
    "TEAMS",
]

TS = pa.timestamp("us", tz="UTC")
STR, I16, I32, I64, F32, F64 = pa.string(), pa.int16(), pa.int32(), pa.int64(), pa.float32(), pa.float64()
DATE, BOOL = pa.date32(), pa.bool_()

TEAMS = frozenset(
    [
        "ATL",
        "BKN",
        "BOS",
        "CHA",
        "CHI",
        "CLE",
        "DAL",
        "DEN",
        "DET",
        "GSW",
        "HOU",
        "IND",
        "LAC",
        "LAL",
        "MEM",
        "MIA",
        "MIL",
        "MIN",
        "NOP",
        "NYK",
        "OKC",
        "ORL",
        "PHI",
        "PHX",
        "POR",
        "SAC",
        "SAS",
        "TOR",
        "UTA",
        "WAS",
    ]
)
"""NBA.com abbreviations of the 30 teams (every raw table stores these)."""
SOURCES = frozenset({"nbac", "bdl", "espn", "odds_api", "bettingpros"})
GAME_STATUS = frozenset({"final", "scheduled", "in_progress"})
SEASON_TYPES = frozenset({"preseason", "regular", "all_star", "playoffs", "play_in", "cup_final"})
"""Game types (NBA.com game id's third digit, `core.ids.GAME_TYPES`); the schedule keeps all but
preseason and all_star games."""
TEAM = r"[A-Z]{2,4}"
"""Any team code (schedules also list exhibition opponents and All-Star teams)."""
CODE = r"\d{8}_[A-Z]{2,4}_[A-Z]{2,4}"
"""A game code, YYYYMMDD_AWAY_HOME."""
SEASON = r"\d{4}-\d{2}"
KEY = r"\d{4}-\d{2}-\d{2}_[A-Z]{2,4}@[A-Z]{2,4}"
"""The public archive's game key, YYYY-MM-DD_AWAY@HOME."""
ID = r"[0-9A-Za-z_.:\-]{1,64}"
"""An upstream identifier (digits for most sources, hex for The Odds API)."""
TEAM_PTS = (0, 250)
DECIMAL_ODDS = (1.0, 1001.0)

MANIFEST = pa.schema(
    [
        ("kind", STR),  # payload kind, e.g. nbac_scoreboard_v2
        ("source", STR),  # source profile, e.g. nbac_stats
        ("endpoint", STR),
        ("params", STR),  # JSON of the query parameters, never secrets
        ("game_date", DATE),  # the partition the payload was fetched for
        ("fetched_at", TS),
        ("status", I32),  # HTTP status of the successful attempt
        ("attempts", I32),
        ("bytes", I64),
        ("sha256", STR),
        ("path", STR),  # where the raw store keeps it
        ("empty", BOOL),  # a valid answer with nothing in it (no games that day)
    ]
)
"""One row per stored payload: written before anything is parsed."""


def _box(minutes: pa.DataType, count: pa.DataType, *, null_counts: bool) -> list[Column]:
    """The box-score stat columns shared by the payload family and the public archive."""
    n = null_counts
    return [
        col("minutes", minutes, range_=(0, 80)),
        col("pts", count, null=n, range_=(0, 100)),
        col("fgm", count, range_=(0, 40)),
        col("fga", count, range_=(0, 80)),
        col("fg3m", count, range_=(0, 30)),
        col("fg3a", count, range_=(0, 50)),
        col("ftm", count, range_=(0, 40)),
        col("fta", count, range_=(0, 50)),
        col("reb", count, null=n, range_=(0, 60)),
        col("ast", count, null=n, range_=(0, 40)),
        col("stl", count, null=n, range_=(0, 20)),
        col("blk", count, null=n, range_=(0, 20)),
        col("tov", count, null=n, range_=(0, 20)),
        col("pf", count, range_=(0, 10)),
    ]


BOX_RULES = (
    at_most("fgm", "fga"),
    at_most("fg3m", "fg3a"),
    at_most("ftm", "fta"),
    at_most("fg3m", "fgm"),
    at_most("fg3a", "fga"),
    points_identity(),
)
"""Row rules of every box-score table (they hold on every real row)."""

# --- payload families: raw_<source>_<kind> tables ------------------------------
GAMES_CONTRACT = Contract(
    "games",
    (
        col("source", STR, null=False, allowed=SOURCES),
        col("game_id", STR, pattern=ID),  # NBA.com 10-digit id when the source knows it
        col("source_game_id", STR, pattern=ID),
        col("game_code", STR, null=False, pattern=CODE),  # YYYYMMDD_AWAY_HOME
        col("game_date", DATE, null=False),
        col("season", STR, null=False, pattern=SEASON),  # 2024-25
        col("away_team", STR, null=False, pattern=TEAM),
        col("home_team", STR, null=False, pattern=TEAM),
        col("away_pts", I32, range_=TEAM_PTS),
        col("home_pts", I32, range_=TEAM_PTS),
        col("status", STR, null=False, allowed=GAME_STATUS),
        col("season_type", STR, allowed=SEASON_TYPES),  # as the payload says it (null: it does not)
    ),
    key=("source", "game_code"),
)

BOXSCORES_CONTRACT = Contract(
    "player_boxscores",
    (
        col("source", STR, null=False, allowed=SOURCES),
        col("game_id", STR, pattern=ID),
        col("source_game_id", STR, pattern=ID),
        col("game_code", STR, pattern=CODE),  # null where the payload names only one team (bdl /stats)
        col("game_date", DATE),  # null in per-game payloads until the processor fills the date
        col("team", STR, null=False, pattern=TEAM),
        col("source_player_id", STR, null=False, pattern=ID),
        col("player_name", STR, null=False),
        col("player_lookup", STR),
        col("nba_player_id", STR, pattern=ID),  # from the player registry (null: unresolved)
        *_box(F64, I32, null_counts=True),
        col("dnp_reason", STR),  # why a listed player did not play (null: played)
    ),
    key=("source", "source_game_id", "game_code", "source_player_id"),
    rules=BOX_RULES,
)

PLAY_BY_PLAY_CONTRACT = Contract(
    "play_by_play",
    (
        col("game_id", STR, null=False, pattern=ID),
        col("action_number", I32, null=False, range_=(0, 100_000)),
        col("period", I32, null=False, range_=(1, 20)),
        col("clock", STR),
        col("team", STR, pattern=TEAM),
        col("person_id", STR, pattern=ID),
        col("player_name", STR),
        col("action_type", STR, null=False),
        col("sub_type", STR),
        col("shot_result", STR),
        col("points", I32, null=False, range_=(0, 3)),  # points this action scored
        col("score_home", I32, null=False, range_=TEAM_PTS),
        col("score_away", I32, null=False, range_=TEAM_PTS),
        col("game_code", STR, pattern=CODE),  # null in the payload; filled from the date's scoreboard
        col("area", STR),  # shot zone as NBA.com names it ("Restricted Area", "Mid-Range", ...)
        col("shot_distance", F64, range_=(0, 100)),  # feet
    ),
    key=("game_id", "action_number"),
)

INJURY_REPORT_CONTRACT = Contract(
    "injury_report",
    (
        col("report_label", STR),  # as printed, e.g. "01/04/24 12:30 PM"
        col("game_date", DATE),
        col("game_time", STR),
        col("matchup", STR),  # AWAY@HOME
        col("team", STR),  # full team name as printed
        col("player_name", STR, null=False),  # "First Last"
        col("player_lookup", STR),
        col("status", STR, null=False, allowed=("Out", "Doubtful", "Questionable", "Probable", "Available")),
        col("reason", STR),
    ),
    key=("game_date", "matchup", "player_name"),
)

GAMEBOOK_CONTRACT = Contract(
    "gamebook",
    (
        col("game_code", STR),
        col("team", STR),
        col("player_name", STR, null=False),
        col("player_lookup", STR),
        col("status", STR, null=False, allowed=("played", "dnp", "dnd", "nwt", "inactive")),
        col("reason", STR),
        col("fetched_at", TS),  # when the payload was fetched (null in the payload; the manifest's)
    ),
    key=("game_code", "team", "player_name"),
)

INJURIES_CONTRACT = Contract(
    "injuries",
    (
        col("source", STR, null=False, allowed=SOURCES),
        col("source_player_id", STR, null=False, pattern=ID),
        col("player_name", STR, null=False),
        col("player_lookup", STR),
        col("source_team_id", STR),
        col("status", STR, null=False),
        col("return_date", STR),
        col("description", STR),
    ),
    key=("source", "source_player_id"),
)

PLAYERS_CONTRACT = Contract(
    "players",
    (
        col("source", STR, null=False, allowed=SOURCES),
        col("source_player_id", STR, null=False, pattern=ID),
        col("player_name", STR, null=False),
        col("player_lookup", STR),
        col("team", STR),  # the source's own code (free agents: null)
        col("nba_player_id", STR, pattern=ID),  # known directly only for NBA.com
    ),
    key=("source", "source_player_id"),
)

EVENTS_CONTRACT = Contract(
    "events",
    (
        col("source", STR, null=False, allowed=SOURCES),
        col("event_id", STR, null=False, pattern=ID),
        col("commence_time", TS, null=False),
        col("game_date", DATE, null=False),
        col("game_code", STR, null=False, pattern=CODE),
        col("away_team", STR, null=False, pattern=TEAM),
        col("home_team", STR, null=False, pattern=TEAM),
        col("status", STR),
    ),
    key=("source", "event_id"),
)

_QUOTE = (
    col("source", STR, null=False, allowed=SOURCES),
    col("event_id", STR, null=False, pattern=ID),
    col("game_code", STR, null=False, pattern=CODE),
    col("snapshot_time", TS, null=False),
    col("bookmaker", STR, null=False),
)
"""Leading columns of every sportsbook quote (prop lines, game lines)."""

PROP_LINES_CONTRACT = Contract(
    "prop_lines",
    (
        *_QUOTE,
        col("commence_time", TS),  # the event's tip-off (UTC)
        col("market", STR, null=False),
        col("player_name", STR, null=False),
        col("player_lookup", STR),
        col("nba_player_id", STR, pattern=ID),  # from the player registry (null: unresolved)
        col("line", F64, range_=(0, 100)),  # null: a Yes/No market (double-double, triple-double)
        col("over_price", F64, range_=DECIMAL_ODDS),  # decimal odds (null: not offered, or flagged)
        col("under_price", F64, range_=DECIMAL_ODDS),
        col("flag", STR),  # why the quote is unusable (bad price, line, book or market); null: usable
    ),
    key=("source", "event_id", "snapshot_time", "bookmaker", "market", "player_name", "line"),
)

GAME_LINES_CONTRACT = Contract(
    "game_lines",
    (
        *_QUOTE,
        col("market", STR, null=False, allowed=("h2h", "spreads", "totals")),
        col("outcome", STR, null=False),  # team abbreviation, or Over / Under
        col("point", F64, range_=(-100, 400)),
        col("price", F64, null=False, range_=DECIMAL_ODDS),
    ),
    key=("source", "event_id", "snapshot_time", "bookmaker", "market", "outcome"),
)

CONTRACTS: dict[str, Contract] = {
    c.table: c
    for c in (
        GAMES_CONTRACT,
        BOXSCORES_CONTRACT,
        PLAY_BY_PLAY_CONTRACT,
        INJURY_REPORT_CONTRACT,
        GAMEBOOK_CONTRACT,
        INJURIES_CONTRACT,
        PLAYERS_CONTRACT,
        EVENTS_CONTRACT,
        PROP_LINES_CONTRACT,
        GAME_LINES_CONTRACT,
    )
}
"""Contract by raw table family (parsers name theirs with these keys)."""

GAMES = GAMES_CONTRACT.schema
PLAYER_BOXSCORES = BOXSCORES_CONTRACT.schema
PLAY_BY_PLAY = PLAY_BY_PLAY_CONTRACT.schema
INJURY_REPORT = INJURY_REPORT_CONTRACT.schema
GAMEBOOK = GAMEBOOK_CONTRACT.schema
INJURIES = INJURIES_CONTRACT.schema
PLAYERS = PLAYERS_CONTRACT.schema
EVENTS = EVENTS_CONTRACT.schema
PROP_LINES = PROP_LINES_CONTRACT.schema
GAME_LINES = GAME_LINES_CONTRACT.schema

SCHEMAS: dict[str, pa.Schema] = {"manifest": MANIFEST, **{k: c.schema for k, c in CONTRACTS.items()}}
"""Arrow schema by raw table family."""

# --- the public archive (../shared/data/nba): the archive's own columns and types ---
SCHEDULE_CONTRACT = Contract(
    "schedule",
    (
        col("game_id", STR, pattern=ID),  # none for 2025-26 in the archive
        col("game_code", STR, null=False, pattern=CODE),
        col("game_key", STR, null=False, pattern=KEY),  # YYYY-MM-DD_AWAY@HOME
        col("game_date", DATE, null=False),
        col("season", STR, null=False, pattern=SEASON),
        col(
            "season_type",
            STR,
            null=False,
            allowed=("regular", "playoffs", "play_in", "cup_final", "preseason"),
        ),
        col("home_team", STR, null=False, allowed=TEAMS),
        col("away_team", STR, null=False, allowed=TEAMS),
        col("home_pts", I64, range_=TEAM_PTS),
        col("away_pts", I64, range_=TEAM_PTS),
        col("status", STR, null=False, allowed=GAME_STATUS),
        col("home_away_ambiguous", BOOL),
    ),
    key=("game_code",),
    partition_column="season",
    ignored=frozenset({"home_team_id", "away_team_id", "minutes", "source"}),
)

"""The archive's ``games.parquet`` rows, as read (before the sources are merged)."""

SCHEDULE_PUBLIC = Contract(
    "schedule",
    (
        *SCHEDULE_CONTRACT.columns,
        col(
            "source", STR, null=False, allowed=("nbac", "nbac_schedule", "bdl", "espn", "public_archive")
        ),  # who served the row
    ),
    key=SCHEDULE_CONTRACT.key,
    partition_column="season",
)
"""The canonical ``schedule`` table: the archive's columns plus ``source`` (`pipeline/raw/schedule.py`)."""

PLAYER_BOXSCORES_ARCHIVE = Contract(
    "raw_player_boxscores",
    (
        col("game_id", STR, pattern=ID),
        col("game_key", STR, null=False, pattern=KEY),
        col("game_date", DATE, null=False),
        col("season", STR, null=False, pattern=SEASON),
        col("season_type", STR, null=False, allowed=("regular", "playoffs", "play_in", "cup_final")),
        col("team", STR, null=False, allowed=TEAMS),
        col("opponent", STR, null=False, allowed=TEAMS),
        col("is_home", BOOL, null=False),
        col("home_away", STR, null=False, allowed=("home", "away")),
        col("player_id", I64, null=False, range_=(1, 99_999_999)),
        col("player_name", STR, null=False),
        col("player_name_norm", STR, null=False),
        col("team_result", STR, allowed=("W", "L")),
        *(
            c
            for c in _box(F32, I16, null_counts=False)
            if c.name in ("minutes", "pts", "reb", "ast", "stl", "blk", "tov")
        ),
        col("plus_minus", F32, range_=(-100, 100)),
        col("fg_pct", F32, range_=(0, 1)),
        col("fg3_pct", F32, range_=(0, 1)),
        col("ft_pct", F32, range_=(0, 1)),
        *(
            c
            for c in _box(F32, I16, null_counts=True)
            if c.name in ("fgm", "fga", "fg3m", "fg3a", "ftm", "fta")
        ),
        col("oreb", I16, range_=(0, 40)),
        col("dreb", I16, range_=(0, 40)),
        col("pf", I16, range_=(0, 10)),
        col("has_shooting_counts", BOOL, null=False),
        col("starter", BOOL),
        col("game_code", STR, null=False, pattern=CODE),
        col("player_lookup", STR),
    ),
    key=("game_code", "player_id"),
    rules=BOX_RULES,
    partition_column="game_date",
)
"""The archive's ``player_boxscores.parquet`` rows, as read (before the sources are merged)."""

PLAYER_BOXSCORES_PUBLIC = Contract(
    "raw_player_boxscores",
    (
        *PLAYER_BOXSCORES_ARCHIVE.columns,
        col(
            "source", STR, null=False, allowed=("nbac", "bdl", "public_archive", "nbac_boxscore")
        ),  # who served the row
    ),
    key=PLAYER_BOXSCORES_ARCHIVE.key,
    rules=BOX_RULES,
    partition_column="game_date",
)
"""The canonical ``raw_player_boxscores`` table: the archive's columns plus ``source``."""


MARKETS = PLAYER_MARKETS
"""Player-prop markets, by The Odds API's names (yes/no markets, double- and triple-double, have no line)."""

LINE_SOURCES = ("public_archive", "odds_api", "bettingpros")
"""Who served a `raw_prop_lines` row."""

PROP_LINES_PUBLIC = Contract(
    "raw_prop_lines",
    (
        col("game_date", DATE, null=False),
        col("game_code", STR, null=False, pattern=CODE),
        col("game_key", STR, null=False, pattern=KEY),
        col("event_id", STR, pattern=ID),  # none in the archive's historical threes
        col("game_time_utc", TS),  # none in the archive's 2023-25 PRA lines
        col("player_name", STR, null=False),
        col("player_lookup", STR),
        col("player_id", I64, range_=(1, 99_999_999)),  # null: the source could not match the name
        col("market", STR, null=False, allowed=MARKETS),
        col("bookmaker", STR, null=False),
        col("line", F64, range_=(0, 100)),  # null: a yes/no market (double-double, triple-double)
        col("over_odds", F64, range_=(-100_000, 100_000)),  # American odds
        col("under_odds", F64, range_=(-100_000, 100_000)),
        col("snapshot", STR),  # the source's label of its snapshot (none in the historical threes)
        col("snapshot_time", TS),  # when the snapshot was taken; null where the label has no time zone
        col("is_primary_line", BOOL, null=False),
        col("source", STR, null=False, allowed=LINE_SOURCES),
    ),
    key=("game_code", "market", "player_name", "bookmaker", "line", "snapshot", "source"),
    partition_column="game_date",
    ignored=frozenset(
        {"home_team", "away_team", "player_name_norm", "source_commit", "source_path"}
        | {"n_lines_same_book_snapshot", "match_method"}
    ),
)

GAME_LINES_PUBLIC = Contract(
    "raw_game_lines",
    (
        col("game_date", DATE, null=False),
        col("season", STR, null=False, pattern=SEASON),
        col("game_code", STR, null=False, pattern=CODE),
        col("game_key", STR, null=False, pattern=KEY),
        col("home_team", STR, null=False, allowed=TEAMS),
        col("away_team", STR, null=False, allowed=TEAMS),
        col("total", F64, range_=(100, 350)),  # the game's over/under
        col("home_spread", F64, range_=(-40, 40)),  # conventional home line: negative = home favoured
        col("ml_home", F64, range_=(-100_000, 100_000)),  # American odds
        col("ml_away", F64, range_=(-100_000, 100_000)),
        col("favorite", STR, allowed=("home", "away")),
        col("source_table", STR, null=False),
    ),
    key=("game_code",),
    partition_column="game_date",
    # the result columns (src_points_total, src_win_margin) are the game's outcome: never loaded
    ignored=frozenset(
        {"home_team_name", "away_team_name", "spread_raw", "src_points_total", "src_win_margin"}
        | {"source_commit", "game_id"}
    ),
)
"""The archive's ``game_lines.parquet``: one pre-game spread/total/moneyline per game (no book, no time)."""

PUBLIC: dict[str, Contract] = {
    c.table: c for c in (SCHEDULE_PUBLIC, PLAYER_BOXSCORES_PUBLIC, PROP_LINES_PUBLIC, GAME_LINES_PUBLIC)
}
"""Contract by public-archive raw table."""
