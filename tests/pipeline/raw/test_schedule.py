"""The canonical schedule: every games source, priority per field, fallback per game; and the
disagreements between sources, recorded and shown by `validate`.

The scraped date is 2024-01-15, taken **out** of the archive's ``games.parquet`` (a copy of the
data folder without that date's games; its box scores stay, as one more box-score source).  Its
games come from recorded payloads served untouched or nearly so by a local server on 127.0.0.1:

* NBA.com scoreboardV2 (`nbac_scoreboard_v2/raw_055ff78d.json`) **without** two games, removed
  in the test from the recorded payload (their GameHeader and LineScore rows): ``NBAC_LACKS``
  must then come from balldontlie, ``ESPN_ONLY`` from ESPN;
* balldontlie ``/games``: no recording for the date, so built from the recorded ``/box_scores``
  of the date (`bdl_box_scores/raw_7a649e12.json`: each item is the game with its players;
  the players are dropped), without ``ESPN_ONLY``;
* ESPN's scoreboard (`espn_scoreboard_api/raw_92de7c9a.json`), complete, with **one score
  changed** (``CHANGED``: the home team's 112 made 114) so that ESPN disagrees with NBA.com;
* balldontlie's box scores with **one player's points changed** (the first scorer of
  ``PLAYER_GAME``: one more free throw made and attempted, so his row still adds up) so that
  balldontlie disagrees with the archive on him and on his team's total.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pytest_httpserver import HTTPServer

from _support import DATA, FIXTURES, TODAY, make_settings
from nbaprops.core.config import HttpSettings, Settings, SourceKeys
from nbaprops.core.ids import game_code_from_key
from nbaprops.ops.runner import Runner
from nbaprops.ops.validate import served_by, validate
from nbaprops.pipeline.raw.schedule import ARCHIVE, merge_schedule
from nbaprops.pipeline.raw.schemas import SCHEDULE_PUBLIC
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2024, 1, 15)
NBAC_LACKS = "20240115_CHI_CLE"
ESPN_ONLY = "20240115_BOS_TOR"
CHANGED = "20240115_OKC_LAL"
PLAYER_GAME = "20240115_GSW_MEM"
REG = default_registry()
PROCESSORS = (
    "raw_nbac_players", "scrape_nbac_scoreboard_v2", "raw_nbac_games", "scrape_bdl_games", "raw_bdl_games",
    "scrape_espn_scoreboard_api", "raw_espn_games", "scrape_bdl_box_scores", "raw_bdl_player_boxscores",
    "player_unresolved", "schedule", "source_disagreements",
)  # fmt: skip

SCOREBOARD = json.loads((FIXTURES / "nbac_scoreboard_v2" / "raw_055ff78d.json").read_bytes())
ESPN = json.loads((FIXTURES / "espn_scoreboard_api" / "raw_92de7c9a.json").read_bytes())
BDL_BOX = json.loads((FIXTURES / "bdl_box_scores" / "raw_7a649e12.json").read_bytes())
PLAYER_INDEX = (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()


def _teams(code: str) -> tuple[str, str]:
    away, home = code.split("_")[1:]
    return away, home


def _scoreboard_without(*codes: str) -> dict[str, Any]:
    doc = copy.deepcopy(SCOREBOARD)
    sets = {rs["name"]: rs for rs in doc["resultSets"]}
    head = sets["GameHeader"]["headers"]
    gone = {r[head.index("GAME_ID")] for r in sets["GameHeader"]["rowSet"]
            if r[head.index("GAMECODE")].replace("/", "_") in {c[:9] + c[9:].replace("_", "") for c in codes}}  # fmt: skip
    assert len(gone) == len(codes)
    for rs in doc["resultSets"]:
        if "GAME_ID" in rs["headers"]:
            i = rs["headers"].index("GAME_ID")
            rs["rowSet"] = [r for r in rs["rowSet"] if r[i] not in gone]
    return doc


def _bdl_code(g: dict[str, Any]) -> str:
    return (
        f"{g['date'].replace('-', '')}_{g['visitor_team']['abbreviation']}_{g['home_team']['abbreviation']}"
    )


def _bdl_games_without(code: str) -> dict[str, Any]:
    games = []
    for g in BDL_BOX["data"]:
        if _bdl_code(g) != code:
            game = {k: v for k, v in g.items() if k not in ("home_team", "visitor_team")}
            for side in ("home_team", "visitor_team"):
                game[side] = {k: v for k, v in g[side].items() if k != "players"}
            games.append(game)
    return {"data": games, "meta": {"per_page": 100}}


def _bdl_box_with_one_more_point() -> tuple[dict[str, Any], dict[str, Any]]:
    """The box scores with the first scorer of PLAYER_GAME given one more free throw; (payload, player)."""
    doc = copy.deepcopy(BDL_BOX)
    (game,) = [g for g in doc["data"] if _bdl_code(g) == PLAYER_GAME]
    player = next(p for p in game["home_team"]["players"] if p["pts"])
    player["pts"] += 1
    player["ftm"] += 1
    player["fta"] += 1
    return doc, player


def _espn_with_changed_score() -> dict[str, Any]:
    doc = copy.deepcopy(ESPN)
    away, home = _teams(CHANGED)
    for e in doc["events"]:
        sides = {c["homeAway"]: c for c in e["competitions"][0]["competitors"]}
        if (sides["away"]["team"]["abbreviation"], sides["home"]["team"]["abbreviation"]) == (away, home):
            assert sides["home"]["score"] == "112"
            sides["home"]["score"] = "114"
            return doc
    raise AssertionError(f"{CHANGED} is not in the ESPN payload")


def _archive_without_games(tmp: Path) -> Path:
    data = tmp / "data"
    data.mkdir()
    for f in DATA.iterdir():
        if f.name != "games.parquet":
            (data / f.name).symlink_to(f)
    games = pq.read_table(DATA / "games.parquet")
    day = pc.equal(pc.cast(games["game_date"], "date32"), pa.scalar(DAY, pa.date32()))
    pq.write_table(games.filter(pc.invert(day)), data / "games.parquet")
    return data


def _truth() -> dict[str, dict[str, Any]]:
    """DAY's games as the real archive has them (before the test removed them)."""
    games = pq.read_table(DATA / "games.parquet")
    games = games.filter(pc.equal(pc.cast(games["game_date"], "date32"), pa.scalar(DAY, pa.date32())))
    return {game_code_from_key(r["game_key"]): r for r in games.to_pylist()}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("schedule")
    box, player = _bdl_box_with_one_more_point()
    server = HTTPServer(host="127.0.0.1")
    server.start()
    reply = {
        "/stats/scoreboardV2": _scoreboard_without(NBAC_LACKS, ESPN_ONLY),
        "/v1/games": _bdl_games_without(ESPN_ONLY),
        "/v1/box_scores": box,
        "/espn/scoreboard": _espn_with_changed_score(),
    }
    for path, doc in reply.items():
        server.expect_request(path).respond_with_data(json.dumps(doc), content_type="application/json")
    server.expect_request("/stats/playerindex").respond_with_data(
        PLAYER_INDEX, content_type="application/json"
    )
    base = server.url_for("").rstrip("/")
    http = HttpSettings(
        base_urls={"nbac_stats": f"{base}/stats", "bdl": f"{base}/v1", "espn_api": f"{base}/espn"},
        max_attempts=1,
        rate_per_host=0,
    )
    s = make_settings(tmp / "home", data_dir=_archive_without_games(tmp), http=http,
                      keys=SourceKeys(balldontlie="test-key"))  # type: ignore[arg-type]  # fmt: skip
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    # a fresh warehouse: the schedule's season is unknown, so the run loads the schedule first,
    # with the scraped games tables it merges (parsed before it in the same run)
    report = runner.run([REG.get(n) for n in PROCESSORS], [DAY], complete_history=True)
    assert not report.failed, [o.error for o in report.failed]
    server.stop()
    runner.wh.close()
    return s, player


