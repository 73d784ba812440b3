"""Player and game identities."""

from __future__ import annotations

import datetime as dt

import pytest

from nbaprops.core.errors import InputError
from nbaprops.core.ids import game_code, game_code_from_key, parse_game_code, parse_game_id, player_lookup


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Luka Dončić", "lukadoncic"),
        ("Nikola Jokić", "nikolajokic"),
        ("Jaren Jackson Jr.", "jarenjacksonjr"),
        ("Gary Payton II", "garypaytonii"),
        ("Shai Gilgeous-Alexander", "shaigilgeousalexander"),
        ("De'Aaron Fox", "deaaronfox"),
        ("  KRISTAPS  PORZIŅĢIS ", "kristapsporzingis"),
    ],
)
def test_player_lookup(name: str, key: str) -> None:
    assert player_lookup(name) == key


def test_player_lookup_refuses_an_empty_name() -> None:
    with pytest.raises(InputError, match="no letters"):
        player_lookup(" .- ")


def test_game_codes_round_trip() -> None:
    code = game_code(dt.date(2025, 10, 21), "gsw", "LAL")
    assert code == "20251021_GSW_LAL"
    assert parse_game_code(code) == (dt.date(2025, 10, 21), "GSW", "LAL")
    assert game_code_from_key("2025-10-21_GSW@LAL") == code
    with pytest.raises(InputError):
        parse_game_code("20251321_GSW_LAL")
    with pytest.raises(InputError):
        game_code_from_key("2025-10-21 GSW-LAL")


def test_game_id_parts() -> None:
    assert parse_game_id("0022400061") == {"season_type": "regular", "season_start": 2024, "number": 61}
    assert parse_game_id("0042300401")["season_type"] == "playoffs"
    with pytest.raises(InputError, match="10-digit"):
        parse_game_id("22400061")
