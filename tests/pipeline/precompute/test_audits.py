"""The audits next to the models (``pipeline/<phase>/audits/<table>[__<what>].sql``) pass on real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbaprops.ops.runner import Runner
from nbaprops.pipeline.registry import default_registry
from nbaprops.storage.warehouse import Audit

PIPELINE = Path(__file__).resolve().parents[3] / "src" / "nbaprops" / "pipeline"
AUDITS = sorted(PIPELINE.glob("*/audits/*.sql"))


def _audit(name: str) -> Audit:
    """The audit as the runner runs it (shared rules of ``-- uses:`` inlined)."""
    table = name.split("__")[0]
    (audit,) = [a for a in default_registry().by_output[table].audits if a.name == name]
    return audit


@pytest.mark.parametrize("audit", AUDITS, ids=lambda p: p.stem)
def test_audit_finds_no_bad_rows(built: Runner, audit: Path) -> None:
    assert built.wh.count(audit.stem.split("__")[0]) > 0
    assert built.wh.rows(_audit(audit.stem).sql) == []


@pytest.mark.parametrize(
    ("table", "points", "rule"),
    [
        ("raw_player_boxscores", "pts", "team_points"),
        ("player_game_summary", "points", "team_points"),
        ("raw_player_boxscores", "minutes", "minutes"),
        ("player_game_summary", "minutes", "minutes"),
    ],
)
def test_shared_box_audit_fails_a_bad_row_of_each_table(
    built: Runner, table: str, points: str, rule: str
) -> None:
    audit = _audit(f"{table}__{rule}")
    assert f"-- uses: box_{rule}" in audit.sql and "sum(" in audit.sql  # the one shared rule, inlined
    game, player = built.wh.rows(f"SELECT game_code, player_id FROM {table} WHERE minutes > 20 LIMIT 1")[0]
    bump = "+ 1" if rule == "team_points" else "+ 40"  # one point off the final; minutes past any game
    built.wh.execute(
        f"UPDATE {table} SET {points} = {points} {bump} WHERE game_code = '{game}' AND player_id = {player}"
    )
    bad = built.wh.rows(audit.sql)
    assert [r[1] for r in bad] == [game]
    if rule == "minutes":
        assert bad[0][2] == player


def test_cache_audit_catches_a_look_ahead(built: Runner) -> None:
    built.wh.execute(
        "UPDATE player_daily_cache SET last_game_date = game_date "
        "WHERE player_id = (SELECT min(player_id) FROM player_daily_cache WHERE games_played > 3)"
    )
    audit = PIPELINE / "precompute" / "audits" / "player_daily_cache.sql"
    assert len(built.wh.rows(audit.read_text())) > 0