def _runner(s: Settings) -> Runner:
    return Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")


def test_a_scraped_only_date_has_a_complete_schedule_served_by_priority(
    world: tuple[Settings, dict[str, Any]],
) -> None:
    s, _ = world
    runner = _runner(s)
    assert runner.public_data().read_date("games", DAY).num_rows == 0  # not in the archive
    rows = {r["game_code"]: r for r in runner.wh.query(
        "SELECT * FROM schedule WHERE game_date = $d", {"d": DAY}).to_pylist()}  # fmt: skip
    truth = _truth()
    assert set(rows) == set(truth) and len(rows) == 11  # complete
    for code, r in rows.items():  # every score is the real one, whoever served it
        assert (r["home_pts"], r["away_pts"], r["status"]) == (
            truth[code]["home_pts"],
            truth[code]["away_pts"],
            "final",
        )
        assert r["season"] == "2023-24" and r["season_type"] == "regular"
    served = {code: r["source"] for code, r in rows.items()}
    # NBA.com first; the game it lacks from balldontlie; the one both lack from ESPN
    assert served.pop(NBAC_LACKS) == "bdl"
    assert served.pop(ESPN_ONLY) == "espn"
    assert set(served.values()) == {"nbac"}
    # NBA.com's ids where it served; no source had the others' ids (the archive lacks the date)
    assert all(rows[c]["game_id"] == truth[c]["game_id"] for c in served)
    assert rows[NBAC_LACKS]["game_id"] is None
    # the calendar reads it: the date is a game day of 11 final games
    assert runner.calendar.day(DAY).final_games == 11
    # the rest of the season is the archive's, as it was
    others = runner.wh.rows("SELECT source, count(*) FROM schedule WHERE season = '2023-24' AND game_date <> $d "
                            "GROUP BY 1", {"d": DAY})  # fmt: skip
    archive = pq.read_table(DATA / "games.parquet", filters=[("season", "=", "2023-24")]).num_rows
    assert others == [(ARCHIVE.name, archive - 11)]
    assert [(x.table, x.source, x.games) for x in served_by(runner, [DAY])][:3] == [
        ("schedule", "bdl", 1), ("schedule", "espn", 1), ("schedule", "nbac", 9)]  # fmt: skip
    runner.wh.close()


