"""Prop lines from the scraped sources, every market, every snapshot kept.

The date is 2024-01-24 (US/Eastern): the public archive holds no prop line of any market for it
(`props_points.parquet` and `props_other_markets.parquet` start later or skip it), so its lines
can only come from the scrape.  A local server on 127.0.0.1 serves The Odds API: the recorded
events of the date (`oddsa_events_his/raw_4c3bc8f6.json`; live: the same list unwrapped) and, per
event, props answers built from the recorded event answer (`tests/_odds_props.py` says how: no
recording holds a player market), with the recorded NBA.com player index for the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from _odds_props import DAY_EVENTS, RECORDED_EVENTS, live_events, props_answer
from _support import ARCHIVE_HISTORY, FIXTURES, dates, make_settings
from nbaprops.core.config import HttpSettings, SourceKeys
from nbaprops.ops.ledger import Ledger
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2024, 1, 24)
REG = default_registry()
PLAYER_INDEX = (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()
DAL, SAS, GSW = DAY_EVENTS
MORNING = {
    DAL: [
        ("draftkings", "player_points", "Luka Doncic", 33.5, 1.87, 1.95),  # the book drops the accent
        ("fanduel", "player_points", "Luka Doncic", 33.5, 1.91, 1.91),
        ("draftkings", "player_rebounds", "Luka Doncic", 8.5, 1.8, 2.0),
        ("draftkings", "player_points", "Devin Booker", 27.5, 1.91, 1.91),
        ("draftkings", "player_points", "Dereck Lively", 8.5, 1.91, 1.91),  # index: "Dereck Lively II"
    ],
    SAS: [
        ("draftkings", "player_points", "Shai Gilgeous-Alexander", 31.5, 1.87, 1.95),
        ("draftkings", "player_assists", "Shai Gilgeous-Alexander", 6.5, 1.95, 1.87),
        ("fanduel", "player_points_rebounds_assists", "Victor Wembanyama", 33.5, 1.87, 1.93),
        ("fanduel", "player_blocks", "Victor Wembanyama", 3.5, 2.1, 1.74),
    ],
    GSW: [
        ("draftkings", "player_threes", "Stephen Curry", 4.5, 1.74, 2.1),
        ("draftkings", "player_points", "Trae Young", 27.5, 1.87, 1.95),
        ("draftkings", "player_double_double", "Trae Young", None, 1.53, 2.4),
    ],
}
MOVED = ("draftkings", "player_points", "Devin Booker", 28.5, 1.91, 1.91)
"""The second snapshot: DraftKings moved Booker's points line from 27.5 to 28.5."""


class OddsServer:
    """The Odds API on 127.0.0.1: live and historical events and props, the props of a round."""

    def __init__(self, server: HTTPServer) -> None:
        self.server, self.quotes = server, {k: list(v) for k, v in MORNING.items()}
        server.expect_request("/stats/playerindex").respond_with_data(
            PLAYER_INDEX, content_type="application/json"
        )
        server.expect_request("/odds/sports/basketball_nba/events").respond_with_data(
            live_events(), content_type="application/json"
        )
        server.expect_request(
            "/odds/historical/sports/basketball_nba/events",
            query_string={"date": "2024-01-24T15:00:00Z", "apiKey": "k"},
        ).respond_with_data(RECORDED_EVENTS and _his_events(), content_type="application/json")
        server.expect_request(
            re.compile(r"/odds/(historical/)?sports/basketball_nba/events/\w+/odds")
        ).respond_with_handler(self.props)

    def props(self, request: Request) -> Response:
        event_id = request.path.split("/")[-2]
        live = not request.path.startswith("/odds/historical/")
        body = props_answer(event_id, self.quotes.get(event_id, []), live=live)
        return Response(body, content_type="application/json")


def _his_events() -> bytes:
    return (FIXTURES / "oddsa_events_his" / "raw_4c3bc8f6.json").read_bytes()


def _runner(tmp: Path, server: HTTPServer) -> Runner:
    base = server.url_for("").rstrip("/")
    http = HttpSettings(base_urls={"odds_api": f"{base}/odds", "nbac_stats": f"{base}/stats"}, max_attempts=1,
                        rate_per_host=0)  # fmt: skip
    s = make_settings(tmp / "home", http=http, keys=SourceKeys(odds_api="k"))  # type: ignore[arg-type]
    return Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")


