"""Scraping end to end against a local server on 127.0.0.1 serving the recorded payloads.

The real client, the runner, the raw store, the manifest and the ledger run
unmodified; only the sources' base URLs point at the local server.  Every
fault scenario ends in a stored payload and a success, or in a failed ledger
row with a one-line reason (and nothing downstream silently empty).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from _support import FIXTURES, make_settings
from nbaprops.core.config import HttpSettings, Settings, SourceKeys
from nbaprops.ops.ledger import Ledger
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.raw.players import resolve_alias, unresolved
from nbaprops.pipeline.registry import default_registry
from nbaprops.sources import odds_api
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2024, 1, 15)
SCOREBOARD = (FIXTURES / "nbac_scoreboard_v2" / "raw_055ff78d.json").read_bytes()
BDL_BOX = (FIXTURES / "bdl_box_scores" / "raw_7a649e12.json").read_bytes()
PLAYER_INDEX = (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()
ESPN_EMPTY = (FIXTURES / "espn_scoreboard_api" / "raw_20250214.json").read_bytes()
KEY = "bdl-secret-key-42"


@pytest.fixture
def server(threaded_server: HTTPServer) -> HTTPServer:
    return threaded_server


def settings_for(tmp: Path, server: HTTPServer) -> Settings:
    base = server.url_for("").rstrip("/")
    http = HttpSettings(
        base_urls={"nbac_stats": f"{base}/stats", "bdl": f"{base}/v1", "espn_api": f"{base}/espn"},
        max_attempts=3,
        backoff_base=0.001,
        backoff_max=0.01,
        rate_per_host=0,
        read_timeout=1.5,  # generous: a loaded CI machine must not turn a normal answer into a timeout
    )
    return make_settings(tmp / "home", http=http, keys=SourceKeys(balldontlie=KEY))  # type: ignore[arg-type]


@pytest.fixture
def runner(tmp_path: Path, server: HTTPServer) -> Iterator[Runner]:
    s = settings_for(tmp_path, server)
    wh = DuckDBWarehouse(s.warehouse_url)
    yield Runner(settings=s, warehouse=wh, code_version="test")
    wh.close()


def run(runner: Runner, *names: str, day: dt.date = DAY) -> dict[str, tuple[str, str | None]]:
    reg = default_registry()
    report = runner.run([reg.get(n) for n in names], [day])
    return {o.processor: (o.status, o.error) for o in report.outcomes}


def serve_scoreboard(server: HTTPServer, *faults: Callable[[Request], Response]) -> None:
    for fault in faults:
        server.expect_ordered_request("/stats/scoreboardV2").respond_with_handler(fault)
    server.expect_request("/stats/scoreboardV2", query_string={"GameDate": "2024-01-15", "LeagueID": "00",
                                                               "DayOffset": "0"}).respond_with_data(
        SCOREBOARD, content_type="application/json")  # fmt: skip


def ok(_: Request) -> Response:
    return Response(SCOREBOARD, content_type="application/json")


def status(code: int, **headers: str) -> Callable[[Request], Response]:
    return lambda _: Response("upstream says no", status=code, headers=headers)


def html_page(_: Request) -> Response:
    return Response("<!DOCTYPE html><html><body>Access Denied</body></html>", content_type="text/html")


def corrupt_brotli(_: Request) -> Response:
    return Response(
        b"\x1b\xff\xff garbage" * 8, headers={"Content-Encoding": "br"}, content_type="application/json"
    )


def truncated(_: Request) -> Response:
    r = Response(SCOREBOARD[:500], content_type="application/json")
    r.headers["Content-Length"] = str(len(SCOREBOARD))
    return r


def slow(_: Request) -> Response:
    time.sleep(3.0)
    return ok(_)


def brotli_no_header(_: Request) -> Response:
    return Response(brotli.compress(SCOREBOARD), content_type="application/json")


def gzip_no_header(_: Request) -> Response:
    return Response(gzip.compress(SCOREBOARD), content_type="application/json")


@pytest.mark.parametrize(
    ("faults", "attempts"),
    [
        pytest.param([], 1, id="clean"),
        pytest.param([status(429, **{"Retry-After": "0"})], 2, id="429-retry-after"),
        pytest.param([status(500)], 2, id="500-then-200"),
        pytest.param([slow], 2, id="read-timeout"),
        pytest.param([truncated], 2, id="truncated-body"),
        pytest.param([corrupt_brotli], 2, id="corrupt-brotli-once"),
        pytest.param([html_page], 2, id="html-error-page-200"),
        pytest.param([brotli_no_header], 1, id="brotli-without-header"),
        pytest.param([gzip_no_header], 1, id="gzip-without-header"),
    ],
)
def test_fault_then_success_stores_the_exact_payload(
    runner: Runner, server: HTTPServer, faults: list[Callable[[Request], Response]], attempts: int
) -> None:
    serve_scoreboard(server, *faults)
    got = run(runner, "scrape_nbac_scoreboard_v2", "raw_nbac_games")
    assert got == {"scrape_nbac_scoreboard_v2": ("success", None), "raw_nbac_games": ("success", None)}
    m = runner.wh.query("SELECT * FROM manifest_nbac_scoreboard_v2").to_pylist()
    assert len(m) == 1
    row = m[0]
    assert row["sha256"] == hashlib.sha256(SCOREBOARD).hexdigest()
    assert (row["status"], row["attempts"], row["bytes"], row["empty"]) == (
        200,
        attempts,
        len(SCOREBOARD),
        False,
    )
    assert runner.raw.get(row["path"]) == SCOREBOARD  # untouched, decoded bytes
    games = runner.wh.query("SELECT * FROM raw_nbac_games WHERE game_id = '0022300555'").to_pylist()
    assert (games[0]["away_pts"], games[0]["home_pts"]) == (115, 124)
    assert runner.wh.count("raw_nbac_games") == 11


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        pytest.param(status(503), "HTTP 503", id="5xx-forever"),
        pytest.param(html_page, "HTML page instead of JSON", id="html-forever"),
        pytest.param(corrupt_brotli, "(does not decode|empty body)", id="corrupt-brotli-forever"),
        pytest.param(truncated, "transfer broken", id="truncated-forever"),
    ],
)
def test_persistent_fault_is_a_clear_failed_run(
    runner: Runner, server: HTTPServer, fault: Callable[[Request], Response], reason: str
) -> None:
    server.expect_request("/stats/scoreboardV2").respond_with_handler(fault)
    got = run(runner, "scrape_nbac_scoreboard_v2", "raw_nbac_games")
    status_, error = got["scrape_nbac_scoreboard_v2"]
    assert status_ == "failed" and error is not None
    assert "failed after 3 attempt(s)" in error and re.search(reason, error) and "\n" not in error
    assert len(server.log) == 3  # bounded
    # downstream is failed too, never an empty table
    assert got["raw_nbac_games"][0] == "failed"
    assert not runner.wh.has_table("raw_nbac_games") or runner.wh.count("raw_nbac_games") == 0
    failed = Ledger(runner.wh).runs(status="failed").to_pylist()
    assert {r["processor"] for r in failed} == {"scrape_nbac_scoreboard_v2", "raw_nbac_games"}


def test_404_fails_at_once(runner: Runner, server: HTTPServer) -> None:
    server.expect_request("/stats/scoreboardV2").respond_with_data("gone", status=404)
    got = run(runner, "scrape_nbac_scoreboard_v2")
    assert got["scrape_nbac_scoreboard_v2"][0] == "failed"
    assert "HTTP 404" in (got["scrape_nbac_scoreboard_v2"][1] or "")
    assert len(server.log) == 1


def test_raw_processor_without_a_scrape_fails_clearly(runner: Runner) -> None:
    got = run(runner, "raw_nbac_games")
    assert got["raw_nbac_games"][0] == "failed"
    assert "no stored nbac_scoreboard_v2 payload for 2024-01-15" in (got["raw_nbac_games"][1] or "")


def test_valid_empty_day_is_a_legitimate_zero(runner: Runner, server: HTTPServer) -> None:
    day = dt.date(2025, 2, 14)  # All-Star break: ESPN answers with no events
    server.expect_request("/espn/scoreboard", query_string={"dates": "20250214"}).respond_with_data(
        ESPN_EMPTY, content_type="application/json"
    )
    reg = default_registry()
    report = runner.run([reg.get("scrape_espn_scoreboard_api"), reg.get("raw_espn_games")], [day])
    assert [(o.processor, o.status, o.rows_written, o.suspicious) for o in report.outcomes] == [
        ("scrape_espn_scoreboard_api", "success", 1, False),
        ("raw_espn_games", "success", 0, False),
    ]
    assert runner.wh.rows("SELECT empty FROM manifest_espn_scoreboard_api") == [(True,)]


def test_bdl_key_sent_but_not_stored(runner: Runner, server: HTTPServer) -> None:
    server.expect_request("/v1/box_scores", headers={"Authorization": KEY}).respond_with_data(
        BDL_BOX, content_type="application/json"
    )
    got = run(runner, "scrape_bdl_box_scores")
    assert got["scrape_bdl_box_scores"] == ("success", None)
    stored = runner.wh.query("SELECT * FROM manifest_bdl_box_scores").to_pylist()
    assert KEY not in repr(stored)
    assert all(KEY not in p for p in runner.raw.list("bdl_box_scores"))


def test_registry_queue_and_resolution_picked_up_by_reprocessing(runner: Runner, server: HTTPServer) -> None:
    server.expect_request("/v1/box_scores").respond_with_data(BDL_BOX, content_type="application/json")
    server.expect_request("/stats/playerindex").respond_with_data(
        PLAYER_INDEX, content_type="application/json"
    )
    names = ("raw_nbac_players", "scrape_bdl_box_scores", "raw_bdl_player_boxscores", "player_unresolved")
    got = run(runner, *names)
    assert {v[0] for v in got.values()} == {"success"}, got
    embiid = runner.wh.rows(
        "SELECT nba_player_id FROM raw_bdl_player_boxscores WHERE player_name = 'Joel Embiid'"
    )
    assert embiid == [("203954",)]
    queue = {r["player_name"]: r for r in unresolved(runner.wh).to_pylist()}
    assert queue["Kenyon Martin Jr."]["last_game"] == "20240115_HOU_PHI"
    assert queue["Kenyon Martin Jr."]["seen_in"] == "raw_bdl_player_boxscores"
    assert "Joel Embiid" not in queue

    assert resolve_alias(runner.wh, "Kenyon Martin Jr.", "KJ Martin", source="bdl") == ("kjmartin", "1630231")
    got = run(runner, *names)  # the alias changed the inputs: the raw table and the queue are rebuilt
    assert got["raw_bdl_player_boxscores"][0] == "success" and got["player_unresolved"][0] == "success"
    row = runner.wh.rows(
        "SELECT player_lookup, nba_player_id FROM raw_bdl_player_boxscores WHERE player_name = 'Kenyon Martin Jr.'"
    )
    assert row == [("kjmartin", "1630231")]
    assert "Kenyon Martin Jr." not in {r["player_name"] for r in unresolved(runner.wh).to_pylist()}


def test_scrapes_are_opt_in_in_the_registry() -> None:
    reg = default_registry()
    default = {p.name for p in reg.select()}
    assert "schedule" in default and "raw_player_boxscores" in default  # the walking skeleton is untouched
    assert not default & reg.network()  # `run` and `demo` without -p never need the network
    assert {"scrape_nbac_scoreboard_v2", "raw_nbac_games", "player_unresolved"} <= reg.network()
    assert "scrape_bdl_box_scores" in {p.name for p in reg.select(phases=[1])}
    assert [p.name for p in reg.select(["raw_nbac_games"])] == ["raw_nbac_games"]


def test_cli_run_and_scrape_against_the_local_server(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from _support import DATA
    from nbaprops.cli import app

    serve_scoreboard(server)
    base = server.url_for("").rstrip("/")
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("NBAPROPS_HTTP__BASE_URLS", json.dumps({"nbac_stats": f"{base}/stats"}))
    monkeypatch.setenv("COLUMNS", "200")
    cli = CliRunner()
    res = cli.invoke(app, ["run", "--date", "2024-01-15", "-p", "scrape_nbac_scoreboard_v2,raw_nbac_games"])
    assert res.exit_code == 0, res.output
    wh = DuckDBWarehouse(tmp_path / "home" / "warehouse.duckdb", read_only=True)
    assert wh.count("raw_nbac_games") == 11
    wh.close()
    res = cli.invoke(app, ["scrape", "nbac_scoreboard_v2", "--date", "2024-01-15"])
    assert res.exit_code == 0 and "200" in res.output, res.output
    server.clear()
    server.expect_request("/stats/scoreboardV2").respond_with_data("down", status=500)
    monkeypatch.setenv("NBAPROPS_HTTP__MAX_ATTEMPTS", "2")
    monkeypatch.setenv("NBAPROPS_HTTP__BACKOFF_BASE", "0")
    res = cli.invoke(app, ["scrape", "nbac_scoreboard_v2", "--date", "2024-01-16"])
    out = res.output.strip()
    assert res.exit_code == 1 and "failed after 2 attempt(s): HTTP 500" in out
    assert "Traceback" not in out and len(out.splitlines()) == 1, out


ODDS_EVENTS = (FIXTURES / "oddsa_events_his" / "raw_4c3bc8f6.json").read_bytes()
ODDS_RECORDED = (FIXTURES / "oddsa_player_props_his" / "raw_815b3ee3.json").read_bytes()


def _props_payload(event: dict[str, str], *, with_props: bool) -> bytes:
    doc = json.loads(ODDS_RECORDED)
    doc["data"].update({k: event[k] for k in ("id", "commence_time", "home_team", "away_team")})
    if with_props:  # the recorded event, its markets replaced by a player points market
        for b in doc["data"]["bookmakers"]:
            b["markets"] = [{"key": "player_points", "last_update": "2024-01-25T03:55:22Z", "outcomes": [
                {"name": "Over", "description": "Stephen Curry", "price": 1.9, "point": 27.5},
                {"name": "Under", "description": "Stephen Curry", "price": 1.87, "point": 27.5}]}]  # fmt: skip
    else:
        doc["data"]["bookmakers"] = []
    return json.dumps(doc).encode()


def serve_odds(server: HTTPServer, *, recorded: bool = False) -> None:
    events = {e["id"]: e for e in json.loads(ODDS_EVENTS)["data"]}
    server.expect_request(
        "/odds/historical/sports/basketball_nba/events",
        query_string={"date": "2024-01-24T15:00:00Z", "apiKey": "ok"},
    ).respond_with_data(ODDS_EVENTS, content_type="application/json")

    def props(request: Request) -> Response:
        event_id = request.path.split("/")[-2]
        assert request.args["markets"] == odds_api.PROP_MARKETS and request.args["apiKey"] == "ok"
        if recorded:
            return Response(ODDS_RECORDED, content_type="application/json")
        body = _props_payload(events[event_id], with_props=event_id.startswith("cd0bc7d0"))
        return Response(body, content_type="application/json")

    server.expect_request(
        re.compile(r"/odds/historical/sports/basketball_nba/events/\w+/odds")
    ).respond_with_handler(props)


def odds_runner(tmp_path: Path, server: HTTPServer) -> Runner:
    s = settings_for(tmp_path, server)
    base = server.url_for("").rstrip("/")
    s = s.model_copy(update={"http": s.http.model_copy(update={"base_urls": {"odds_api": f"{base}/odds"}}),
                             "keys": SourceKeys(odds_api="ok")})  # type: ignore[arg-type]  # fmt: skip
    return Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")


def test_odds_props_two_step_scrape_end_to_end(tmp_path: Path, server: HTTPServer) -> None:
    serve_odds(server)
    r = odds_runner(tmp_path, server)
    got = run(r, "scrape_oddsa_player_props_his", "raw_oddsa_prop_lines", day=dt.date(2024, 1, 24))
    assert got == {
        "scrape_oddsa_player_props_his": ("success", None),
        "raw_oddsa_prop_lines": ("success", None),
    }
    kinds = r.wh.rows(
        "SELECT kind, count(*), sum(empty::INT) FROM manifest_oddsa_player_props_his GROUP BY 1 ORDER BY 1"
    )
    assert kinds == [
        ("oddsa_events_his", 1, 0),
        ("oddsa_player_props_his", 3, 2),
    ]  # 3 events on the 24th (ET)
    assert "ok" not in repr(
        r.wh.query("SELECT params, path FROM manifest_oddsa_player_props_his").to_pylist()
    )
    lines = r.wh.query("SELECT * FROM raw_oddsa_prop_lines ORDER BY bookmaker").to_pylist()
    assert [
        (x["bookmaker"], x["player_lookup"], x["line"], x["over_price"], x["under_price"]) for x in lines
    ] == [
        ("draftkings", "stephencurry", 27.5, 1.9, 1.87),
        ("fanduel", "stephencurry", 27.5, 1.9, 1.87),
    ]
    assert {x["game_code"] for x in lines} == {"20240124_ATL_GSW"}
    assert lines[0]["snapshot_time"] == dt.datetime(2024, 1, 25, 3, 55, 40, tzinfo=dt.UTC)
    r.wh.close()


def test_parser_failure_never_costs_the_payload(tmp_path: Path, server: HTTPServer) -> None:
    serve_odds(server, recorded=True)  # the recorded payload holds game lines, not props
    r = odds_runner(tmp_path, server)
    got = run(r, "scrape_oddsa_player_props_his", "raw_oddsa_prop_lines", day=dt.date(2024, 1, 24))
    assert got["scrape_oddsa_player_props_his"] == ("success", None)
    status_, error = got["raw_oddsa_prop_lines"]
    assert status_ == "failed" and "no player_* market" in (error or "")
    paths = [
        p
        for (p,) in r.wh.rows(
            "SELECT path FROM manifest_oddsa_player_props_his WHERE kind = 'oddsa_player_props_his'"
        )
    ]
    assert len(paths) == 3 and all(r.raw.get(p) == ODDS_RECORDED for p in paths)  # stored untouched
    r.wh.close()


def test_injury_report_pdf_scrape_and_parse(runner: Runner, server: HTTPServer) -> None:
    pdf = (FIXTURES / "nbac_injury_report" / "raw_f4391904.pdf").read_bytes()
    base = server.url_for("").rstrip("/")
    runner.settings.http.base_urls["nbac_pdf"] = f"{base}/pdf"
    server.expect_request("/pdf/referee/injury/Injury-Report_2024-01-04_05PM.pdf").respond_with_data(
        pdf, content_type="application/pdf"
    )
    got = run(runner, "scrape_nbac_injury_report", "raw_nbac_injury_report", day=dt.date(2024, 1, 4))
    assert got == {
        "scrape_nbac_injury_report": ("success", None),
        "raw_nbac_injury_report": ("success", None),
    }
    rows = runner.wh.rows(
        "SELECT status, reason FROM raw_nbac_injury_report WHERE player_lookup = 'draymondgreen'"
    )
    assert rows == [("Out", "League Suspension")]
    assert runner.wh.count("raw_nbac_injury_report") == 14