def test_disagreements_are_recorded_one_row_each(world: tuple[Settings, dict[str, Any]]) -> None:
    s, player = world
    runner = _runner(s)
    got = runner.wh.query("SELECT * FROM source_disagreements WHERE game_date = $d ORDER BY ALL",
                          {"d": DAY}).to_pylist()  # fmt: skip
    name = f"{player['player']['first_name']} {player['player']['last_name']}"
    (pid,) = {r["player_id"] for r in runner.public_data().read_date("player_boxscores", DAY).to_pylist()
              if r["player_name"] == name}  # fmt: skip
    by_check = {r["check"]: r for r in got}
    assert len(got) == 3 and set(by_check) == {"final_score", "player_points", "team_points"}, got
    # ESPN's changed score against NBA.com's (which served the game)
    assert {k: by_check["final_score"][k] for k in ("game_code", "subject", "source", "value",
            "reference_source", "reference_value")} == {"game_code": CHANGED, "subject": "LAL", "source": "espn",
            "value": 114, "reference_source": "nbac", "reference_value": 112}  # fmt: skip
    # balldontlie's player, one point more than the archive's real row ...
    p = by_check["player_points"]
    assert (p["game_code"], p["subject"]) == (PLAYER_GAME, f"{name} ({pid})")
    assert (p["source"], p["reference_source"], p["reference_value"] - p["value"]) == (
        "public_archive",
        "bdl",
        1,
    )
    # ... so balldontlie's team adds up to one more than the final score
    t = by_check["team_points"]
    assert (t["game_code"], t["subject"], t["source"], t["reference_source"]) == (
        PLAYER_GAME, "MEM", "bdl", "schedule:nbac")  # fmt: skip
    assert t["value"] == t["reference_value"] + 1 == _truth()[PLAYER_GAME]["home_pts"] + 1
    # and validate says so
    (f,) = [f for f in validate(runner, [DAY]) if f.classification == "source_disagreement"]
    assert (f.processor, f.partition, f.alarm, f.warehouse) == (
        "source_disagreements",
        DAY.isoformat(),
        True,
        3,
    )
    assert f"{CHANGED} final_score LAL: espn 114 vs nbac 112" in f.detail
    runner.wh.close()


