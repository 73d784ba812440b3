"""The live path, end to end: tonight's scrapes flow through every phase into calls and grades.

The date is 2024-01-15, taken **out** of the public archive (a copy of the data folder without
that date's box scores; the history before it stays).  Its box scores come only from the
recorded balldontlie payload (`../shared/fixtures/payloads/bdl_box_scores/raw_7a649e12.json`),
served untouched by a local server on 127.0.0.1 with the recorded NBA.com player index for the
registry.  scrape -> parse -> canonical raw -> analytics -> precompute -> predictions -> grades.

The fallback test keeps one game (IND@UTA) in the archive and removes it from the balldontlie
payload (built in the test from the recorded one), so that game must fall back to the archive.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pytest_httpserver import HTTPServer

from _support import DATA, FIXTURES, dates, make_settings
from nbaprops.core.config import HttpSettings, SourceKeys
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.raw.players import resolve_alias
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2024, 1, 15)
OPENER = dt.date(2023, 10, 24)
BDL_BOX = json.loads((FIXTURES / "bdl_box_scores" / "raw_7a649e12.json").read_bytes())
PLAYER_INDEX = (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()
KEPT = "20240115_IND_UTA"
"""The game the fallback test leaves in the archive and removes from balldontlie."""
REG = default_registry()
SCRAPE = ("raw_nbac_players", "scrape_bdl_box_scores", "raw_bdl_player_boxscores", "player_unresolved")
DOWNSTREAM = ("raw_player_boxscores", "player_game_summary", "team_defense_game_summary", "raw_prop_lines",
              "player_availability", "player_daily_cache", "predictions", "prediction_grades")  # fmt: skip


def _archive_without(tmp: Path, *, keep: str | None = None) -> Path:
    """A data folder like ../shared/data/nba without DAY's box scores (except game `keep`)."""
    data = tmp / "data"
    data.mkdir()
    for f in DATA.iterdir():
        if f.name != "player_boxscores.parquet":
            (data / f.name).symlink_to(f)
    box = pq.read_table(DATA / "player_boxscores.parquet")
    day = pc.equal(pc.cast(box["game_date"], "date32"), DAY)
    if keep is not None:
        away, home = keep.split("_")[1:]
        day = pc.and_(day, pc.invert(pc.equal(box["game_key"], f"{DAY}_{away}@{home}")))
    pq.write_table(box.filter(pc.invert(day)), data / "player_boxscores.parquet")
    return data


def _world(tmp: Path, payload: dict[str, object], *, keep: str | None = None) -> tuple[Runner, HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/v1/box_scores").respond_with_data(
        json.dumps(payload), content_type="application/json"
    )
    server.expect_request("/stats/playerindex").respond_with_data(
        PLAYER_INDEX, content_type="application/json"
    )
    base = server.url_for("").rstrip("/")
    http = HttpSettings(
        base_urls={"nbac_stats": f"{base}/stats", "bdl": f"{base}/v1"}, max_attempts=1, rate_per_host=0
    )
    s = make_settings(tmp / "home", data_dir=_archive_without(tmp, keep=keep), http=http,
                      keys=SourceKeys(balldontlie="test-key"))  # type: ignore[arg-type]  # fmt: skip
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    # history from the archive: the season up to the day before
    assert not runner.run([REG.calendar_source], [DAY]).failed
    history = [
        REG.get(n) for n in ("raw_player_boxscores", "player_game_summary", "team_defense_game_summary")
    ]
    assert not runner.run(history, dates(OPENER, DAY - dt.timedelta(days=1))).failed
    # tonight: scrape and parse, then every phase
    scraped = runner.run([REG.get(n) for n in SCRAPE], [DAY])
    assert not scraped.failed, [o.error for o in scraped.failed]
    return runner, server


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    runner, server = _world(tmp_path_factory.mktemp("live"), BDL_BOX)
    report = runner.run(REG.select(), [DAY])  # every default processor of every phase
    assert not report.failed, [o.error for o in report.failed]
    server.stop()
    yield runner
    runner.wh.close()


