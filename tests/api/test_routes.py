"""The JSON API over a warehouse the pipeline built from real data, checked against the tables."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from _support import make_settings
from nbaprops.api import create_app
from nbaprops.core.config import Settings
from nbaprops.storage.snapshot import snapshot_path


def _sql(settings: Settings, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(settings.warehouse_url, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_picks_are_every_call_with_a_line(client: TestClient, api_settings: Settings, day: str) -> None:
    got = client.get("/picks", params={"date": day, "limit": 500}).json()
    expected = sum(
        int(
            _sql(api_settings, f"SELECT count(*) FROM {t} WHERE game_date = ? AND line IS NOT NULL", [day])[
                0
            ][0]
        )
        for t in ("predictions", "system_predictions")
    )
    assert got["total"] == expected > 500
    assert len(got["items"]) == 500
    edges = [abs(p["edge"]) if p["edge"] is not None else -1 for p in got["items"]]
    assert edges == sorted(edges, reverse=True)
    assert got["availability"] == "not tracked" and got["ruled_out"] is None
    over = next(p for p in got["items"] if p["side"] == "OVER")
    assert over["price"] == over["over_odds"] and over["result"] in {"WIN", "LOSS", "PUSH", "VOID"}
    passes = client.get("/picks", params={"date": day, "side": "PASS", "limit": 500}).json()["items"]
    assert passes and all(p["reason"] and p["price"] is None for p in passes)


def test_picks_pages_do_not_overlap(client: TestClient, day: str) -> None:
    key = ("player_id", "source", "system")
    first = client.get("/picks", params={"date": day, "limit": 50, "sort": "player"}).json()["items"]
    second = client.get("/picks", params={"date": day, "limit": 50, "offset": 50, "sort": "player"}).json()[
        "items"
    ]
    both = client.get("/picks", params={"date": day, "limit": 100, "sort": "player"}).json()["items"]
    assert [tuple(p[k] for k in key) for p in first + second] == [tuple(p[k] for k in key) for p in both]


def test_picks_of_a_date_without_calls_point_to_the_latest(client: TestClient, day: str) -> None:
    got = client.get("/picks", params={"date": "2025-12-25"}).json()
    assert got["total"] == 0 and got["latest_date"] == day


def test_picks_read_availability_when_it_is_reported(private_home: Path, day: str) -> None:
    s = make_settings(private_home)
    con = duckdb.connect(s.warehouse_url)
    players = con.execute(
        "SELECT DISTINCT game_code, player_id, player_lookup FROM predictions WHERE game_date = ? "
        "ORDER BY 2 LIMIT 4",
        [day],
    ).fetchall()
    con.execute(
        "CREATE TABLE IF NOT EXISTS player_availability (game_date DATE, game_code VARCHAR, player_id BIGINT, "
        "player_lookup VARCHAR, status VARCHAR, as_of TIMESTAMPTZ, after_game BOOLEAN)"
    )
    (g0, p0, l0), (g1, _, l1), (g2, p2, l2), (g3, p3, l3) = players
    rows = [  # two out (one listed by name only); the third was out, then cleared by a later report
        (day, g0, p0, l0, "out", "2025-11-04 17:00Z", False),
        (day, g1, None, l1, "out", "2025-11-04 17:00Z", None),
        (day, g2, p2, l2, "out", "2025-11-04 17:00Z", False),
        (day, g2, p2, l2, "available", "2025-11-04 22:00Z", False),
        # the gamebook's DNPs, known only after the games: no one was ruled out by them
        (day, g3, p3, l3, "out", "2025-11-05 09:00Z", True),
        (day, g2, p2, l2, "out", "2025-11-05 09:00Z", True),
        ("2025-11-03", g0, p0, l0, "out", "2025-11-03 17:00Z", False),
        ("2025-11-02", g0, p0, l0, "out", "2025-11-03 09:00Z", True),
    ]
    con.executemany(
        "INSERT INTO player_availability BY NAME SELECT ?::DATE AS game_date, ? AS game_code, "
        "?::BIGINT AS player_id, ? AS player_lookup, ? AS status, ?::TIMESTAMPTZ AS as_of, "
        "?::BOOLEAN AS after_game",
        rows,
    )
    con.close()
    with TestClient(create_app(s)) as c:
        got = c.get("/picks", params={"date": day, "limit": 1}).json()
        only_gamebook = c.get("/picks", params={"date": "2025-11-02", "limit": 1}).json()
    assert (got["availability"], got["ruled_out"]) == ("tracked", 2)
    assert (only_gamebook["availability"], only_gamebook["ruled_out"]) == ("not tracked", None)


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        ("/picks?date=2025-13-01", 422, "date"),
        ("/picks?date=yesterday", 422, "date"),
        ("/picks?limit=501", 422, "less than or equal to 500"),
        ("/grades?start=2025-11-04&end=2025-11-01", 422, "start 2025-11-04 is after end 2025-11-01"),
        ("/grades?start=2020-01-01&end=2025-11-01", 422, "longer than"),
        ("/grades?end=0001-01-01", 422, "greater than or equal to 1946-11-01"),
        ("/picks?date=9999-12-31", 422, "less than or equal to 2199-12-31"),
        ("/runs?status=exploded", 422, "status"),
        ("/coverage?season=2025", 422, "season '2025' is not of the form"),
        ("/players/1", 404, "no player 1 in the warehouse"),
        ("/players/0", 422, "greater than or equal to 1"),
    ],
)
def test_bad_input_is_a_clear_4xx(client: TestClient, url: str, status: int, needle: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert needle in r.text


def test_grades_match_the_grade_tables(client: TestClient, api_settings: Settings) -> None:
    got = client.get("/grades", params={"start": "2025-10-21", "end": "2025-11-04"}).json()
    by = {(g["source"], g["system"]): g for g in got["items"]}
    for source, table in (
        ("predictions", "prediction_grades"),
        ("system_predictions", "system_prediction_grades"),
    ):
        for system, wins, losses, bets, mae in _sql(
            api_settings,
            f"""SELECT system, count(*) FILTER (result = 'WIN'), count(*) FILTER (result = 'LOSS'),
                       count(*) FILTER (result IN ('WIN', 'LOSS', 'PUSH')),
                       avg(abs_error) FILTER (actual_points IS NOT NULL AND predicted_points IS NOT NULL)
                FROM {table} GROUP BY 1""",
        ):
            g = by[(source, system)]
            assert (g["n_bets"], g["bet_wins"]) == (bets, wins)
            if wins + losses:
                assert g["hit_rate"] == pytest.approx(wins / (wins + losses), abs=1e-4)
                lo, hi = g["hit_rate_ci"]
                assert lo < g["hit_rate"] < hi
            if mae is not None:
                assert g["mae"] == pytest.approx(mae, abs=1e-2)
    only = client.get(
        "/grades", params={"start": "2025-10-21", "end": "2025-11-04", "system": "ensemble"}
    ).json()
    assert {g["system"] for g in only["items"]} == {"ensemble"}
    assert client.get("/grades", params={"market": "player_assists"}).json()["total"] == 0


def test_grade_detail_series_ends_at_the_summary(client: TestClient) -> None:
    params = {"start": "2025-10-21", "end": "2025-11-04"}
    summary = {(g["source"], g["system"]): g for g in client.get("/grades", params=params).json()["items"]}
    detail = client.get("/grades/detail", params=params).json()
    last: dict[tuple[str, str], dict[str, object]] = {}
    for p in detail["series"]:
        last[(p["source"], p["system"])] = p
    assert last
    for k, p in last.items():
        assert p["n_bets"] == summary[k]["n_bets"]
        assert p["hit_rate"] == summary[k]["hit_rate"]
    assert {c["system"] for c in detail["calibration"]} >= {"ensemble"}
    assert all(
        c["source"] == "system_predictions" for c in detail["calibration"]
    )  # the baseline has no P(over)


def test_runs_page_the_ledger(client: TestClient, api_settings: Settings, day: str) -> None:
    n = int(_sql(api_settings, "SELECT count(*) FROM ops_ledger WHERE partition = ?", [day])[0][0])
    got = client.get("/runs", params={"date": day, "limit": 5}).json()
    assert got["total"] == n and len(got["items"]) == 5
    assert all(r["partition"] == day for r in got["items"])
    assert client.get("/runs", params={"status": "failed"}).json()["total"] == 0


def test_coverage_is_the_validation_report(client: TestClient, private_cli: Callable[..., Any]) -> None:
    findings = json.loads(private_cli("validate", "--season", "2025-26", "--json").stdout)
    got = client.get("/coverage", params={"season": "2025-26", "limit": 10}).json()
    assert got["alarms"] == sum(f["alarm"] for f in findings)
    assert got["findings"]["total"] == len(findings)
    assert got["findings"]["items"][0]["processor"] == findings[0]["processor"]


def test_player_has_games_lines_and_calls(client: TestClient, api_settings: Settings, day: str) -> None:
    pid, name, result = _sql(
        api_settings,
        "SELECT player_id, player_name, result FROM prediction_grades WHERE game_date = ? "
        "AND recommendation = 'OVER' ORDER BY player_id LIMIT 1",
        [day],
    )[0]
    got = client.get(f"/players/{pid}", params={"limit": 5}).json()
    assert got["player_name"] == name
    assert 0 < len(got["games"]) <= 5 and len(got["lines"]) == 5
    assert len(got["calls"]) == 5 and got["calls"][0]["game_date"] == day
    calls = client.get(f"/players/{pid}", params={"limit": 50}).json()["calls"]
    baseline = [c for c in calls if c["source"] == "predictions" and c["game_date"] == day]
    assert [(c["side"], c["result"]) for c in baseline] == [("OVER", result)]


def test_health_reports_each_phase(client: TestClient, day: str) -> None:
    got = client.get("/health").json()
    assert got["status"] == "ok" and got["warehouse_reachable"]
    assert {p["phase"]: p["partition"] for p in got["phases"]} == {2: day, 3: day, 4: day, 5: day}
    assert got["code_version"]


@pytest.fixture
def writer(private_home: Path) -> Iterator[Settings]:
    """Another process holding the warehouse open for writing (as a run does)."""
    s = make_settings(private_home)
    code = textwrap.dedent(
        f"""
        import duckdb, sys, time
        con = duckdb.connect({s.warehouse_url!r})
        print("ready", flush=True)
        sys.stdin.readline()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield s
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)


