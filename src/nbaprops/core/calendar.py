"""The game-day calendar, derived from the schedule.

The schedule (the warehouse table ``schedule``) says which games exist on
which US/Eastern date and whether they are final.  From it the calendar tells,
for any date, what kind of day it is and how many games to expect:

* ``game_day``: games are scheduled and final;
* ``scheduled``: games are scheduled but not final yet (today or later);
* ``no_games``: an in-season day without games (Thanksgiving, election day);
* ``all_star_break``: the mid-season run of three or more days without games
  that contains a date in February;
* ``off_season``: between a season's last game and the next season's first;
* ``future``: after today, when the schedule has no game there either.

The first `bootstrap_days` days from a season's first game are *bootstrap*:
history is too thin for rolling features, and validation does not call thin
outputs a loss.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from nbaprops.core.errors import InputError
from nbaprops.core.types import DayKind

__all__ = [
    "EASTERN",
    "NIGHT_ENDS",
    "Calendar",
    "DayInfo",
    "GameRow",
    "eastern_date",
    "game_night",
    "relative_day",
    "season_for_date",
    "validate_season",
]

ALL_STAR_MIN_GAP = 3
EASTERN = ZoneInfo("America/New_York")
"""Game dates are US/Eastern dates: a 10:30 pm tip-off in Los Angeles is 03:30 UTC of the next day."""
NIGHT_ENDS = dt.time(6, 0)
"""Before this Eastern time a moment still belongs to the previous game night (late games end
after midnight Eastern)."""


def eastern_date(now: dt.datetime) -> dt.date:
    """The US/Eastern date of an aware moment (00:30 UTC on 23 Oct is 22 Oct in New York).

    Raises:
        InputError: for a naive datetime (its zone would be a guess).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError(f"{now.isoformat()} has no time zone: give an aware moment (UTC or with an offset)")
    return now.astimezone(EASTERN).date()


def game_night(now: dt.datetime) -> dt.date:
    """The game date whose night `now` falls in: the Eastern date, or the day before it until
    `NIGHT_ENDS` (02:00 Eastern on 23 Oct is still the night of 22 Oct)."""
    local = now.astimezone(EASTERN) if now.tzinfo else now
    day = eastern_date(now)
    return day - dt.timedelta(days=1) if local.time() < NIGHT_ENDS else day


def relative_day(value: str, today: dt.date) -> dt.date | None:
    """``today`` / ``yesterday`` / ``tomorrow`` relative to `today` (an Eastern date); None for
    anything else (a date string is parsed by the caller)."""
    offsets = {"today": 0, "yesterday": -1, "tomorrow": 1}
    off = offsets.get(value.strip().lower())
    return None if off is None else today + dt.timedelta(days=off)


