"""Player and game identities.

`player_lookup` is the one key every source's player name is resolved to:
NFKD-decomposed, accents stripped, lowercased, only ``[a-z0-9]`` kept.
Suffixes are kept ("Jaren Jackson Jr." -> ``jarenjacksonjr``): they are part
of the name as the league prints it, and dropping them would merge real
people (Gary Payton vs Gary Payton II).  Sources that omit a suffix are
resolved through the player registry, not by weakening the key.

Games: the NBA.com 10-digit ``game_id`` (``0022400061``) is canonical when
known; the ``YYYYMMDD_AWAY_HOME`` game code is derived from date and teams and
is always present (the public data has no game_id for 2025-26).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from nbaprops.core.errors import InputError

__all__ = [
    "game_code",
    "game_code_from_key",
    "parse_game_code",
    "parse_game_id",
    "player_lookup",
]

_NOT_KEY = re.compile(r"[^a-z0-9]")
_GAME_ID = re.compile(r"^00([1-6])(\d{2})(\d{5})$")
_GAME_CODE = re.compile(r"^(\d{8})_([A-Z]{3})_([A-Z]{3})$")
_GAME_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})_([A-Z]{3})@([A-Z]{3})$")
GAME_TYPES = {
    "1": "preseason",
    "2": "regular",
    "3": "all_star",
    "4": "playoffs",
    "5": "play_in",
    "6": "cup_final",
}


def player_lookup(name: str) -> str:
    """Normalise a player name to the registry key.

    Args:
        name: a name as any source prints it ("Luka Dončić").

    Returns:
        The key ("lukadoncic").

    Raises:
        InputError: when nothing of the name is left (empty or symbols only).
    """
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    key = _NOT_KEY.sub("", ascii_only.lower())
    if not key:
        raise InputError(f"player name {name!r} has no letters or digits to key on")
    return key


def game_code(game_date: dt.date, away: str, home: str) -> str:
    """The derived ``YYYYMMDD_AWAY_HOME`` code of a game."""
    return f"{game_date:%Y%m%d}_{away.upper()}_{home.upper()}"


def parse_game_code(code: str) -> tuple[dt.date, str, str]:
    """Split a game code into (date, away, home).

    Raises:
        InputError: when the code is not ``YYYYMMDD_AWAY_HOME``.
    """
    m = _GAME_CODE.match(code)
    if not m:
        raise InputError(f"game code {code!r} is not YYYYMMDD_AWAY_HOME")
    try:
        day = dt.datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError as exc:
        raise InputError(f"game code {code!r} has an impossible date") from exc
    return day, m.group(2), m.group(3)


def game_code_from_key(game_key: str) -> str:
    """Convert the public data's ``YYYY-MM-DD_AWAY@HOME`` key to a game code."""
    m = _GAME_KEY.match(game_key)
    if not m:
        raise InputError(f"game key {game_key!r} is not YYYY-MM-DD_AWAY@HOME")
    return f"{m.group(1).replace('-', '')}_{m.group(2)}_{m.group(3)}"


def parse_game_id(game_id: str) -> dict[str, str | int]:
    """Split an NBA.com game id into its parts.

    Returns:
        ``{"season_type": ..., "season_start": 2024, "number": 61}``

    Raises:
        InputError: when the id is not 10 digits of the NBA.com form.
    """
    m = _GAME_ID.match(game_id)
    if not m:
        raise InputError(f"game id {game_id!r} is not a 10-digit NBA.com id (00TYYNNNNN)")
    return {
        "season_type": GAME_TYPES[m.group(1)],
        "season_start": 2000 + int(m.group(2)),
        "number": int(m.group(3)),
    }
