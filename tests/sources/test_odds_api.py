"""The Odds API requests: the key is a query parameter that never leaves the client."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from _support import FIXTURES
from nbaprops.core.errors import TransientSourceError
from nbaprops.sources import odds_api

EVENTS = (FIXTURES / "oddsa_events_his" / "raw_4c3bc8f6.json").read_bytes()
LINES = (FIXTURES / "oddsa_game_lines_his" / "raw_b722994c.json").read_bytes()

if TYPE_CHECKING:
    from conftest import MockSource  # tests/sources/conftest.py


def test_historical_events_request_and_key_handling(serving: MockSource) -> None:
    at = dt.datetime(2024, 1, 25, 3, 55, tzinfo=dt.UTC)
    req = odds_api.historical_events(at)
    with serving(EVENTS, odds_api="odds-secret") as c:
        got = req.send(c)
    assert serving.seen[0].url.params["apiKey"] == "odds-secret"
    assert serving.seen[0].url.params["date"] == "2024-01-25T03:55:00Z"
    assert "odds-secret" not in got.url and "apiKey" not in got.params
    assert not req.is_empty(got.content)


def test_no_events_is_valid_empty() -> None:
    doc = json.loads(EVENTS)
    doc["data"] = []
    assert odds_api.historical_events(dt.datetime(2024, 7, 1, tzinfo=dt.UTC)).is_empty(
        json.dumps(doc).encode()
    )


def test_game_lines_and_props_requests() -> None:
    at = dt.datetime(2024, 1, 25, 3, 55, tzinfo=dt.UTC)
    lines = odds_api.historical_game_lines("cd0bc7d0c238f4446ce1c03d0cea7ec4", at)
    assert (
        lines.params["markets"] == "spreads,totals"
        and lines.validate is not None
        and lines.validate(LINES) is None
    )
    props = odds_api.historical_player_props("cd0bc7d0c238f4446ce1c03d0cea7ec4", at)
    assert props.params["markets"].split(",") == [
        "player_points", "player_rebounds", "player_assists", "player_threes", "player_points_rebounds_assists",
        "player_blocks", "player_steals", "player_double_double", "player_triple_double",
    ]  # fmt: skip
    assert (
        odds_api.player_props("cd0bc7d0c238f4446ce1c03d0cea7ec4").params["markets"] == props.params["markets"]
    )
    assert props.endpoint == "historical/sports/basketball_nba/events/cd0bc7d0c238f4446ce1c03d0cea7ec4/odds"


def test_quota_error_object_is_broken(serving: MockSource) -> None:
    body = b'{"message": "Usage quota has been reached", "error_code": "OUT_OF_USAGE_CREDITS"}'
    with serving(body, odds_api="k") as c, pytest.raises(TransientSourceError, match="'data' missing"):
        odds_api.historical_events(dt.datetime(2024, 1, 25, tzinfo=dt.UTC)).send(c)
