"""Every raw table's Arrow schema, in one place.

Parsers produce exactly these schemas (column order included), so a raw
table looks the same whichever source filled it; ``source`` says which.
Times are UTC; ``game_date`` is the US/Eastern game date.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = [
    "EVENTS",
    "GAMEBOOK",
    "GAMES",
    "GAME_LINES",
    "INJURIES",
    "INJURY_REPORT",
    "MANIFEST",
    "PLAYERS",
    "PLAYER_BOXSCORES",
    "PLAY_BY_PLAY",
    "PROP_LINES",
    "SCHEMAS",
]

TS = pa.timestamp("us", tz="UTC")

MANIFEST = pa.schema(
    [
        ("kind", pa.string()),  # payload kind, e.g. nbac_scoreboard_v2
        ("source", pa.string()),  # source profile, e.g. nbac_stats
        ("endpoint", pa.string()),
        ("params", pa.string()),  # JSON of the query parameters, never secrets
        ("game_date", pa.date32()),  # the partition the payload was fetched for
        ("fetched_at", TS),
        ("status", pa.int32()),  # HTTP status of the successful attempt
        ("attempts", pa.int32()),
        ("bytes", pa.int64()),
        ("sha256", pa.string()),
        ("path", pa.string()),  # where the raw store keeps it
        ("empty", pa.bool_()),  # a valid answer with nothing in it (no games that day)
    ]
)
"""One row per stored payload: written before anything is parsed."""

GAMES = pa.schema(
    [
        ("source", pa.string()),
        ("game_id", pa.string()),  # NBA.com 10-digit id when the source knows it
        ("source_game_id", pa.string()),
        ("game_code", pa.string()),  # YYYYMMDD_AWAY_HOME
        ("game_date", pa.date32()),
        ("season", pa.string()),  # 2024-25
        ("away_team", pa.string()),
        ("home_team", pa.string()),
        ("away_pts", pa.int32()),
        ("home_pts", pa.int32()),
        ("status", pa.string()),  # final | scheduled | in_progress
    ]
)

PLAYER_BOXSCORES = pa.schema(
    [
        ("source", pa.string()),
        ("game_id", pa.string()),
        ("source_game_id", pa.string()),
        ("game_code", pa.string()),
        ("game_date", pa.date32()),
        ("team", pa.string()),
        ("source_player_id", pa.string()),
        ("player_name", pa.string()),
        ("player_lookup", pa.string()),
        ("nba_player_id", pa.string()),  # from the player registry (null: unresolved)
        ("minutes", pa.float64()),
        ("pts", pa.int32()),
        ("fgm", pa.int32()),
        ("fga", pa.int32()),
        ("fg3m", pa.int32()),
        ("fg3a", pa.int32()),
        ("ftm", pa.int32()),
        ("fta", pa.int32()),
        ("reb", pa.int32()),
        ("ast", pa.int32()),
        ("stl", pa.int32()),
        ("blk", pa.int32()),
        ("tov", pa.int32()),
        ("pf", pa.int32()),
        ("dnp_reason", pa.string()),  # why a listed player did not play (null: played)
    ]
)

PLAY_BY_PLAY = pa.schema(
    [
        ("game_id", pa.string()),
        ("action_number", pa.int32()),
        ("period", pa.int32()),
        ("clock", pa.string()),
        ("team", pa.string()),
        ("person_id", pa.string()),
        ("player_name", pa.string()),
        ("action_type", pa.string()),
        ("sub_type", pa.string()),
        ("shot_result", pa.string()),
        ("points", pa.int32()),  # points this action scored (0 for misses and non-scoring actions)
        ("score_home", pa.int32()),
        ("score_away", pa.int32()),
    ]
)

INJURY_REPORT = pa.schema(
    [
        ("report_label", pa.string()),  # as printed, e.g. "01/04/24 12:30 PM"
        ("game_date", pa.date32()),
        ("game_time", pa.string()),
        ("matchup", pa.string()),  # AWAY@HOME
        ("team", pa.string()),  # full team name as printed
        ("player_name", pa.string()),  # "First Last"
        ("player_lookup", pa.string()),
        ("status", pa.string()),  # Out | Doubtful | Questionable | Probable | Available
        ("reason", pa.string()),
    ]
)

GAMEBOOK = pa.schema(
    [
        ("game_code", pa.string()),
        ("team", pa.string()),
        ("player_name", pa.string()),
        ("player_lookup", pa.string()),
        ("status", pa.string()),  # played | dnp | dnd | nwt | inactive
        ("reason", pa.string()),
    ]
)

INJURIES = pa.schema(
    [
        ("source", pa.string()),
        ("source_player_id", pa.string()),
        ("player_name", pa.string()),
        ("player_lookup", pa.string()),
        ("source_team_id", pa.string()),
        ("status", pa.string()),
        ("return_date", pa.string()),
        ("description", pa.string()),
    ]
)

PLAYERS = pa.schema(
    [
        ("source", pa.string()),
        ("source_player_id", pa.string()),
        ("player_name", pa.string()),
        ("player_lookup", pa.string()),
        ("team", pa.string()),
        ("nba_player_id", pa.string()),  # known directly only for NBA.com
    ]
)

EVENTS = pa.schema(
    [
        ("source", pa.string()),
        ("event_id", pa.string()),
        ("commence_time", TS),
        ("game_date", pa.date32()),
        ("game_code", pa.string()),
        ("away_team", pa.string()),
        ("home_team", pa.string()),
        ("status", pa.string()),
    ]
)

PROP_LINES = pa.schema(
    [
        ("source", pa.string()),
        ("event_id", pa.string()),
        ("game_code", pa.string()),
        ("snapshot_time", TS),
        ("bookmaker", pa.string()),
        ("market", pa.string()),
        ("player_name", pa.string()),
        ("player_lookup", pa.string()),
        ("nba_player_id", pa.string()),  # from the player registry (null: unresolved)
        ("line", pa.float64()),
        ("over_price", pa.float64()),  # decimal odds
        ("under_price", pa.float64()),
    ]
)

GAME_LINES = pa.schema(
    [
        ("source", pa.string()),
        ("event_id", pa.string()),
        ("game_code", pa.string()),
        ("snapshot_time", TS),
        ("bookmaker", pa.string()),
        ("market", pa.string()),  # h2h | spreads | totals
        ("outcome", pa.string()),  # team abbreviation, or Over / Under
        ("point", pa.float64()),
        ("price", pa.float64()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "manifest": MANIFEST,
    "games": GAMES,
    "player_boxscores": PLAYER_BOXSCORES,
    "play_by_play": PLAY_BY_PLAY,
    "injury_report": INJURY_REPORT,
    "gamebook": GAMEBOOK,
    "injuries": INJURIES,
    "players": PLAYERS,
    "events": EVENTS,
    "prop_lines": PROP_LINES,
    "game_lines": GAME_LINES,
}
"""Schema by raw table family (parsers name theirs with these keys)."""
