"""``nbaprops picks``: the same calls as ``GET /picks``, as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from _support import DATA
from nbaprops.cli import app as cli_app


def test_json_is_the_api_answer(run_cli: Callable[..., Any], client: TestClient, day: str) -> None:
    report = json.loads(
        run_cli("picks", "--date", day, "--system", "ensemble", "--limit", "0", "--json").stdout
    )
    assert (report["command"], report["ok"], report["error"]) == ("picks", True, None)
    out = report["result"]
    api = client.get("/picks", params={"date": day, "system": "ensemble", "limit": 500}).json()
    assert out["items"] == api["items"] and out["total"] == api["total"] > 0
    assert {p["system"] for p in out["items"]} == {"ensemble"}
    assert out["availability"] == "not tracked"


def test_table_shows_the_calls_and_availability(
    run_cli: Callable[..., Any], client: TestClient, day: str
) -> None:
    out = run_cli("picks", "--date", day, "--side", "over", "--sort", "player", "--limit", "5").stdout
    api = client.get("/picks", params={"date": day, "side": "OVER", "sort": "player", "limit": 5}).json()
    assert f"Calls {day} (player_points): {api['total']}, availability: not tracked" in out
    for p in api["items"]:
        assert p["player_name"] in out
    assert f"showing 5 of {api['total']}" in out


def test_a_date_without_calls_names_the_latest(run_cli: Callable[..., Any], day: str) -> None:
    out = run_cli("picks", "--date", "2025-12-25").stdout
    assert f"no calls for 2025-12-25; the latest date with calls is {day}" in " ".join(out.split())


def test_bad_options_are_one_line_errors(api_home: Path) -> None:
    for args, needle in (
        (["--sort", "luck"], "--sort 'luck': choose one of edge"),
        (["--side", "maybe"], "--side 'maybe': choose OVER, UNDER or PASS"),
        (["--date", "11/04/2025"], "--date '11/04/2025' is not a date"),
    ):
        r = CliRunner().invoke(cli_app, ["--home", str(api_home), "--data-dir", str(DATA), "picks", *args])
        assert r.exit_code == 1
        assert needle in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(cli_app, ["--home", str(api_home), "picks", "--sort", "luck", "--json"])
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert (report["ok"], report["result"]) == (False, None) and "--sort 'luck'" in report["error"]
