"""NBA.com requests: built per date/game, empty vs broken told apart, over recorded payloads."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pytest

from _support import FIXTURES
from nbaprops.core.errors import TransientSourceError
from nbaprops.sources import nbac

SCOREBOARD = (FIXTURES / "nbac_scoreboard_v2" / "raw_055ff78d.json").read_bytes()

if TYPE_CHECKING:
    from conftest import MockSource  # tests/sources/conftest.py


def test_scoreboard_request_for_a_date(serving: MockSource) -> None:
    req = nbac.scoreboard(dt.date(2024, 1, 15))
    with serving(SCOREBOARD) as c:
        got = req.send(c)
    sent = serving.seen[0]
    assert str(sent.url).startswith("https://stats.nba.com/stats/scoreboardV2?")
    assert sent.url.params["GameDate"] == "2024-01-15"
    assert sent.headers["x-nba-stats-origin"] == "stats" and sent.headers["Referer"] == "https://www.nba.com/"
    assert got.content == SCOREBOARD and not req.is_empty(got.content)


def test_scoreboard_without_games_is_empty_not_broken() -> None:
    doc = json.loads(SCOREBOARD)
    for rs in doc["resultSets"]:
        rs["rowSet"] = []
    req = nbac.scoreboard(dt.date(2024, 2, 16))
    assert req.is_empty(json.dumps(doc).encode())
    assert req.validate is not None and req.validate(json.dumps(doc).encode()) is None


def test_error_object_with_status_200_is_broken(serving: MockSource) -> None:
    req = nbac.scoreboard(dt.date(2024, 1, 15))
    with (
        serving(b'{"message": "An error has occurred."}') as c,
        pytest.raises(TransientSourceError, match="field 'resultSets' missing"),
    ):
        req.send(c)
    assert len(serving.seen) == 2


def test_game_log_season_follows_the_date() -> None:
    req = nbac.player_boxscores(dt.date(2025, 3, 15))
    assert (req.params["Season"], req.params["DateFrom"], req.params["DateTo"]) == (
        "2024-25",
        "2025-03-15",
        "2025-03-15",
    )
    log = (FIXTURES / "nbac_player_boxscore" / "raw_2ad17718.json").read_bytes()
    assert not req.is_empty(log)


def test_box_score_play_by_play_and_pdfs_requests() -> None:
    assert nbac.team_boxscore("0022400561").params["GameID"] == "0022400561"
    pbp = nbac.play_by_play("0022400561")
    assert pbp.endpoint == "liveData/playbyplay/playbyplay_0022400561.json" and pbp.profile is nbac.CDN
    inj = nbac.injury_report(dt.datetime(2024, 1, 4, 12, 30))
    assert inj.endpoint == "referee/injury/Injury-Report_2024-01-04_12PM.pdf" and inj.expect == "pdf"
    book = nbac.gamebook_pdf(dt.date(2024, 4, 10), "mem", "cle")
    assert book.endpoint == "20240410/20240410_MEMCLE_book.pdf" and book.profile is nbac.GAMEBOOK
    assert nbac.GAMEBOOK.base_url == "https://statsdmz.nba.com/pdfs"


def test_player_list_and_schedule_recorded_payloads_are_not_empty() -> None:
    assert not nbac.player_list("2025-26").is_empty(
        (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()
    )
    cdn = (FIXTURES / "nbac_schedule_cdn" / "raw_68953816.json").read_bytes()
    assert nbac.schedule().validate is not None and nbac.schedule().validate(cdn) is None
    assert not nbac.schedule().is_empty(cdn)
