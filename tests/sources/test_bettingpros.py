"""BettingPros requests: events of a date, empty vs broken."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from _support import FIXTURES
from nbaprops.core.errors import TransientSourceError
from nbaprops.sources import bettingpros, odds_api

EVENTS = (FIXTURES / "bp_events" / "raw_75470647.json").read_bytes()

if TYPE_CHECKING:
    from conftest import MockSource  # tests/sources/conftest.py


def test_events_for_a_date(serving: MockSource) -> None:
    req = bettingpros.events(dt.date(2021, 10, 21))
    with serving(EVENTS) as c:
        got = req.send(c)
    assert serving.seen[0].url.params["date"] == "2021-10-21" and serving.seen[0].url.params["sport"] == "NBA"
    assert serving.seen[0].headers["Origin"] == "https://www.bettingpros.com"
    assert not req.is_empty(got.content)


def test_empty_and_broken(serving: MockSource) -> None:
    doc = json.loads(EVENTS)
    doc["events"] = []
    assert bettingpros.events(dt.date(2021, 7, 1)).is_empty(json.dumps(doc).encode())
    with (
        serving(b'{"detail": "Not found"}') as c,
        pytest.raises(TransientSourceError, match="'events' missing"),
    ):
        bettingpros.events(dt.date(2021, 10, 21)).send(c)


def test_player_points_offers_request() -> None:
    req = bettingpros.player_points(20879, page=2)
    assert req.params == {"sport": "NBA", "market_id": "156", "event_id": "20879", "page": "2"}


def test_offers_request_per_market() -> None:
    req = bettingpros.player_props(20879, "player_rebounds")
    assert req.params == {"sport": "NBA", "market_id": "157", "event_id": "20879", "page": "1"}
    assert set(bettingpros.MARKET_IDS) < set(odds_api.PLAYER_MARKETS)