def season_label(start_year: int) -> str:
    """The season that starts in `start_year`: ``2024`` -> ``2024-25``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def season_for_date(day: dt.date) -> str:
    """The season a date belongs to by the usual rule (Aug..Jul -> ``YYYY-YY``).

    The calendar prefers the schedule; this rule is the fallback before a
    schedule is loaded (and for the 2020 bubble it gives the wrong answer,
    which the schedule corrects).
    """
    return season_label(day.year if day.month >= 8 else day.year - 1)


def validate_season(season: str) -> str:
    """Check a ``YYYY-YY`` season string.

    Raises:
        InputError: when the string is not two consecutive years.
    """
    try:
        first, second = season.split("-")
        ok = len(first) == 4 and len(second) == 2 and (int(first) + 1) % 100 == int(second)
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"season {season!r} is not of the form 2024-25")
    return season


BOX_SEASON_TYPES: tuple[str, ...] = ("regular", "playoffs")
"""Season types the box-score source covers: play-in games and the NBA Cup final have no
player rows in the public data, so no per-game table is expected to hold them."""


@dataclass(frozen=True)
class GameRow:
    """One scheduled game, as the calendar needs it."""

    game_date: dt.date
    season: str
    season_type: str
    final: bool


@dataclass(frozen=True)
class DayInfo:
    """What the schedule says about one date."""

    date: dt.date
    kind: DayKind
    season: str
    games: int
    """Games scheduled on the date."""
    final_games: int
    """Of those, games that are final."""
    bootstrap: bool
    """Within the first bootstrap days of the season."""
    box_final_games: int = 0
    """Of the final games, those of the season types box scores cover (`BOX_SEASON_TYPES`)."""

    @property
    def expects_rows(self) -> bool:
        """Whether per-game tables should have rows for this date."""
        return self.final_games > 0


@dataclass
class _Season:
    first: dt.date
    last: dt.date
    dates: list[dt.date] = field(default_factory=list)


class Calendar:
    """Answers date questions from the schedule.

    Args:
        games: every scheduled game (any order).
        today: the date treated as today; later dates are in the future.
        bootstrap_days: length of a season's bootstrap window.
    """

    def __init__(self, games: Iterable[GameRow], *, today: dt.date, bootstrap_days: int = 14):
        self.today = today
        self.bootstrap_days = bootstrap_days
        self._by_date: dict[dt.date, list[GameRow]] = {}
        for g in games:
            self._by_date.setdefault(g.game_date, []).append(g)
        self._seasons: dict[str, _Season] = {}
        for day in sorted(self._by_date):
            season = self._by_date[day][0].season
            s = self._seasons.setdefault(season, _Season(day, day))
            s.last = day
            s.dates.append(day)
        self._starts = sorted((s.first, name) for name, s in self._seasons.items())
        self._breaks = self._find_all_star_breaks()

    def _find_all_star_breaks(self) -> set[dt.date]:
        out: set[dt.date] = set()
        for s in self._seasons.values():
            for a, b in zip(s.dates, s.dates[1:], strict=False):
                gap = [a + dt.timedelta(days=i) for i in range(1, (b - a).days)]
                if len(gap) >= ALL_STAR_MIN_GAP and any(d.month == 2 for d in gap):
                    out.update(gap)
        return out

    # --- questions ------------------------------------------------------
    @property
    def empty(self) -> bool:
        """True before any schedule is loaded."""
        return not self._by_date

    @property
    def seasons(self) -> list[str]:
        """Seasons the schedule knows, oldest first."""
        return [name for _, name in self._starts]

    def season_of(self, day: dt.date) -> str:
        """The season a date belongs to (off-season dates: the coming season)."""
        i = bisect_right(self._starts, (day, "~")) - 1
        if i >= 0:
            name = self._starts[i][1]
            if day <= self._seasons[name].last:
                return name
            if i + 1 < len(self._starts):
                return self._starts[i + 1][1]
        return season_for_date(day)

    def season_bounds(self, season: str) -> tuple[dt.date, dt.date]:
        """First and last game date of a season.

        Raises:
            InputError: when the schedule has no such season.
        """
        validate_season(season)
        s = self._seasons.get(season)
        if s is None:
            known = ", ".join(self.seasons) or "none loaded"
            raise InputError(f"season {season} is not in the schedule (known: {known})")
        return s.first, s.last

    def game_dates(self, season: str) -> list[dt.date]:
        """Dates with at least one game in a season."""
        self.season_bounds(season)
        return list(self._seasons[season].dates)

    def day(self, day: dt.date) -> DayInfo:
        """Classify one date."""
        games = self._by_date.get(day, [])
        season = games[0].season if games else self.season_of(day)
        final = sum(g.final for g in games)
        box_final = sum(g.final and g.season_type in BOX_SEASON_TYPES for g in games)
        s = self._seasons.get(season)
        bootstrap = bool(s and 0 <= (day - s.first).days < self.bootstrap_days)
        kind: DayKind
        if games:
            kind = "game_day" if final == len(games) and day <= self.today else "scheduled"
            if day > self.today:
                final = box_final = 0
        elif day > self.today and (s is None or day > s.last):
            kind = "future"
        elif s is not None and s.first <= day <= s.last:
            kind = "all_star_break" if day in self._breaks else "no_games"
        elif day > self.today:
            kind = "future"
        else:
            kind = "off_season"
        return DayInfo(day, kind, season, len(games), final, bootstrap, box_final)

    def dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every calendar date from start to end inclusive.

        Raises:
            InputError: when end is before start.
        """
        if end < start:
            raise InputError(f"end date {end} is before start date {start}")
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