@pytest.fixture
def odds(threaded_server: HTTPServer) -> OddsServer:
    return OddsServer(threaded_server)


@pytest.fixture
def runner(tmp_path: Path, odds: OddsServer) -> Iterator[Runner]:
    r = _runner(tmp_path, odds.server)
    assert not r.run([REG.get("raw_nbac_players")], [DAY]).failed
    yield r
    r.wh.close()


def _run(runner: Runner, *names: str) -> dict[str, str]:
    report = runner.run([REG.get(n) for n in names], [DAY])
    assert not report.failed, [o.error for o in report.failed]
    return {o.processor: o.status for o in report.outcomes}


LIVE = ("scrape_oddsa_player_props", "raw_oddsa_live_prop_lines")


def test_two_live_scrapes_keep_two_snapshots(runner: Runner, odds: OddsServer) -> None:
    assert _run(runner, *LIVE) == dict.fromkeys(LIVE, "success")
    odds.quotes[DAL] = [MOVED if q[2] == "Devin Booker" else q for q in odds.quotes[DAL]]
    assert _run(runner, *LIVE) == dict.fromkeys(LIVE, "success")  # nothing skipped as unchanged
    manifest = runner.wh.rows(
        "SELECT kind, count(*), count(DISTINCT fetched_at), count(DISTINCT sha256) FROM manifest_oddsa_player_props "
        "GROUP BY 1 ORDER BY 1"
    )
    # two observations of the events and of each of the 3 events' props; one props body changed
    assert manifest == [("oddsa_events", 2, 2, 1), ("oddsa_player_props", 6, 6, 4)]
    booker = runner.wh.rows(
        "SELECT snapshot_time, line FROM raw_oddsa_live_prop_lines WHERE player_name = 'Devin Booker' "
        "ORDER BY snapshot_time"
    )
    assert [line for _, line in booker] == [27.5, 28.5] and booker[0][0] < booker[1][0]
    # every quote of the first observation is still there, and again in the second (a snapshot
    # is one event's answer: the moment it was fetched)
    snaps = runner.wh.rows(
        "SELECT event_id, snapshot_time, count(*) FROM raw_oddsa_live_prop_lines GROUP BY 1, 2 ORDER BY 1, 2"
    )
    assert [(e, c) for e, _, c in snaps] == [(e, len(MORNING[e])) for e in sorted(MORNING) for _ in (1, 2)]
    fetched = {f for (f,) in runner.wh.rows("SELECT fetched_at FROM manifest_oddsa_player_props "
                                             "WHERE kind = 'oddsa_player_props'")}  # fmt: skip
    assert {t for _, t, _ in snaps} == fetched  # a live snapshot is the moment it was fetched
    runs = Ledger(runner.wh).runs(processor="scrape_oddsa_player_props").to_pylist()
    assert [r["status"] for r in runs] == ["success", "success"]


def test_both_snapshots_reach_raw_prop_lines_with_their_times(runner: Runner, odds: OddsServer) -> None:
    assert not runner.run([REG.calendar_source], [DAY]).failed
    _run(runner, *LIVE, "raw_prop_lines")
    odds.quotes[DAL] = [MOVED if q[2] == "Devin Booker" else q for q in odds.quotes[DAL]]
    assert _run(runner, *LIVE, "raw_prop_lines") == dict.fromkeys((*LIVE, "raw_prop_lines"), "success")
    booker = runner.wh.rows(
        "SELECT snapshot, snapshot_time, line, over_odds, is_primary_line, source FROM raw_prop_lines "
        "WHERE game_date = $d AND player_name = 'Devin Booker' ORDER BY snapshot_time",
        {"d": DAY},
    )
    assert [(line, odds_, p, src) for _, _, line, odds_, p, src in booker] == [
        (27.5, -110.0, True, "odds_api"),
        (28.5, -110.0, True, "odds_api"),
    ]
    (s1, t1, *_), (s2, t2, *_) = booker
    assert t1 < t2 and s1 != s2 and s1.endswith("Z")  # the label is the time in ISO form
    fetched = {f for (f,) in runner.wh.rows("SELECT fetched_at FROM manifest_oddsa_player_props")}
    assert {t1, t2} <= fetched
    runs = {
        p: [r["status"] for r in Ledger(runner.wh).runs(processor=p).to_pylist()]
        for p in ("scrape_oddsa_player_props", "raw_oddsa_live_prop_lines", "raw_prop_lines")
    }
    assert runs == {p: ["success", "success"] for p in runs}  # the ledger shows both passes


