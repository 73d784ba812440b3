"""The per-game NBA.com kinds end to end: box score, gamebook and play-by-play of every game.

The date is 2025-01-15 (11 games), the one date with recorded per-game NBA.com payloads: the
scoreboard (`nbac_scoreboard_v2/raw_06a65a50.json`), the box score and the play-by-play of
NYK @ PHI, 0022400561 (`nbac_team_boxscore/raw_12f99055.json`,
`nbac_play_by_play/raw_416e8d5c.json.gz`), served from 127.0.0.1.  NYK @ PHI is taken **out**
of the public archive (a copy of the data folder without that game's box scores), so only the
NBA.com box score can serve it.  What has no recording is built in the test:

- the other ten games' box scores: the recorded payload with its ``PlayerStats`` emptied and
  the game id swapped (how NBA.com answers for a game it has not processed): NBA.com has
  nothing for them, so they fall back to the next source (here the archive);
- their play-by-play: the recorded document with no actions (valid and empty);
- the gamebooks: the one recorded gamebook does not decode (its content stream was altered),
  so each is a small PDF written here whose "DNP/DND - reason" lines are the recorded box
  score's DNP comments of that game (none for the ten others).
"""

from __future__ import annotations

import collections
import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from _support import ARCHIVE_HISTORY, DATA, FIXTURES, dates, make_settings
from nbaprops.core.config import HttpSettings
from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage import DuckDBWarehouse

