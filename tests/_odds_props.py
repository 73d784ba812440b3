"""The Odds API player-props answers built from the recorded payloads (no recording holds props).

The one recorded event-odds answer (`oddsa_player_props_his/raw_815b3ee3.json`, ATL @ GSW on
2024-01-24 ET) was fetched with the wrong markets: it holds only ``spreads`` and ``totals``, and
no recording holds any ``player_*`` market.  So the tests keep everything the recording has
(the historical wrapper and its ``timestamp``, the event, the bookmakers ``draftkings`` and
``fanduel`` with their ``last_update``) and replace each bookmaker's markets by player markets
in the same outcome shape The Odds API documents for props (``name`` Over/Under, or Yes/No for
double- and triple-double, ``description`` the player, ``price`` decimal, ``point`` the line).
The events come from the recorded `oddsa_events_his/raw_4c3bc8f6.json` (three events on
2024-01-24 ET); the live answers are the same without the wrapper (the live endpoints' shape).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from _support import FIXTURES

RECORDED_PROPS: dict[str, Any] = json.loads(
    (FIXTURES / "oddsa_player_props_his" / "raw_815b3ee3.json").read_bytes()
)
RECORDED_EVENTS: dict[str, Any] = json.loads(
    (FIXTURES / "oddsa_events_his" / "raw_4c3bc8f6.json").read_bytes()
)
EVENTS = {e["id"]: e for e in RECORDED_EVENTS["data"]}
"""The recorded events by id (three are on 2024-01-24 US/Eastern, the rest on the 25th)."""
DAY_EVENTS = ("f137689983933840bf2f2a91278eb03b", "071ee3e84d6e3ecce12d8c5e4ab4da0b",
              "cd0bc7d0c238f4446ce1c03d0cea7ec4")  # fmt: skip
"""PHX @ DAL, OKC @ SAS, ATL @ GSW: the events of 2024-01-24 (ET)."""

Quote = tuple[str, str, str, Any, Any, Any]
"""(bookmaker, market, player, line, over price, under price); line None for Yes/No markets."""


def outcomes(market: str, player: str, line: Any, over: Any, under: Any) -> list[dict[str, Any]]:
    """The two outcomes of one quote, in The Odds API's shape."""
    yes_no = market in ("player_double_double", "player_triple_double")
    sides = ("Yes", "No") if yes_no else ("Over", "Under")
    out = []
    for side, price in zip(sides, (over, under), strict=True):
        o: dict[str, Any] = {"name": side, "description": player, "price": price}
        if not yes_no:
            o["point"] = line
        out.append(o)
    return out


def props_answer(
    event_id: str, quotes: list[Quote], *, timestamp: str | None = None, live: bool = False
) -> bytes:
    """The recorded answer for another event of the day, its bookmakers quoting `quotes`.

    Bookmakers not among the recorded two copy the recorded draftkings entry under their key.
    """
    doc = copy.deepcopy(RECORDED_PROPS)
    if timestamp is not None:
        doc["timestamp"] = timestamp
    data = doc["data"]
    data.update({k: EVENTS[event_id][k] for k in ("id", "commence_time", "home_team", "away_team")})
    books = {b["key"]: b for b in data["bookmakers"]}
    template = books["draftkings"]
    by_book: dict[str, dict[str, Any]] = {}
    for book, market, player, line, over, under in quotes:
        b = by_book.setdefault(book, {**copy.deepcopy(books.get(book, template)), "key": book, "markets": []})
        m = next((m for m in b["markets"] if m["key"] == market), None)
        if m is None:
            m = {"key": market, "last_update": b["last_update"], "outcomes": []}
            b["markets"].append(m)
        m["outcomes"].extend(outcomes(market, player, line, over, under))
    data["bookmakers"] = list(by_book.values())
    return json.dumps(data if live else doc).encode()


def live_events() -> bytes:
    """The live events answer: the recorded events without the historical wrapper."""
    return json.dumps(RECORDED_EVENTS["data"]).encode()
