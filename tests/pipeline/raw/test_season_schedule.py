"""NBA.com's season schedule as a schedule source: scraped once, it names every game of the season.

The recorded ``scheduleleaguev2`` payload of 2024-25 (`nbac_schedule_api/raw_80cb1fd6.json.gz`,
served decompressed by a local server on 127.0.0.1: the recording is the stored gzip body) is
scraped for one date; ``raw_nbac_schedule`` parses the whole season from it, and ``schedule``
then serves every game of 2024-25 from it (it ranks above the archive).  The check is against
the real archive: the same games, scores, ids and types, game for game.
"""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pyarrow.parquet as pq
from pytest_httpserver import HTTPServer

from _support import DATA, FIXTURES, make_settings
from nbaprops.core.config import HttpSettings
from nbaprops.core.ids import game_code_from_key
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

REG = default_registry()
SEASON = "2024-25"
PAYLOAD = gzip.decompress((FIXTURES / "nbac_schedule_api" / "raw_80cb1fd6.json.gz").read_bytes())
NEUTRAL = dt.date(2025, 1, 25)
"""San Antonio vs Indiana in Paris: the archive oriented it alphabetically (IND at SAS), NBA.com
names Indiana the home team."""


def test_the_season_schedule_serves_every_game_of_the_season_as_the_archive_has_it(tmp_path: Path) -> None:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request(
        "/stats/scheduleleaguev2", query_string={"LeagueID": "00", "Season": SEASON}
    ).respond_with_data(PAYLOAD, content_type="application/json")
    base = server.url_for("").rstrip("/")
    s = make_settings(tmp_path / "home", http=HttpSettings(base_urls={"nbac_stats": f"{base}/stats"},
                                                           max_attempts=1, rate_per_host=0))  # fmt: skip
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    names = ("scrape_nbac_schedule_api", "raw_nbac_schedule", "schedule", "source_disagreements")
    report = runner.run([REG.get(n) for n in names], [NEUTRAL], complete_history=True)
    server.stop()
    assert not report.failed, [o.error for o in report.failed]

    parsed = dict(runner.wh.rows("SELECT season_type, count(*) FROM raw_nbac_schedule GROUP BY 1"))
    assert parsed["preseason"] and parsed["all_star"]  # in the payload, left out of the schedule
    got = {r["game_code"]: r for r in runner.wh.query(
        "SELECT * FROM schedule WHERE season = $s", {"s": SEASON}).to_pylist()}  # fmt: skip
    archive = pq.read_table(DATA / "games.parquet", filters=[("season", "=", SEASON)]).to_pylist()
    fields = ("home_team", "away_team", "home_pts", "away_pts", "game_id", "season_type", "status")
    want = {game_code_from_key(g["game_key"]): {f: g[f] for f in fields} for g in archive}
    assert {c: {f: r[f] for f in fields} for c, r in got.items()} == want  # game for game
    assert {r["source"] for r in got.values()} == {"nbac_schedule"}
    # the neutral-site game keeps the archive's code (its box scores use it); the other
    # orientation is recorded, not hidden
    (code,) = [c for c, r in got.items() if r["game_date"] == NEUTRAL and r["home_away_ambiguous"]]
    rows = runner.wh.query(
        "SELECT * FROM source_disagreements WHERE game_date = $d", {"d": NEUTRAL}
    ).to_pylist()
    assert [(r["game_code"], r["check"], r["source"]) for r in rows] == [(code, "home_away", "nbac_schedule")]
    runner.wh.close()