def test_a_writer_holding_the_file_is_read_through_its_snapshot(writer: Settings) -> None:
    assert snapshot_path(writer.warehouse_url).exists()  # published by the run that built the home
    with TestClient(create_app(writer)) as c:
        health = c.get("/health")
        picks = c.get("/picks", params={"date": "2025-11-04"})
        page = c.get("/dashboard/health")
    assert health.status_code == 200 and health.json()["warehouse_reachable"], health.text
    assert picks.status_code == 200 and picks.json()["items"], picks.text
    assert page.status_code == 200


def test_a_writer_without_a_snapshot_yet_is_reported_not_a_500(writer: Settings) -> None:
    snapshot_path(writer.warehouse_url).unlink()  # a run in its first seconds: nothing published
    with TestClient(create_app(writer)) as c:
        health = c.get("/health")
        picks = c.get("/picks", params={"date": "2025-11-04"})
        page = c.get("/dashboard/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded" and not body["warehouse_reachable"]
    assert "in use by process" in body["detail"] and "no read snapshot yet" in body["detail"]
    assert picks.status_code == 503 and "in use by process" in picks.json()["detail"]
    assert page.status_code == 503 and "cannot be read now" in page.text


def test_the_app_never_writes(client: TestClient, api_settings: Settings) -> None:
    before = _sql(api_settings, "SELECT count(*), max(finished_at) FROM ops_ledger")
    for url in ("/health", "/picks?date=2025-11-04", "/grades", "/coverage?season=2025-26", "/runs"):
        assert client.get(url).status_code == 200
    assert _sql(api_settings, "SELECT count(*), max(finished_at) FROM ops_ledger") == before
