"""Every parser on the recorded real payloads in ../shared/fixtures/payloads, checking real values.

Payload kinds without a parser are listed in docs/sources.md with the reason;
`test_every_fixture_kind_is_parsed_or_documented` keeps that list honest.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from _support import FIXTURES, REPO
from nbaprops.core.errors import ContractError, DataError, SchemaDriftError
from nbaprops.pipeline.raw import schemas
from nbaprops.pipeline.raw.parsers import PARSERS, parse_payload


def payload(kind: str, name: str) -> bytes:
    return (FIXTURES / kind / name).read_bytes()


def parsed(kind: str, name: str) -> pa.Table:
    t = parse_payload(kind, payload(kind, name))
    assert t.schema.equals(schemas.SCHEMAS[PARSERS[kind].family]), kind
    return t


def one(t: pa.Table, **match: Any) -> dict[str, Any]:
    rows = [r for r in t.to_pylist() if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, (match, len(rows))
    return rows[0]


# --- NBA.com ----------------------------------------------------------------
def test_nbac_scoreboard_final_score() -> None:
    t = parsed("nbac_scoreboard_v2", "raw_055ff78d.json")
    assert t.num_rows == 11
    g = one(t, game_id="0022300555")
    assert (g["game_code"], g["away_pts"], g["home_pts"], g["status"], g["season"]) == (
        "20240115_HOU_PHI",
        115,
        124,
        "final",
        "2023-24",
    )


def test_nbac_scoreboard_other_date() -> None:
    t = parsed("nbac_scoreboard_v2", "raw_06a65a50.json")
    g = one(t, game_id="0022400561")
    assert (g["game_code"], g["game_date"]) == ("20250115_NYK_PHI", dt.date(2025, 1, 15))
    assert (g["away_pts"], g["home_pts"]) == (125, 119)


@pytest.mark.parametrize(
    "name", ["raw_5de604f1.json", "raw_ca7fdf2b.json", "raw_ccea1dcf.json", "raw_ee21af81.json"]
)
def test_nbac_scoreboard_repeated_fetches_parse_identically(name: str) -> None:
    assert parsed("nbac_scoreboard_v2", name).equals(parsed("nbac_scoreboard_v2", "raw_055ff78d.json"))


@pytest.mark.parametrize("name", ["raw_12f99055.json", "raw_8e5ec16f.json"])
def test_nbac_team_boxscore_players_and_dnp(name: str) -> None:
    t = parsed("nbac_team_boxscore", name)
    hart = one(t, player_name="Josh Hart")
    assert (hart["pts"], hart["reb"], hart["ast"], hart["team"]) == (10, 17, 12, "NYK")
    assert hart["minutes"] == pytest.approx(49 + 25 / 60)
    assert one(t, player_name="Jalen Brunson")["pts"] == 38
    assert one(t, player_name="Andre Drummond")["dnp_reason"] == "DND - Injury/Illness"
    assert one(t, player_name="Tyler Kolek")["pts"] is None


def test_nbac_player_boxscore_game_log() -> None:
    t = parsed("nbac_player_boxscore", "raw_2ad17718.json")
    assert t.num_rows == 157
    curry = one(t, player_name="Stephen Curry")
    assert (curry["pts"], curry["fg3m"], curry["game_id"], curry["game_code"]) == (
        28,
        4,
        "0022400974",
        "20250315_NYK_GSW",
    )


def test_nbac_schedule_api_season() -> None:
    t = parsed("nbac_schedule_api", "raw_80cb1fd6.json.gz")
    assert t.num_rows == 1400
    g = one(t, game_id="0012400001")
    assert (g["game_code"], g["away_pts"], g["home_pts"], g["season"]) == (
        "20241004_BOS_DEN",
        107,
        103,
        "2024-25",
    )


def test_nbac_schedule_cdn_future_games_have_no_score() -> None:
    t = parsed("nbac_schedule_cdn", "raw_68953816.json")
    g = one(t, game_id="0012500008")
    assert (g["game_code"], g["status"], g["home_pts"]) == ("20251002_PHI_NYK", "scheduled", None)


def test_nbac_player_list_ids() -> None:
    t = parsed("nbac_player_list", "raw_7af00b51.json")
    assert t.num_rows == 594
    p = one(t, player_lookup="preciousachiuwa")
    assert (p["nba_player_id"], p["team"]) == ("1630173", "NYK")


@pytest.mark.parametrize(("name", "game_id", "away", "home"), [
    ("raw_416e8d5c.json.gz", "0022400561", 125, 119),
    ("raw_14ecf360.json.gz", "0022400500", None, None),
])  # fmt: skip
def test_nbac_play_by_play_final_score(name: str, game_id: str, away: int | None, home: int | None) -> None:
    t = parsed("nbac_play_by_play", name)
    last = t.to_pylist()[-1]
    assert last["game_id"] == game_id and last["action_type"] == "game"
    if away is not None:
        assert (last["score_away"], last["score_home"]) == (away, home)
    # the running score always equals the points scored so far
    assert sum(t.column("points").to_pylist()) == last["score_home"] + last["score_away"]


def test_nbac_injury_report_rows_and_wrapped_reasons() -> None:
    t = parsed("nbac_injury_report", "raw_f4391904.pdf")
    assert t.num_rows == 14
    r = one(t, player_lookup="vlatkocancar")
    assert (r["status"], r["reason"], r["matchup"], r["team"], r["game_date"]) == (
        "Out",
        "Injury/Illness - Left Knee; Surgery",
        "DEN@GSW",
        "Denver Nuggets",
        dt.date(2024, 1, 4),
    )
    assert one(t, player_lookup="dougmcdermott")["reason"] == "Injury/Illness - Right Forearm; Contusion"
    assert one(t, player_lookup="draymondgreen")["team"] == "Golden State Warriors"
    assert one(t, player_lookup="garypaytonii")["player_name"] == "Gary Payton II"
    assert one(t, player_lookup="dominickbarlow")["reason"] == "G League - Two-Way"
    assert set(t.column("report_label").to_pylist()) == {"01/04/24 12:30 PM"}


def test_nbac_gamebook_with_damaged_content_is_an_error_not_an_empty_table() -> None:
    with pytest.raises(DataError, match=r"nbac_gamebook_pdf: no text .*Grizzlies - Cavaliers"):
        parse_payload("nbac_gamebook_pdf", payload("nbac_gamebook_pdf", "raw_0173bcd1.pdf"))


# --- balldontlie ---------------------------------------------------------------
def test_bdl_box_scores_named_players() -> None:
    t = parsed("bdl_box_scores", "raw_7a649e12.json")
    embiid = one(t, player_lookup="joelembiid")
    assert (embiid["pts"], embiid["team"], embiid["game_code"]) == (41, "PHI", "20240115_HOU_PHI")
    assert one(t, player_lookup="nicolasbatum")["pts"] == 5
    assert one(t, player_lookup="jeffgreen")["pts"] == 1


def test_bdl_box_scores_empty_day_is_valid() -> None:
    assert parsed("bdl_box_scores", "raw_d62cc934.json").num_rows == 0
    assert parsed("bdl_live_box_scores", "raw_1575e0a5.json").num_rows == 0


def test_bdl_games_scores() -> None:
    t = parsed("bdl_games", "raw_278cb9ed.json")
    g = one(t, game_code="20250220_CHA_DEN")
    assert (g["away_pts"], g["home_pts"], g["season"], g["status"]) == (115, 129, "2024-25", "final")
    assert t.num_rows == 9


def test_bdl_player_box_scores() -> None:
    t = parsed("bdl_player_box_scores", "raw_1db4c01e.json")
    jw = one(t, player_lookup="jalenwilliams")
    assert (jw["pts"], jw["team"], jw["source_game_id"], jw["game_date"]) == (
        20,
        "OKC",
        "18444564",
        dt.date(2025, 6, 22),
    )


def test_bdl_players_and_active_players() -> None:
    p = one(parsed("bdl_players", "raw_e640d907.json"), source_player_id="146")
    assert (p["player_name"], p["player_lookup"], p["team"]) == ("James Ennis III", "jamesennisiii", "DEN")
    a = one(parsed("bdl_active_players", "raw_ac3e7bd3.json"), source_player_id="3")
    assert (a["player_name"], a["team"]) == ("Steven Adams", "HOU")


@pytest.mark.parametrize(("name", "rows"), [("raw_49fd60fb.json", 100), ("raw_d45e630e.json", 2)])
def test_bdl_injuries(name: str, rows: int) -> None:
    t = parsed("bdl_injuries", name)
    assert t.num_rows == rows
    if rows == 2:
        jb = one(t, player_lookup="jaylenbrown")
        assert (jb["status"], jb["return_date"]) == ("Day-To-Day", "Oct 1")


# --- ESPN ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["raw_6f34c64b.html.gz", "raw_da177814.html.gz"])
def test_espn_boxscore_page(name: str) -> None:
    t = parsed("espn_game_boxscore", name)
    js = one(t, player_lookup="jabarismithjr")
    assert (js["pts"], js["fgm"], js["fga"], js["fg3m"], js["ftm"], js["fta"], js["team"]) == (
        13,
        5,
        9,
        0,
        3,
        5,
        "HOU",
    )
    assert one(t, player_lookup="reggiebullockjr")["dnp_reason"] == "DNP-COACH'S DECISION"
    assert set(t.column("game_code").to_pylist()) == {"20240115_HOU_PHI"}


def test_espn_scoreboard_scores() -> None:
    t = parsed("espn_scoreboard_api", "raw_92de7c9a.json")
    g = one(t, source_game_id="401585183")
    assert (g["game_code"], g["away_pts"], g["home_pts"], g["season"]) == (
        "20240115_HOU_PHI",
        115,
        124,
        "2023-24",
    )


def test_espn_scoreboard_all_star_break_is_a_valid_empty_day() -> None:
    assert parsed("espn_scoreboard_api", "raw_20250214.json").num_rows == 0
    assert parsed("nbac_game_ids_core", "raw_20250214.json").num_rows == 0


# --- The Odds API ---------------------------------------------------------------
def test_odds_events_game_date_is_eastern() -> None:
    t = parsed("oddsa_events_his", "raw_4c3bc8f6.json")
    e = one(t, event_id="f137689983933840bf2f2a91278eb03b")
    assert (e["game_code"], e["game_date"]) == ("20240124_PHX_DAL", dt.date(2024, 1, 24))
    t2 = parsed("oddsa_events_his", "raw_aaf97612.json")
    assert one(t2, event_id="242c77a8d5890e18bab91773ad32fcb5")["game_code"] == "20250309_MEM_NOP"


def test_odds_game_lines_spreads_and_totals() -> None:
    t = parsed("oddsa_game_lines_his", "raw_b722994c.json")
    s = one(t, bookmaker="draftkings", market="spreads", outcome="ATL")
    assert (s["point"], s["price"], s["game_code"]) == (6.5, 1.91, "20240124_ATL_GSW")
    tot = one(t, bookmaker="fanduel", market="totals", outcome="Under")
    assert (tot["point"], tot["price"]) == (247.5, 1.88)


def test_odds_historical_h2h() -> None:
    t = parsed("odds_api_historical_game_lines", "raw_9221b91f.json")
    assert one(t, bookmaker="fanduel", outcome="ATL")["price"] == 3.8
    assert one(t, bookmaker="draftkings", outcome="GSW")["price"] == 1.32


def test_odds_props_payload_with_only_game_markets_is_an_error() -> None:
    with pytest.raises(DataError, match="spreads,totals but no player_"):
        parse_payload("oddsa_player_props_his", payload("oddsa_player_props_his", "raw_815b3ee3.json"))


def test_odds_props_rows_pair_over_and_under() -> None:
    doc = json.loads(payload("oddsa_player_props_his", "raw_815b3ee3.json"))
    for b in doc["data"]["bookmakers"]:  # the recorded event, with a player points market spliced in
        b["markets"] = [{"key": "player_points", "last_update": "2024-01-25T03:55:22Z", "outcomes": [
            {"name": "Over", "description": "Stephen Curry", "price": 1.9, "point": 27.5},
            {"name": "Under", "description": "Stephen Curry", "price": 1.87, "point": 27.5}]}]  # fmt: skip
    t = parse_payload("oddsa_player_props_his", json.dumps(doc).encode())
    r = one(t, bookmaker="fanduel")
    assert (r["player_lookup"], r["line"], r["over_price"], r["under_price"]) == (
        "stephencurry",
        27.5,
        1.9,
        1.87,
    )


# --- BettingPros ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["raw_75470647.json", "raw_865cd116.json"])
def test_bp_events(name: str) -> None:
    t = parsed("bp_events", name)
    e = one(t, event_id="20879")
    assert (e["game_code"], e["status"], e["game_date"]) == (
        "20211021_DAL_ATL",
        "closed",
        dt.date(2021, 10, 21),
    )
    assert one(t, event_id="20880")["game_code"] == "20211021_MIL_MIA"  # 00:00 UTC is still the 21st in ET


# --- drift and coverage ------------------------------------------------------------
def test_missing_field_is_schema_drift_naming_source_and_field() -> None:
    doc = json.loads(payload("bdl_box_scores", "raw_7a649e12.json"))
    del doc["data"][0]["home_team"]["players"][0]["fg3m"]
    with pytest.raises(SchemaDriftError) as err:
        parse_payload("bdl_box_scores", json.dumps(doc).encode())
    assert err.value.source == "bdl_box_scores" and err.value.field == "data.home_team.players.fg3m"


def test_renamed_header_is_schema_drift() -> None:
    doc = json.loads(payload("nbac_team_boxscore", "raw_12f99055.json"))
    hdr = doc["resultSets"][0]["headers"]
    hdr[hdr.index("PTS")] = "POINTS"
    with pytest.raises(SchemaDriftError, match=r"resultSets\[PlayerStats\]\.PTS"):
        parse_payload("nbac_team_boxscore", json.dumps(doc).encode())


def test_unknown_team_is_drift() -> None:
    doc = json.loads(payload("oddsa_events_his", "raw_4c3bc8f6.json"))
    doc["data"][0]["home_team"] = "Seattle SuperSonics"
    with pytest.raises(SchemaDriftError, match="home_team"):
        parse_payload("oddsa_events_his", json.dumps(doc).encode())


def test_every_fixture_kind_is_parsed_or_documented() -> None:
    doc = (REPO / "docs" / "sources.md").read_text()
    for folder in sorted(Path(FIXTURES).iterdir()):
        if folder.name not in PARSERS:
            assert f"`{folder.name}`" in doc, (
                f"{folder.name}: no parser and not documented in docs/sources.md"
            )


# --- the faults a hostile tester found: each is now a one-line project error -----
def test_a_dropped_header_never_shifts_later_columns() -> None:
    doc = json.loads(payload("nbac_team_boxscore", "raw_12f99055.json"))
    doc["resultSets"][0]["headers"].remove("FG_PCT")  # the rows keep all their values
    with pytest.raises(SchemaDriftError, match=r"row 0 has 29 values for 28 headers .* raw_12f99055\.json"):
        parse_payload("nbac_team_boxscore", json.dumps(doc).encode(), name="raw_12f99055.json")


def test_a_column_dropped_with_its_header_is_read_by_name() -> None:
    doc = json.loads(payload("nbac_team_boxscore", "raw_12f99055.json"))
    rs = doc["resultSets"][0]
    i = rs["headers"].index("NICKNAME")  # a column the parser does not read, before PTS
    del rs["headers"][i]
    for row in rs["rowSet"]:
        del row[i]
    t = parse_payload("nbac_team_boxscore", json.dumps(doc).encode())
    assert t.equals(parsed("nbac_team_boxscore", "raw_12f99055.json"))
    assert one(t, player_name="Josh Hart")["pts"] == 10


def test_negative_points_are_refused_naming_payload_row_and_player() -> None:
    doc = json.loads(payload("bdl_box_scores", "raw_7a649e12.json"))
    embiid = next(p for p in doc["data"][0]["home_team"]["players"] if p["player"]["last_name"] == "Embiid")
    embiid["pts"] = -5
    with pytest.raises(ContractError) as err:
        parse_payload("bdl_box_scores", json.dumps(doc).encode(), name="raw_7a649e12.json")
    msg = str(err.value)
    assert msg.startswith(
        "player_boxscores: pts = -5 out of range [0, 100] in bdl_box_scores payload raw_7a649e12.json row "
    )
    assert msg.endswith("(20240115_HOU_PHI, PHI, Joel Embiid)") and "\n" not in msg


def test_more_makes_than_attempts_is_refused() -> None:
    doc = json.loads(payload("bdl_box_scores", "raw_7a649e12.json"))
    s = doc["data"][0]["home_team"]["players"][0]
    s["fgm"], s["fga"] = s["fga"] + 1, s["fga"]
    with pytest.raises(ContractError, match=r"fgm <= fga broken"):
        parse_payload("bdl_box_scores", json.dumps(doc).encode())


@pytest.mark.parametrize(
    ("kind", "name", "mutate", "match"),
    [
        ("bdl_games", "raw_278cb9ed.json", lambda d: d.update(data=None), r"expected a list, got NoneType"),
        ("bdl_box_scores", "raw_7a649e12.json",
         lambda d: d["data"][0]["home_team"]["players"][0].update(pts=2**63), r"pts"),
        ("nbac_play_by_play", "raw_416e8d5c.json.gz",
         lambda d: d["game"]["actions"][3].update(scoreHome=None), r"not an integer: None"),
        ("oddsa_events_his", "raw_4c3bc8f6.json", lambda d: d["data"][0].update(id=[]), r"not an identifier"),
    ],
)  # fmt: skip
def test_broken_json_payloads_are_data_errors(kind: str, name: str, mutate: Any, match: str) -> None:
    raw = payload(kind, name)
    doc = json.loads(gzip.decompress(raw) if name.endswith(".gz") else raw)
    mutate(doc)
    with pytest.raises(DataError, match=match) as err:
        parse_payload(kind, json.dumps(doc).encode(), name=name)
    assert kind in str(err.value) and name in str(err.value) and "\n" not in str(err.value)


def test_a_truncated_gzip_page_is_a_data_error_naming_the_payload() -> None:
    raw = payload("espn_game_boxscore", "raw_6f34c64b.html.gz")
    with pytest.raises(DataError, match=r"espn_game_boxscore: gzip payload is truncated .* raw_6f34c64b"):
        parse_payload("espn_game_boxscore", raw[: len(raw) // 2], name="raw_6f34c64b.html.gz")
