"""ESPN requests: scoreboard per date, box score pages must carry their embedded data."""

from __future__ import annotations

import datetime as dt
import gzip
from typing import TYPE_CHECKING

import httpx
import pytest

from _support import FIXTURES
from nbaprops.core.errors import TransientSourceError
from nbaprops.sources import espn

BOARD = (FIXTURES / "espn_scoreboard_api" / "raw_92de7c9a.json").read_bytes()
ALL_STAR = (FIXTURES / "espn_scoreboard_api" / "raw_20250214.json").read_bytes()
PAGE = gzip.decompress((FIXTURES / "espn_game_boxscore" / "raw_6f34c64b.html.gz").read_bytes())

if TYPE_CHECKING:
    from conftest import MockSource  # tests/sources/conftest.py


def test_scoreboard_for_a_date(serving: MockSource) -> None:
    req = espn.scoreboard(dt.date(2024, 1, 15))
    with serving(BOARD) as c:
        got = req.send(c)
    assert serving.seen[0].url.params["dates"] == "20240115" and not req.is_empty(got.content)


def test_all_star_break_is_a_valid_empty_day(serving: MockSource) -> None:
    req = espn.scoreboard(dt.date(2025, 2, 14))
    with serving(ALL_STAR) as c:
        assert req.is_empty(req.send(c).content)


def test_box_score_page_served_gzipped_is_accepted(serving: MockSource) -> None:
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(PAGE), headers={"Content-Encoding": "gzip",
                                                                           "Content-Type": "text/html"})  # fmt: skip

    with serving(handler) as c:
        got = espn.boxscore_page("401585183").send(c)
    assert got.content == PAGE


def test_page_without_embedded_data_is_broken(serving: MockSource) -> None:
    page = b"<!doctype html><html><body>Sorry, something went wrong.</body></html>"
    with (
        serving(lambda _: httpx.Response(200, content=page)) as c,
        pytest.raises(TransientSourceError, match="__espnfitt__"),
    ):
        espn.boxscore_page("401585183").send(c)


def test_roster_request() -> None:
    roster = (FIXTURES / "espn_roster_api" / "raw_2.json").read_bytes()
    req = espn.roster(2)
    assert (
        (req.endpoint, req.params) == ("teams/2", {"enable": "roster"})
        and req.validate is not None
        and req.validate(roster) is None
    )
    assert not req.is_empty(roster)
