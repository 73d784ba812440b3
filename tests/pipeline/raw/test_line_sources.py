"""How scraped quotes join the archive in ``raw_prop_lines``: prices, primary lines, priority.

Rows are the archive's own (read from ../shared by the real processor) and quotes parsed from
the recorded event answer (`tests/_odds_props.py`).
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from _odds_props import props_answer
from nbaprops.pipeline.raw.line_sources import american, mark_primary, merge
from nbaprops.pipeline.raw.parsers import parse_payload
from nbaprops.pipeline.raw.schemas import MARKETS, PROP_LINES_PUBLIC
from nbaprops.sources import odds_api


@pytest.mark.parametrize(
    ("decimal", "us"),
    [(1.91, -110), (1.87, -115), (2.0, 100), (2.5, 150), (1.5, -200), (9.0, 800), (1.01, -10000)],
)
def test_decimal_prices_become_the_american_odds_books_quote(decimal: float, us: int) -> None:
    assert american(pa.array([decimal])).to_pylist() == [us]


def test_the_markets_asked_for_are_the_canonical_markets() -> None:
    assert odds_api.PLAYER_MARKETS == MARKETS


def test_primary_line_is_the_closest_pair_per_book_and_snapshot() -> None:
    gsw = "cd0bc7d0c238f4446ce1c03d0cea7ec4"
    quotes = [
        ("fanduel", "player_points", "Stephen Curry", 25.5, 1.55, 2.45),
        ("fanduel", "player_points", "Stephen Curry", 27.5, 1.87, 1.95),  # closest: primary
        ("fanduel", "player_points", "Stephen Curry", 29.5, 2.3, 1.6),
        ("draftkings", "player_points", "Stephen Curry", 27.5, 1.91, 1.91),  # tie with 28.5: the lower
        ("draftkings", "player_points", "Stephen Curry", 28.5, 1.91, 1.91),
        ("draftkings", "player_double_double", "Stephen Curry", None, 4.0, 1.22),  # alone: primary
    ]
    t = parse_payload("oddsa_player_props_his", props_answer(gsw, quotes))
    got = mark_primary(t, over=t.column("over_price"), under=t.column("under_price"))
    primary = {(r["bookmaker"], r["market"], r["line"]) for r in got.to_pylist() if r["is_primary_line"]}
    assert primary == {("fanduel", "player_points", 27.5), ("draftkings", "player_points", 27.5),
                       ("draftkings", "player_double_double", None)}  # fmt: skip


def _archive_like(rows: list[dict[str, object]]) -> pa.Table:
    base = {f.name: None for f in PROP_LINES_PUBLIC.schema}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=PROP_LINES_PUBLIC.schema)


def test_a_scraped_book_serves_its_market_of_a_game_and_the_archive_fills_the_rest() -> None:
    common = {"game_date": dt.date(2025, 11, 3), "game_code": "20251103_PHX_LAL", "game_key": "2025-11-03_PHX@LAL",
              "player_name": "Devin Booker", "is_primary_line": True}  # fmt: skip
    archive = _archive_like([
        {**common, "market": "player_points", "bookmaker": "draftkings", "line": 26.5, "snapshot": "a",
         "source": "public_archive"},
        {**common, "market": "player_points", "bookmaker": "fanduel", "line": 26.5, "snapshot": "a",
         "source": "public_archive"},
        {**common, "market": "player_assists", "bookmaker": "draftkings", "line": 6.5, "snapshot": "a",
         "source": "public_archive"},
    ])  # fmt: skip
    scraped = _archive_like([
        {**common, "market": "player_points", "bookmaker": "draftkings", "line": 27.5, "snapshot": s,
         "snapshot_time": dt.datetime(2025, 11, 3, h, tzinfo=dt.UTC), "source": "odds_api"}
        for s, h in (("x", 15), ("y", 22))
    ])  # fmt: skip
    got = merge(archive, scraped).to_pylist()
    served = sorted((r["market"], r["bookmaker"], r["source"], r["line"]) for r in got)
    assert served == [
        ("player_assists", "draftkings", "public_archive", 6.5),
        ("player_points", "draftkings", "odds_api", 27.5),  # both snapshots of the scraped book
        ("player_points", "draftkings", "odds_api", 27.5),
        ("player_points", "fanduel", "public_archive", 26.5),
    ]
    assert merge(archive, scraped.slice(0, 0)) is archive  # nothing scraped: the archive as read
    assert pc.all(pc.is_valid(merge(archive, scraped).column("source"))).as_py()
