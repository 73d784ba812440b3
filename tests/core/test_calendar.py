"""The calendar, built from the real schedule."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from _support import DATA
from nbaprops.core.calendar import Calendar, GameRow, season_for_date
from nbaprops.core.errors import InputError


@pytest.fixture(scope="module")
def cal() -> Calendar:
    got = duckdb.sql(
        f"SELECT CAST(game_date AS DATE), season, season_type, status = 'final' "
        f"FROM read_parquet('{DATA / 'games.parquet'}')"
    ).fetchall()
    return Calendar([GameRow(*r) for r in got], today=dt.date(2025, 11, 25))


def test_game_days_and_counts(cal: Calendar) -> None:
    day = cal.day(dt.date(2025, 10, 22))
    assert (day.kind, day.season, day.games, day.final_games) == ("game_day", "2025-26", 12, 12)
    assert day.bootstrap


def test_games_the_box_score_source_does_not_cover(cal: Calendar) -> None:
    """Play-in days and the Cup final are final games without box scores."""
    play_in, cup_final = cal.day(dt.date(2025, 4, 15)), cal.day(dt.date(2024, 12, 17))
    assert (play_in.final_games, play_in.box_final_games) == (2, 0)
    assert (cup_final.final_games, cup_final.box_final_games) == (1, 0)
    assert cal.day(dt.date(2025, 10, 22)).box_final_games == 12
    assert cal.day(dt.date(2026, 1, 5)).box_final_games == 0  # after `today`: not final yet


def test_all_star_break_is_found_from_the_gap(cal: Calendar) -> None:
    # 2024-25: last games Feb 13, All-Star Sunday Feb 16, games again Feb 19
    for d in (14, 15, 16, 17, 18):
        assert cal.day(dt.date(2025, 2, d)).kind == "all_star_break"
    assert cal.day(dt.date(2025, 2, 13)).kind == "game_day"
    assert cal.day(dt.date(2025, 2, 19)).kind == "game_day"
    assert not cal.day(dt.date(2025, 2, 13)).bootstrap


def test_in_season_days_without_games_and_off_season(cal: Calendar) -> None:
    assert cal.day(dt.date(2024, 11, 5)).kind == "no_games"  # election day 2024
    assert cal.day(dt.date(2025, 7, 15)).kind == "off_season"
    assert cal.day(dt.date(2025, 7, 15)).season == "2025-26"


def test_future_dates(cal: Calendar) -> None:
    later = cal.day(dt.date(2025, 12, 1))
    assert later.kind == "scheduled" and later.final_games == 0 and later.games > 0
    assert cal.day(dt.date(2026, 9, 1)).kind == "future"


def test_seasons_follow_the_schedule_not_the_rule(cal: Calendar) -> None:
    bubble = dt.date(2020, 8, 15)
    assert season_for_date(bubble) == "2020-21"
    assert cal.season_of(bubble) == "2019-20"
    assert cal.season_bounds("2020-21")[0] == dt.date(2020, 12, 22)


def test_bad_seasons_and_ranges(cal: Calendar) -> None:
    with pytest.raises(InputError, match="not of the form"):
        cal.season_bounds("2024-26")
    with pytest.raises(InputError, match="not in the schedule"):
        cal.season_bounds("1999-00")
    with pytest.raises(InputError, match="before start"):
        cal.dates(dt.date(2025, 1, 2), dt.date(2025, 1, 1))