def test_an_identical_answer_later_is_another_observation(runner: Runner) -> None:
    _run(runner, *LIVE)
    _run(runner, *LIVE)
    rows = runner.wh.rows(
        "SELECT count(*), count(DISTINCT path), count(DISTINCT fetched_at) FROM manifest_oddsa_player_props "
        "WHERE kind = 'oddsa_player_props'"
    )
    assert rows == [(6, 3, 6)]  # one stored copy per body, one manifest row per observation
    lines = runner.wh.rows(
        "SELECT count(DISTINCT snapshot_time), count(*) FROM raw_oddsa_live_prop_lines "
        "WHERE player_name = 'Luka Doncic' AND market = 'player_points'"
    )
    assert lines == [(2, 4)]  # 2 books x 2 observations of an unchanged line


def test_names_resolve_through_the_registry_and_the_rest_wait_in_the_queue(runner: Runner) -> None:
    _run(runner, *LIVE, "player_unresolved")
    ids = dict(runner.wh.rows("SELECT DISTINCT player_name, nba_player_id FROM raw_oddsa_live_prop_lines"))
    # the book's "Luka Doncic" is the index's "Luka Dončić"; "Dereck Lively" (index: "... II") is not
    assert ids["Luka Doncic"] == "1629029" and ids["Shai Gilgeous-Alexander"] == "1628983"
    assert {n for n, i in ids.items() if i is None} == {"Dereck Lively"}
    queued = runner.wh.rows("SELECT source, player_name, game_code, seen_in FROM player_unresolved")
    assert queued == [("odds_api", "Dereck Lively", "20240124_PHX_DAL", "raw_oddsa_live_prop_lines")]


# --- the canonical table and the predictions of a date the archive has no line for ---------------
HIS = ("scrape_oddsa_player_props_his", "raw_oddsa_prop_lines")
OPENER = dt.date(2023, 10, 24)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """History from the archive up to the day before; the day's lines only from the scrape."""
    server = HTTPServer(host="127.0.0.1")
    server.start()
    OddsServer(server)
    r = _runner(tmp_path_factory.mktemp("lines"), server)
    assert r.public_data().read_date("props_points", DAY).num_rows == 0
    assert r.public_data().read_date("props_other_markets", DAY).num_rows == 0
    assert not r.run([REG.calendar_source], [DAY]).failed
    history = [REG.get(n) for n in ARCHIVE_HISTORY]
    assert not r.run(history, dates(OPENER, DAY - dt.timedelta(days=1))).failed
    _run(r, "raw_nbac_players", *HIS, *LIVE, "player_unresolved")
    report = r.run(REG.select(), [DAY])  # every default processor of every phase
    assert not report.failed, [o.error for o in report.failed]
    server.stop()
    yield r
    r.wh.close()


def test_the_scrape_serves_every_market_of_a_date_absent_from_the_archive(day: Runner) -> None:
    got = day.wh.rows(
        "SELECT source, market, count(*), count(snapshot_time), count(player_id) FROM raw_prop_lines "
        "WHERE game_date = $d GROUP BY 1, 2 ORDER BY 1, 2",
        {"d": DAY},
    )
    # per market: the historical snapshot and the live one, every row timestamped
    per_market: dict[str, int] = {}
    for quotes in MORNING.values():
        for q in quotes:
            per_market[q[1]] = per_market.get(q[1], 0) + 2
    lively = 2  # his + live: the one name the registry cannot resolve (in the queue)
    assert [(s, m, n, t) for s, m, n, t, _ in got] == [
        ("odds_api", m, n, n) for m, n in sorted(per_market.items())
    ]
    assert sum(n - ids for *_, n, _, ids in got) == lively
    luka = day.wh.rows(
        "SELECT DISTINCT player_id, game_key, bookmaker, line, over_odds, under_odds FROM raw_prop_lines "
        "WHERE game_date = $d AND player_name = 'Luka Doncic' AND market = 'player_points' ORDER BY bookmaker",
        {"d": DAY},
    )
    assert luka == [(1629029, "2024-01-24_PHX@DAL", "draftkings", 33.5, -115.0, -105.0),
                    (1629029, "2024-01-24_PHX@DAL", "fanduel", 33.5, -110.0, -110.0)]  # fmt: skip
    his = day.wh.rows("SELECT DISTINCT snapshot, snapshot_time FROM raw_prop_lines WHERE game_date = $d AND "
                      "event_id = $e AND snapshot_time < '2024-02-01'", {"d": DAY, "e": GSW})  # fmt: skip
    assert his == [("2024-01-25T03:55:40Z", dt.datetime(2024, 1, 25, 3, 55, 40, tzinfo=dt.UTC))]