def test_validate_shows_disagreements_and_sources_in_text_and_json(
    world: tuple[Settings, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from nbaprops.cli import app

    s, _ = world
    for k, v in {"NBAPROPS_HOME": str(s.home), "NBAPROPS_DATA_DIR": str(s.data_dir),
                 "NBAPROPS_TODAY": TODAY.isoformat(), "COLUMNS": "250"}.items():  # fmt: skip
        monkeypatch.setenv(k, v)
    span = ["--start-date", DAY.isoformat(), "--end-date", DAY.isoformat(), "--phase", "2"]
    res = CliRunner().invoke(app, ["validate", *span])
    assert res.exit_code == 0, res.output
    text = res.output.replace("│", " ")
    assert any("source_disagreement" in ln and "source_disagreements" in ln for ln in text.splitlines())
    assert f"{CHANGED} final_score LAL: espn 114 vs nbac 112" in " ".join(text.split())
    served = [ln.split() for ln in text.splitlines() if ln.split()[:1] == ["schedule"]]
    assert sorted(x[1:3] for x in served) == [["bdl", "1"], ["espn", "1"], ["nbac", "9"]]
    res = CliRunner().invoke(app, ["validate", *span, "--json", "--alarms-only"])
    assert res.exit_code == 0, res.output
    found = [f for f in json.loads(res.output) if f["classification"] == "source_disagreement"]
    assert [(f["processor"], f["partition"], f["alarm"]) for f in found] == [
        ("source_disagreements", DAY.isoformat(), True)]  # fmt: skip
    res = CliRunner().invoke(app, ["validate", *span, "--fail-on", "alarm"])
    assert res.exit_code == 1


def test_the_demo_season_schedule_is_the_archive_row_for_row(tmp_path: Path) -> None:
    """No scraped source: the schedule is games.parquet as it is (read here with pyarrow alone),
    plus ``source``; and the merge of the archive alone gives the same rows."""
    s = make_settings(tmp_path / "home")
    runner = _runner(s)
    season = "2025-26"
    assert not runner.run([REG.get("schedule")], [dt.date(2025, 11, 1)]).failed
    cols = [c for c in SCHEDULE_PUBLIC.schema.names if c not in ("source", "game_code")]
    got = runner.wh.query(f"SELECT game_code, source, {', '.join(cols)} FROM schedule WHERE season = $s",
                          {"s": season}).to_pylist()  # fmt: skip
    raw = pq.read_table(DATA / "games.parquet", filters=[("season", "=", season)]).to_pylist()
    want = {game_code_from_key(r["game_key"]): {c: r[c] for c in cols} for r in raw}
    for r in raw:
        want[game_code_from_key(r["game_key"])]["game_date"] = r["game_date"].date()
    assert len(got) == len(raw) == 1311
    assert {r.pop("source") for r in got} == {ARCHIVE.name}
    assert {r.pop("game_code"): r for r in got} == want
    # the merge path (taken when a scraped source has rows) keeps the archive's rows as they are
    table = runner.wh.query("SELECT * FROM schedule WHERE season = $s", {"s": season})
    merged = merge_schedule({ARCHIVE.name: table.to_pylist()}, table.schema)
    assert sorted(merged.to_pylist(), key=str) == sorted(table.to_pylist(), key=str)
    runner.wh.close()
