"""Test support shared by every test module: paths to ../shared and small helpers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from nbaprops.core.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DATA = SHARED / "data" / "nba"
FIXTURES = SHARED / "fixtures" / "payloads"
TODAY = dt.date(2026, 11, 25)
"""Fixed 'today' for tests: every game in the data is in the past."""

SLICE = (dt.date(2025, 10, 21), dt.date(2025, 11, 9))
"""A real slice of 2025-26 with prop lines: 20 dates."""


def make_settings(home: Path, **kw: object) -> Settings:
    """Settings for a test: its own home, the shared data, a fixed today."""
    values: dict[str, object] = {"data_dir": DATA, "today": TODAY, **kw}
    return Settings(home=home, **values)  # type: ignore[arg-type]


ARCHIVE_HISTORY = (
    "raw_game_lines",
    "raw_player_boxscores",
    "player_game_summary",
    "team_defense_game_summary",
    "team_offense_game_summary",
    "player_availability",
    "upcoming_team_game_context",
)
"""The processors a live-path test world builds from the archive for the days before its date:
the history the gate requires of the phase 3-5 windows (`ops/history.py`)."""


def dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date from start to end inclusive."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


IDENTITY_COLUMNS = frozenset(
    {
        "game_id",
        "game_key",
        "game_code",
        "game_date",
        "season",
        "season_type",
        "team",
        "opponent",
        "is_home",
        "home_away",
        "team_result",
        "player_id",
        "player_name",
        "player_name_norm",
        "player_lookup",
    }
)


def rotate_stat_lines(rows: pa.Table, *, games: set[str] | None = None) -> pa.Table:
    """Box scores with every team's stat lines handed on to the next player of the team
    (by player id): each player's numbers change, every team total and every box-score
    identity stays true, so write-time audits (box sum = final score) let it in."""
    recs = rows.to_pylist()
    teams: dict[tuple[object, object], list[int]] = {}
    for i, r in enumerate(recs):
        if games is None or r["game_code"] in games:
            teams.setdefault((r["game_code"], r["team"]), []).append(i)
    stats = [c for c in rows.column_names if c not in IDENTITY_COLUMNS]
    out = [dict(r) for r in recs]
    for members in teams.values():
        members.sort(key=lambda i: recs[i]["player_id"])
        for k, i in enumerate(members):
            donor = recs[members[(k + 1) % len(members)]]
            out[i].update({c: donor[c] for c in stats})
    return pa.Table.from_pylist(out, schema=rows.schema)