def test_predictions_of_that_date_use_the_scraped_points_lines(day: Runner) -> None:
    calls = dict(
        day.wh.rows(
            "SELECT player_name, line FROM predictions WHERE game_date = $d AND line IS NOT NULL", {"d": DAY}
        )
    )
    points = {q[2]: q[3] for quotes in MORNING.values() for q in quotes if q[1] == "player_points"}
    resolved = {n: v for n, v in points.items() if n != "Dereck Lively"}
    assert {n: calls.get(n) or calls.get("Luka Dončić") for n in resolved} == resolved
    graded = day.wh.rows("SELECT count(*) FROM prediction_grades WHERE game_date = $d AND line IS NOT NULL",
                         {"d": DAY})  # fmt: skip
    assert graded[0][0] >= len(resolved)


def test_bad_quotes_are_flagged_and_kept_out_and_a_bad_line_fails_in_one_line(
    runner: Runner, odds: OddsServer
) -> None:
    assert not runner.run([REG.calendar_source], [DAY]).failed
    odds.quotes[SAS] = [
        *MORNING[SAS],
        ("draftkings", "player_rebounds", "Victor Wembanyama", 10.5, 0, 1.9),  # odds of 0
        ("fanduel", "player_rebounds", "Victor Wembanyama", 10.5, 150, 120),  # American read as decimal
        ("novelbook", "player_points", "Victor Wembanyama", 20.5, 1.9, 1.9),  # unknown book
        ("draftkings", "player_first_basket", "Victor Wembanyama", 0.5, 6.0, 1.1),  # unknown market
    ]
    _run(runner, *LIVE, "raw_prop_lines")
    flagged = runner.wh.rows(
        "SELECT bookmaker, market, over_price, under_price, flag FROM raw_oddsa_live_prop_lines "
        "WHERE flag IS NOT NULL ORDER BY bookmaker, market"
    )
    assert [(b, m, o, u) for b, m, o, u, _ in flagged] == [
        ("draftkings", "player_first_basket", 6.0, 1.1),
        ("draftkings", "player_rebounds", None, None),  # a bad price is nulled, never passed on
        ("fanduel", "player_rebounds", None, None),
        ("novelbook", "player_points", 1.9, 1.9),
    ]
    canonical = runner.wh.rows(
        "SELECT count(*) FROM raw_prop_lines WHERE game_date = $d AND player_name = 'Victor Wembanyama'",
        {"d": DAY},
    )
    assert canonical == [(2,)]  # his PRA and blocks lines; none of the four flagged quotes
    # a line that is not a number: the parse fails naming book, market, player and payload
    odds.quotes[SAS] = [("draftkings", "player_points", "Victor Wembanyama", "20.5a", 1.9, 1.9)]
    report = runner.run([REG.get(n) for n in LIVE], [DAY])
    (bad,) = report.failed
    assert bad.processor == "raw_oddsa_live_prop_lines" and bad.error is not None
    assert "line '20.5a' is not a number (draftkings player_points Victor Wembanyama)" in bad.error
    assert "\n" not in bad.error
    assert runner.wh.rows("SELECT count(*) FROM raw_oddsa_live_prop_lines WHERE flag IS NOT NULL") == [(4,)]


def test_the_historical_snapshot_is_fixed_so_a_rerun_is_skipped(runner: Runner) -> None:
    assert _run(runner, *HIS) == dict.fromkeys(HIS, "success")
    assert _run(runner, *HIS) == dict.fromkeys(HIS, "skipped")  # same request, same snapshot
    snaps = runner.wh.rows("SELECT DISTINCT snapshot_time FROM raw_oddsa_prop_lines")
    assert snaps == [(dt.datetime(2024, 1, 25, 3, 55, 40, tzinfo=dt.UTC),)]  # the recorded timestamp