def test_the_day_is_absent_from_the_archive_and_served_by_balldontlie(live: Runner) -> None:
    assert live.public_data().read_date("player_boxscores", DAY).num_rows == 0
    served = dict(live.wh.rows("SELECT source, count(DISTINCT game_code) FROM raw_player_boxscores "
                               "WHERE game_date = $d GROUP BY 1", {"d": DAY}))  # fmt: skip
    assert served == {"bdl": 11}


def test_scraped_points_equal_the_real_archive_for_every_resolved_player(live: Runner) -> None:
    truth = pq.read_table(DATA / "player_boxscores.parquet")
    truth = truth.filter(pc.equal(pc.cast(truth["game_date"], "date32"), DAY))
    real = dict(zip(truth["player_id"].to_pylist(), truth["pts"].to_pylist(), strict=True))
    got = dict(
        live.wh.rows("SELECT player_id, pts FROM raw_player_boxscores WHERE game_date = $d", {"d": DAY})
    )
    assert len(got) >= 0.95 * len(real)  # every resolved player; the rest wait in the queue
    assert {pid: real[pid] for pid in got} == got
    # a played row that is not in the canonical table waits, by its source name, in the queue
    played = {n for (n,) in live.wh.rows("SELECT player_name FROM raw_bdl_player_boxscores "
                                         "WHERE minutes > 0 AND dnp_reason IS NULL")}  # fmt: skip
    loaded = {n for (n,) in live.wh.rows("SELECT player_name FROM raw_player_boxscores WHERE game_date = $d",
                                         {"d": DAY})}  # fmt: skip
    queued = {n for (n,) in live.wh.rows("SELECT player_name FROM player_unresolved")}
    waiting = played - loaded
    assert waiting and waiting <= queued
    assert len(played) == len(real) and len(got) == len(real) - len(waiting)


def test_every_phase_ran_on_the_scraped_day(live: Runner) -> None:
    n = {t: live.wh.count(t, REG.get(t).partition_for(DAY)) for t in DOWNSTREAM if t not in
         ("raw_prop_lines", "player_availability")}  # fmt: skip
    assert all(v > 0 for v in n.values()), n
    # the summary's points are the scraped ones, and a call was graded against them
    graded = live.wh.rows(
        "SELECT g.actual_points, b.pts FROM prediction_grades g JOIN raw_player_boxscores b "
        "ON b.game_date = g.game_date AND b.player_id = g.player_id WHERE g.game_date = $d",
        {"d": DAY},
    )
    assert graded and all(a == b for a, b in graded)


def test_an_unresolved_name_is_queued_blocks_nothing_and_joins_once_resolved(tmp_path: Path) -> None:
    runner, server = _world(tmp_path, BDL_BOX)
    procs = [REG.get(n) for n in DOWNSTREAM[:2]]
    assert not runner.run(procs, [DAY]).failed
    q = "SELECT count(*) FROM raw_player_boxscores WHERE game_date = $d AND player_name = 'Kenyon Martin Jr.'"
    assert runner.wh.rows(q, {"d": DAY}) == [(0,)]  # waiting in the queue, the rest loaded
    resolve_alias(runner.wh, "Kenyon Martin Jr.", "KJ Martin", source="bdl")
    assert not runner.run([*(REG.get(n) for n in SCRAPE), *procs], [DAY]).failed
    assert runner.wh.rows(q, {"d": DAY}) == [(1,)]
    server.stop()
    runner.wh.close()


def test_a_game_the_first_source_lacks_falls_back_to_the_next(tmp_path: Path) -> None:
    away, home = KEPT.split("_")[1:]
    payload = {"data": [g for g in BDL_BOX["data"]  # type: ignore[index]
                        if (g["visitor_team"]["abbreviation"], g["home_team"]["abbreviation"]) != (away, home)]}  # fmt: skip
    runner, server = _world(tmp_path, payload, keep=KEPT)
    assert not runner.run([REG.get("raw_player_boxscores")], [DAY]).failed
    served = dict(runner.wh.rows("SELECT game_code, any_value(source) FROM raw_player_boxscores "
                                 "WHERE game_date = $d GROUP BY 1", {"d": DAY}))  # fmt: skip
    assert served.pop(KEPT) == "public_archive"
    assert len(served) == 10 and set(served.values()) == {"bdl"}
    server.stop()
    runner.wh.close()
