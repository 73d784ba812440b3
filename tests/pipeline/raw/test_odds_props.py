"""The Odds API player props of every market, and what a bad quote becomes (issue #18 "Bad input").

Payloads are the recorded event answer with player markets in place of its game markets
(`tests/_odds_props.py` says why and how).
"""

from __future__ import annotations

import datetime as dt

import pytest

from _odds_props import props_answer
from nbaprops.core.errors import DataError
from nbaprops.pipeline.raw.parsers import parse_payload
from nbaprops.sources import odds_api

GSW = "cd0bc7d0c238f4446ce1c03d0cea7ec4"
EVERY_MARKET = [
    ("draftkings", "player_points", "Stephen Curry", 27.5, 1.87, 1.95),
    ("draftkings", "player_rebounds", "Stephen Curry", 4.5, 1.8, 2.0),
    ("draftkings", "player_assists", "Trae Young", 10.5, 1.91, 1.91),
    ("draftkings", "player_threes", "Stephen Curry", 4.5, 1.74, 2.1),
    ("draftkings", "player_points_rebounds_assists", "Trae Young", 41.5, 1.87, 1.93),
    ("draftkings", "player_blocks", "Jonathan Kuminga", 0.5, 1.83, 1.95),
    ("draftkings", "player_steals", "Dejounte Murray", 1.5, 2.2, 1.67),
    ("draftkings", "player_double_double", "Trae Young", None, 1.53, 2.4),
    ("draftkings", "player_triple_double", "Trae Young", None, 9.0, 1.05),
    ("fanduel", "player_points", "Stephen Curry", 28.5, 2.0, 1.8),
    ("fanduel", "player_points", "Stephen Curry", 25.5, 1.55, 2.45),  # an alternate line
]


def parse(quotes: list, **kw: object) -> list[dict[str, object]]:
    t = parse_payload("oddsa_player_props_his", props_answer(GSW, quotes, **kw))  # type: ignore[arg-type]
    return sorted(
        t.to_pylist(), key=lambda r: (r["bookmaker"], r["market"], r["player_name"], r["line"] or 0)
    )


def test_every_player_market_parses_with_both_prices() -> None:
    rows = parse(EVERY_MARKET)
    assert {r["market"] for r in rows} == set(odds_api.PLAYER_MARKETS)
    got = {(r["bookmaker"], r["market"], r["player_name"], r["line"], r["over_price"], r["under_price"])
           for r in rows}  # fmt: skip
    assert got == set(EVERY_MARKET)
    assert all(r["flag"] is None for r in rows)
    assert {r["game_code"] for r in rows} == {"20240124_ATL_GSW"}
    assert {r["snapshot_time"] for r in rows} == {dt.datetime(2024, 1, 25, 3, 55, 40, tzinfo=dt.UTC)}
    dd = next(r for r in rows if r["market"] == "player_double_double")
    assert dd["line"] is None and (dd["over_price"], dd["under_price"]) == (1.53, 2.4)  # Yes / No


@pytest.mark.parametrize(
    ("quote", "flag"),
    [
        (("draftkings", "player_points", "Stephen Curry", 27.5, 0, 1.9), "over price 0 is not decimal odds"),
        (
            ("draftkings", "player_points", "Stephen Curry", 27.5, 1.9, -110),
            "under price -110 is not decimal",
        ),
        (
            ("draftkings", "player_points", "Stephen Curry", 27.5, 1.0, 1.9),
            "over price 1.0 is not decimal odds",
        ),
        # American +150 / +120 mistaken for decimal prices: no book's pair pays that much
        (("draftkings", "player_points", "Stephen Curry", 27.5, 150, 120), "imply 1.5% in total"),
        (
            ("draftkings", "player_points", "Stephen Curry", 27.5, 1.9, "1.9"),
            "under price '1.9' is not a number",
        ),
        (
            ("sharpbook_xyz", "player_points", "Stephen Curry", 27.5, 1.9, 1.9),
            "unknown bookmaker 'sharpbook_xyz'",
        ),
        (
            ("draftkings", "player_first_basket", "Stephen Curry", 0.5, 9.0, 1.1),
            "unknown market 'player_first_basket'",
        ),
    ],
)
def test_a_bad_quote_is_a_flagged_row_never_a_price(quote: tuple, flag: str) -> None:
    good = ("fanduel", "player_points", "Stephen Curry", 28.5, 2.0, 1.8)
    rows = parse([quote, good])
    (bad,) = [r for r in rows if r["bookmaker"] == quote[0] and r["market"] == quote[1]]
    assert flag in (bad["flag"] or ""), bad
    if "price" in flag or "imply" in flag:  # the pair is no price at all
        assert bad["over_price"] is None and bad["under_price"] is None
    (ok,) = [r for r in rows if r["bookmaker"] == "fanduel"]  # the rest of the payload is untouched
    assert ok["flag"] is None and (ok["line"], ok["over_price"], ok["under_price"]) == (28.5, 2.0, 1.8)


@pytest.mark.parametrize(
    ("line", "error"),
    [("27.5a", "line '27.5a' is not a number"), (None, "line None is not a number"),
     (-3.5, "line -3.5 is out of range [0, 100]"), (float("nan"), "line nan is not a number")],
)  # fmt: skip
def test_a_line_that_is_not_a_number_is_a_one_line_error(line: object, error: str) -> None:
    body = props_answer(GSW, [("draftkings", "player_points", "Stephen Curry", line, 1.9, 1.9)])
    with pytest.raises(DataError) as got:
        parse_payload("oddsa_player_props_his", body, name="p.json")
    text = str(got.value)
    assert error in text and "draftkings player_points Stephen Curry" in text and "p.json" in text
    assert "\n" not in text