DAY = dt.date(2025, 1, 15)
NEXT = dt.date(2025, 1, 17)  # New York's next game (MIN @ NYK)
OPENER = dt.date(2024, 10, 22)
GAME, CODE = "0022400561", "20250115_NYK_PHI"
SCOREBOARD = (FIXTURES / "nbac_scoreboard_v2" / "raw_06a65a50.json").read_bytes()
BOX = json.loads((FIXTURES / "nbac_team_boxscore" / "raw_12f99055.json").read_bytes())
PBP = json.loads(gzip.decompress((FIXTURES / "nbac_play_by_play" / "raw_416e8d5c.json.gz").read_bytes()))
PLAYER_INDEX = (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()
REG = default_registry()
SCRAPED = ("scrape_nbac_team_boxscore", "raw_nbac_team_boxscores", "scrape_nbac_play_by_play",
           "raw_nbac_play_by_play")  # fmt: skip
GAMEBOOK = ("scrape_nbac_gamebook_pdf", "raw_nbac_gamebook")


def _player_stats(doc: dict[str, Any]) -> dict[str, Any]:
    (rs,) = [r for r in doc["resultSets"] if r["name"] == "PlayerStats"]
    return rs  # type: ignore[no-any-return]


def _dnp_comments() -> list[tuple[str, str]]:
    """(player, comment) of every listed player of the recorded box score who did not play."""
    rs = _player_stats(BOX)
    h = rs["headers"]
    return [(r[h.index("PLAYER_NAME")], r[h.index("COMMENT")].strip()) for r in rs["rowSet"]
            if r[h.index("COMMENT")].strip()]  # fmt: skip


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF printing `lines` (Helvetica, one text line each), offsets exact."""
    esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    text = "BT /F1 10 Tf 50 750 Td 14 TL " + " ".join(f"({t}) Tj T*" for t in esc) + " ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _box(request: Request) -> Response:
    gid = request.args["GameID"]
    if gid == GAME:
        return Response(json.dumps(BOX), content_type="application/json")
    doc = json.loads(json.dumps(BOX))  # NBA.com's answer for a game it has not processed
    doc["parameters"]["GameID"] = gid
    for rs in doc["resultSets"]:
        rs["rowSet"] = []
    return Response(json.dumps(doc), content_type="application/json")


def _pbp(request: Request) -> Response:
    gid = request.path.rsplit("_", 1)[1].removesuffix(".json")
    doc = PBP if gid == GAME else {"meta": PBP["meta"], "game": {"gameId": gid, "actions": []}}
    return Response(json.dumps(doc), content_type="application/json")


def _gamebook(request: Request) -> Response:
    lines = ["Official Scorer's Report"]
    if request.path.endswith("20250115_NYKPHI_book.pdf"):
        lines += [f"{name} {comment}" for name, comment in _dnp_comments()]
    return Response(_pdf(lines), content_type="application/pdf")


def _archive_without_game(tmp: Path) -> Path:
    data = tmp / "data"
    data.mkdir()
    for f in DATA.iterdir():
        if f.name != "player_boxscores.parquet":
            (data / f.name).symlink_to(f)
    box = pq.read_table(DATA / "player_boxscores.parquet")
    pq.write_table(box.filter(pc.invert(pc.equal(box["game_key"], "2025-01-15_NYK@PHI"))),
                   data / "player_boxscores.parquet")  # fmt: skip
    return data


def _predictions(runner: Runner) -> list[tuple[Any, ...]]:
    return sorted(runner.wh.rows(
        "SELECT game_code, player_id, system, predicted_points, line, recommendation, reason "
        "FROM predictions WHERE game_date = $d", {"d": DAY}), key=str)  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("nbac_games")
    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/stats/scoreboardV2").respond_with_data(
        SCOREBOARD, content_type="application/json"
    )
    server.expect_request("/stats/playerindex").respond_with_data(
        PLAYER_INDEX, content_type="application/json"
    )
    server.expect_request("/stats/boxscoretraditionalv2").respond_with_handler(_box)
    server.expect_request(f"/cdn/liveData/playbyplay/playbyplay_{GAME}.json").respond_with_handler(_pbp)
    for gid in range(562, 572):
        server.expect_request(f"/cdn/liveData/playbyplay/playbyplay_0022400{gid}.json").respond_with_handler(
            _pbp
        )
    for code in ("NYKPHI", "BOSTOR", "ATLCHI", "ORLMIL", "DALNOP", "MEMSAS", "HOUDEN", "CHAUTA",
                 "GSWMIN", "MIALAL", "BKNLAC"):  # fmt: skip
        server.expect_request(f"/gamebook/20250115/20250115_{code}_book.pdf").respond_with_handler(_gamebook)
    base = server.url_for("").rstrip("/")
    http = HttpSettings(
        base_urls={
            "nbac_stats": f"{base}/stats",
            "nbac_cdn": f"{base}/cdn",
            "nbac_gamebook": f"{base}/gamebook",
        },
        max_attempts=1,
        rate_per_host=0,
    )
    s = make_settings(tmp / "home", data_dir=_archive_without_game(tmp), http=http)
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    assert not runner.run([REG.calendar_source], [DAY]).failed
    history = [REG.get(n) for n in ARCHIVE_HISTORY]
    assert not runner.run(history, dates(OPENER, DAY - dt.timedelta(days=1))).failed
    # the night of DAY: box scores and play-by-play, then every default processor
    scraped = runner.run([REG.get(n) for n in ("raw_nbac_players", *SCRAPED)], [DAY])
    assert not scraped.failed, [o.error for o in scraped.failed]
    report = runner.run(REG.select(), [DAY])
    assert not report.failed, [o.error for o in report.failed]
    before = _predictions(runner)
    # the gamebooks arrive after the games; availability and every default processor run again
    book = runner.run([REG.get(n) for n in GAMEBOOK], [DAY])
    assert not book.failed, [o.error for o in book.failed]
    again = runner.run(REG.select(), [DAY])
    assert not again.failed, [o.error for o in again.failed]
    nxt = runner.run(REG.select(), dates(DAY + dt.timedelta(days=1), NEXT))
    assert not nxt.failed, [o.error for o in nxt.failed]
    server.stop()
    yield {"runner": runner, "before": before, "again": again}
    runner.wh.close()


def test_the_game_comes_from_the_nbac_box_score_and_the_others_fall_back(world: dict[str, Any]) -> None:
    runner: Runner = world["runner"]
    served = dict(runner.wh.rows("SELECT game_code, any_value(source) FROM raw_player_boxscores "
                                 "WHERE game_date = $d GROUP BY 1", {"d": DAY}))  # fmt: skip
    assert served.pop(CODE) == "nbac_boxscore"  # absent from the archive: only NBA.com has it
    assert len(served) == 10 and set(served.values()) == {"public_archive"}  # NBA.com sent nothing
    # every box score was fetched and listed (empty ones too), one payload per game
    assert runner.wh.rows("SELECT count(*), count(*) FILTER (WHERE empty) FROM manifest_nbac_team_boxscore "
                          "WHERE kind = 'nbac_team_boxscore'") == [(11, 10)]  # fmt: skip
    # the served rows are NBA.com's: the points of every player who played, DNPs left out
    truth = pq.read_table(DATA / "player_boxscores.parquet").to_pandas()
    truth = truth[truth.game_key == "2025-01-15_NYK@PHI"]
    got = dict(
        runner.wh.rows("SELECT player_id, pts FROM raw_player_boxscores WHERE game_code = $c", {"c": CODE})
    )
    assert got == dict(zip(truth.player_id, truth.pts, strict=True)) and len(got) == 17
    # NBA.com's box score has every player's shooting counts; the archive lacks some of them
    assert not truth.has_shooting_counts.all()
    fgm = dict(runner.wh.rows("SELECT player_id, fgm FROM raw_player_boxscores WHERE game_code = $c "
                              "AND has_shooting_counts", {"c": CODE}))  # fmt: skip
    assert len(fgm) == 17
    counted = truth[truth.has_shooting_counts]
    assert {p: fgm[p] for p in counted.player_id} == dict(zip(counted.player_id, counted.fgm, strict=True))


def test_a_gamebook_dnp_becomes_availability_after_the_fact(world: dict[str, Any]) -> None:
    runner: Runner = world["runner"]
    rows = runner.wh.rows(
        "SELECT player_name, team, status, reason, after_game, as_of, player_id FROM player_availability "
        "WHERE game_date = $d AND source = 'nbac_gamebook'",
        {"d": DAY},
    )
    assert {r[0]: r[3] for r in rows} == dict(_dnp_comments())  # eight players, their reasons
    assert {r[0]: r[1] for r in rows}["Andre Drummond"] == "PHI"
    assert all(r[2] == "out" and r[4] is True and r[6] is not None for r in rows)
    fetched = runner.wh.rows(
        "SELECT fetched_at FROM manifest_nbac_gamebook_pdf WHERE endpoint LIKE '%_NYKPHI_book.pdf'"
    )
    assert {r[5] for r in rows} == {fetched[0][0]}  # as of when it was known: once it was fetched
    # the prediction made for the date is the one made before the gamebook existed
    assert world["before"] and _predictions(runner) == world["before"]
    dnp = {r[6] for r in rows}
    called = {r[1]: r for r in world["before"] if r[0] == CODE and r[1] in dnp}
    assert called, "some gamebook DNP player had a call: the test would see a leak"
    assert all(r[6] != "ruled out" for r in called.values())


def test_the_gamebook_rerun_recomputed_availability(world: dict[str, Any]) -> None:
    ran = {o.processor for o in world["again"].outcomes if o.status == "success"}
    assert "player_availability" in ran


def test_play_by_play_shot_zones_feed_the_next_game(world: dict[str, Any]) -> None:
    runner: Runner = world["runner"]
    # NBA.com's zones of every located field goal, counted straight from the recorded payload
    zones: dict[int, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for a in PBP["game"]["actions"]:
        if a.get("isFieldGoal") and a.get("area"):
            zones[int(a["personId"])][a["area"]] += 1
    got = runner.wh.rows(
        "SELECT player_id, games_with_zones, rim_fga_rate, mid_fga_rate, zone_source, team "
        "FROM player_shot_zone_analysis WHERE game_date = $d",
        {"d": NEXT},
    )
    nyk = [r for r in got if r[5] == "NYK" and r[0] in zones]
    assert len(nyk) >= 5
    for pid, games, rim, mid, src, _team in nyk:
        fga = sum(zones[pid].values())
        assert (games, src) == (1, "nbac_play_by_play")
        assert rim == pytest.approx(zones[pid]["Restricted Area"] / fga)
        assert mid == pytest.approx(zones[pid]["Mid-Range"] / fga)
    others = [r for r in got if r[5] != "NYK"]
    assert others and all(r[1] == 0 and r[4] is None for r in others)  # no play-by-play of theirs
    # and the play-by-play adds up to the box score it sits beside: points per player
    pbp = dict(runner.wh.rows("SELECT CAST(person_id AS BIGINT), sum(points) FROM raw_nbac_play_by_play "
                              "WHERE game_code = $c AND person_id IS NOT NULL GROUP BY 1", {"c": CODE}))  # fmt: skip
    box = dict(
        runner.wh.rows("SELECT player_id, pts FROM raw_player_boxscores WHERE game_code = $c", {"c": CODE})
    )
    assert {p: pbp.get(p, 0) for p in box} == box


def test_the_gamebook_lines_parse_into_statuses_and_reasons() -> None:
    from nbaprops.pipeline.raw.parsers import parse_payload

    book = _pdf(["Official Scorer's Report", "Andre Drummond DND - Injury/Illness",
                 "Reggie Jackson DNP - Coach's Decision", "Inactive: Joel Embiid (Injury/Illness - Left Knee)"])  # fmt: skip
    rows = {
        r["player_name"]: (r["status"], r["reason"])
        for r in parse_payload("nbac_gamebook_pdf", book).to_pylist()
    }
    assert rows == {
        "Andre Drummond": ("dnd", "Injury/Illness"),
        "Reggie Jackson": ("dnp", "Coach's Decision"),
        "Joel Embiid": ("inactive", "Injury/Illness - Left Knee"),
    }


def test_a_box_score_of_a_game_not_on_the_scoreboard_fails_and_keeps_its_payloads(tmp_path: Path) -> None:
    def wrong_game(request: Request) -> Response:  # every answer names a game of another date
        doc = json.loads(json.dumps(BOX))
        doc["parameters"]["GameID"] = "0022499999"
        for row in _player_stats(doc)["rowSet"]:
            row[0] = "0022499999"
        return Response(json.dumps(doc), content_type="application/json")

    server = HTTPServer(host="127.0.0.1")
    server.start()
    server.expect_request("/stats/scoreboardV2").respond_with_data(
        SCOREBOARD, content_type="application/json"
    )
    server.expect_request("/stats/playerindex").respond_with_data(
        PLAYER_INDEX, content_type="application/json"
    )
    server.expect_request("/stats/boxscoretraditionalv2").respond_with_handler(wrong_game)
    http = HttpSettings(base_urls={"nbac_stats": server.url_for("/stats")}, max_attempts=1, rate_per_host=0)
    s = make_settings(tmp_path / "home", http=http)
    runner = Runner(settings=s, warehouse=DuckDBWarehouse(s.warehouse_url), code_version="test")
    names = ("raw_nbac_players", "scrape_nbac_team_boxscore", "raw_nbac_team_boxscores")
    report = runner.run([REG.get(n) for n in names], [DAY])
    (o,) = [o for o in report.outcomes if o.processor == "raw_nbac_team_boxscores"]
    assert o.status == "failed" and "game 0022499999 is not on the 2025-01-15 scoreboard" in (o.error or "")
    assert not runner.wh.has_table("raw_nbac_team_boxscores")  # nothing written
    stored = runner.wh.rows("SELECT path FROM manifest_nbac_team_boxscore WHERE kind = 'nbac_team_boxscore'")
    assert len(stored) == 11 and all(runner.raw.get(p) for (p,) in stored)  # every payload kept
    server.stop()
    runner.wh.close()
