"""``nbaprops parse`` and ``nbaprops registry``: rows out, one red line on a bad payload."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from _support import DATA, FIXTURES
from nbaprops.cli import app
from nbaprops.pipeline.raw.parsers import parse_payload
from nbaprops.storage import DuckDBWarehouse, Partition


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NBAPROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NBAPROPS_DATA_DIR", str(DATA))
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_parse_prints_json_lines_with_real_values(cli: CliRunner) -> None:
    f = FIXTURES / "bdl_box_scores" / "raw_7a649e12.json"
    result = cli.invoke(app, ["parse", "bdl_box_scores", str(f), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 384
    embiid = next(r for r in rows if r["player_name"] == "Joel Embiid")
    assert (embiid["pts"], embiid["game_date"]) == (41, "2024-01-15")


def test_parse_table_view(cli: CliRunner) -> None:
    f = FIXTURES / "nbac_scoreboard_v2" / "raw_055ff78d.json"
    result = cli.invoke(app, ["parse", "nbac_scoreboard_v2", str(f)])
    assert result.exit_code == 0
    assert "20240115_HOU_PHI" in result.output and "11 rows" in result.output


@pytest.mark.parametrize(
    ("kind", "path", "needle"),
    [
        (
            "nbac_gamebook_pdf",
            FIXTURES / "nbac_gamebook_pdf" / "raw_0173bcd1.pdf",
            "nbac_gamebook_pdf: no text",
        ),
        (
            "oddsa_player_props_his",
            FIXTURES / "oddsa_player_props_his" / "raw_815b3ee3.json",
            "no player_* market",
        ),
        (
            "nbac_team_boxscore",
            FIXTURES / "bdl_box_scores" / "raw_7a649e12.json",
            "field 'parameters.GameID'",
        ),
        ("no_such_kind", FIXTURES / "bdl_box_scores" / "raw_7a649e12.json", "no parser for payload kind"),
        ("bdl_box_scores", Path("/nonexistent/payload.json"), "does not exist"),
    ],
)
def test_bad_payload_is_one_red_line_and_exit_1(cli: CliRunner, kind: str, path: Path, needle: str) -> None:
    result = cli.invoke(app, ["parse", kind, str(path)])
    assert result.exit_code == 1
    out = result.output.strip()
    assert needle in out and "Traceback" not in out and len(out.splitlines()) == 1, out


def test_registry_resolve_and_unresolved(cli: CliRunner, tmp_path: Path) -> None:
    wh = DuckDBWarehouse(tmp_path / "home" / "warehouse.duckdb")
    index = parse_payload(
        "nbac_player_list", (FIXTURES / "nbac_player_list" / "raw_7af00b51.json").read_bytes()
    )
    index = index.append_column("season", pa.array(["2025-26"] * index.num_rows))
    wh.write_partition("raw_nbac_players", Partition("season", "2025-26"), index)
    wh.close()
    assert cli.invoke(app, ["registry", "unresolved"]).output.strip() == "no unresolved players"
    bad = cli.invoke(app, ["registry", "resolve", "Nate Williams", "--as", "Nobody Atall"])
    assert bad.exit_code == 1 and "not in the NBA.com player index" in bad.output
    ok = cli.invoke(
        app, ["registry", "resolve", "Marcus Morris", "--as", "Precious Achiuwa", "--source", "bdl"]
    )
    assert ok.exit_code == 0, ok.output
    assert "preciousachiuwa (NBA.com id 1630173)" in ok.output
