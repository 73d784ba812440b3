"""Player availability: the recorded NBA.com injury report of 2024-01-04, scraped from a local
server on 127.0.0.1, parsed, turned into ``player_availability``, and read by the predictions.

History comes from the real public archive (2023-24 up to the date); the report is the real
recorded PDF (`../shared/fixtures/payloads/nbac_injury_report/`), served untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from _support import FIXTURES, dates, make_settings
from nbaprops.core.config import HttpSettings
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2024, 1, 4)
OPENER = dt.date(2023, 10, 24)
REPORT = (FIXTURES / "nbac_injury_report" / "raw_f4391904.pdf").read_bytes()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """2023-24 history through DAY, then the day's injury report scraped and parsed."""
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/pdf/referee/injury/Injury-Report_2024-01-04_05PM.pdf").respond_with_data(
        REPORT, content_type="application/pdf"
    )
    home = tmp_path_factory.mktemp("availability") / "home"
    http = HttpSettings(base_urls={"nbac_pdf": server.url_for("/pdf")}, max_attempts=1, rate_per_host=0)
    s = make_settings(home, http=http)
    wh = DuckDBWarehouse(s.warehouse_url)
    runner = Runner(settings=s, warehouse=wh, code_version="test")
    reg = default_registry()
    assert not runner.run([reg.calendar_source], [DAY]).failed
    history = [reg.get("raw_player_boxscores"), reg.get("player_game_summary")]
    assert not runner.run(history, dates(OPENER, DAY)).failed
    scraped = runner.run([reg.get("scrape_nbac_injury_report"), reg.get("raw_nbac_injury_report")], [DAY])
    assert not scraped.failed, scraped.failed
    after = [
        reg.get(n) for n in ("raw_prop_lines", "player_availability", "predictions", "prediction_grades")
    ]
    report = runner.run(after, [DAY])
    assert not report.failed, [o.error for o in report.failed]
    server.stop()
    yield runner
    wh.close()


def test_every_reported_player_has_a_status_as_of_the_report(world: Runner) -> None:
    rows = world.wh.rows(
        "SELECT player_lookup, team, game_code, status, as_of, player_id FROM player_availability"
    )
    assert len(rows) == world.wh.count("raw_nbac_injury_report") == 14  # every listed player, once
    by = {r[0]: r for r in rows}
    assert by["draymondgreen"][1:4] == ("GSW", "20240104_DEN_GSW", "out")
    assert by["dominickbarlow"][3] == "questionable"
    # "01/04/24 12:30 PM" US/Eastern is 17:30 UTC
    assert {r[4] for r in rows} == {dt.datetime(2024, 1, 4, 17, 30, tzinfo=dt.UTC)}
    # names the registry does not know take the id they last played under in the archive
    played = dict(world.wh.rows("SELECT player_lookup, any_value(player_id) FROM raw_player_boxscores "
                                "WHERE game_date < $d GROUP BY 1", {"d": DAY}))  # fmt: skip
    for lk, *_, pid in rows:
        assert pid == played.get(lk)


def test_a_player_ruled_out_gets_no_call(world: Runner) -> None:
    out = {
        pid
        for (pid,) in world.wh.rows(
            "SELECT player_id FROM player_availability WHERE status = 'out' AND player_id IS NOT NULL"
        )
    }
    calls = world.wh.rows(
        "SELECT player_id, recommendation, reason, availability FROM predictions WHERE game_date = $d",
        {"d": DAY},
    )
    ruled_out = [c for c in calls if c[0] in out]
    assert ruled_out, "the report's OUT players who played recently must be among the expected players"
    assert all(c[1:] == ("PASS", "ruled out", "out") for c in ruled_out)
    others = [c for c in calls if c[0] not in out]
    assert others and all(c[2] != "ruled out" for c in others)
    # none of the ruled-out players took the floor that night (the report was right)
    played = {pid for (pid,) in world.wh.rows("SELECT player_id FROM raw_player_boxscores WHERE game_date = $d",
                                              {"d": DAY})}  # fmt: skip
    assert not {c[0] for c in ruled_out} & played


def test_a_player_without_a_box_row_is_never_graded_a_loss(world: Runner) -> None:
    got = world.wh.rows(
        "SELECT g.result, count(*) FROM prediction_grades g "
        "LEFT JOIN raw_player_boxscores b ON b.game_date = g.game_date AND b.player_id = g.player_id "
        "WHERE g.game_date = $d AND b.player_id IS NULL GROUP BY 1",
        {"d": DAY},
    )
    assert got and {r for r, _ in got} <= {"PASS", "VOID"}


def test_a_day_without_a_report_is_an_expected_zero(tmp_path: Path) -> None:
    s = make_settings(tmp_path / "home")
    wh = DuckDBWarehouse(s.warehouse_url)
    runner = Runner(settings=s, warehouse=wh, code_version="test")
    reg = default_registry()
    runner.run([reg.calendar_source], [DAY])
    runner.run([reg.get("raw_player_boxscores")], [DAY])
    report = runner.run([reg.get("player_availability")], [DAY], complete_history=True)
    (o,) = [o for o in report.outcomes if o.processor == "player_availability"]
    assert (o.status, o.rows_written, o.suspicious) == ("success", 0, False)
    wh.close()


def test_the_upcoming_context_knows_who_is_missing(world: Runner) -> None:
    # the morning of DAY: its games are upcoming (today is the day before)
    s = world.settings.model_copy(update={"today": DAY - dt.timedelta(days=1)})
    morning = Runner(settings=s, warehouse=world.wh, code_version="test")
    report = morning.run([default_registry().get("upcoming_player_game_context")], [DAY])
    assert not report.failed, [o.error for o in report.failed]
    rows = world.wh.rows(
        "SELECT team, player_lookup, availability, teammates_out FROM upcoming_player_game_context "
        "WHERE game_date = $d",
        {"d": DAY},
    )
    assert rows
    out_per_team = dict(
        world.wh.rows("SELECT team, count(*) FROM player_availability WHERE status = 'out' GROUP BY 1")
    )
    for team, lookup, status, teammates_out in rows:
        assert teammates_out == out_per_team.get(team, 0) - (status == "out"), (team, lookup)
    assert ("GSW", "garypaytonii", "out") in {r[:3] for r in rows}
    assert {r[2] for r in rows if r[0] == "SAS"} >= {"out", "doubtful", None}
