"""balldontlie requests: key in the Authorization header, empty days recognised."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from _support import FIXTURES
from nbaprops.core.errors import TerminalSourceError, TransientSourceError
from nbaprops.sources import bdl

BOX = (FIXTURES / "bdl_box_scores" / "raw_7a649e12.json").read_bytes()
EMPTY = (FIXTURES / "bdl_box_scores" / "raw_d62cc934.json").read_bytes()

if TYPE_CHECKING:
    from conftest import MockSource  # tests/sources/conftest.py


def test_box_scores_for_a_date_send_the_key_as_a_header(serving: MockSource) -> None:
    req = bdl.box_scores(dt.date(2024, 1, 15))
    with serving(BOX, balldontlie="k-123") as c:
        got = req.send(c)
    assert serving.seen[0].headers["Authorization"] == "k-123"
    assert serving.seen[0].url.params["date"] == "2024-01-15" and "k-123" not in str(serving.seen[0].url)
    assert "k-123" not in got.url and not req.is_empty(got.content)


def test_empty_day_is_valid(serving: MockSource) -> None:
    req = bdl.box_scores(dt.date(2024, 2, 16))
    with serving(EMPTY, balldontlie="k") as c:
        got = req.send(c)
    assert req.is_empty(got.content)


def test_body_without_data_is_broken(serving: MockSource) -> None:
    with (
        serving(b'{"error": "Unauthorized"}', balldontlie="k") as c,
        pytest.raises(TransientSourceError, match="field 'data' missing"),
    ):
        bdl.games(dt.date(2025, 2, 20)).send(c)


def test_no_key_configured_is_terminal(serving: MockSource) -> None:
    with serving(BOX) as c, pytest.raises(TerminalSourceError, match="NBAPROPS_KEYS__BALLDONTLIE"):
        bdl.games(dt.date(2025, 2, 20)).send(c)
    assert serving.seen == []


def test_other_requests() -> None:
    assert bdl.games(dt.date(2025, 2, 20)).params == {"dates[]": "2025-02-20"}
    assert bdl.active_players(277).params == {"per_page": "100", "cursor": "277"}
    assert bdl.standings(2024).params == {"season": "2024"}
    inj = (FIXTURES / "bdl_injuries" / "raw_d45e630e.json").read_bytes()
    assert not bdl.injuries().is_empty(inj)
